// SPDX-License-Identifier: GPL-2.0
/*
 * criu-guard verify PID DIR: a live (restored) task's guards against its
 * image, with the checks a restore makes on the image first.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "guard_binding.h"
#include "guard_criu_images.h"
#include "guard_criu_syms.h"
#include "guard_image.h"
#include "guard_proc.h"
#include "guard_scan.h"
#include "json.h"
#include "tool.h"

struct verify_result {
	pid_t pid;
	uint32_t ns_pid;
	char image[64];
	bool in_index;
	bool bound; /* guard-binding.img proves the image is this dump's */
	struct guard_ranges img, live, lost, extra;
};

static void verify_print(const struct opts *o, const struct verify_result *v,
			 bool same)
{
	if (o->json) {
		printf("{\"pid\":%d,\"ns_pid\":%u,\"image\":", (int)v->pid,
		       v->ns_pid);
		json_str(v->image);
		printf(",\"in_index\":%s,\"bound\":%s,\"match\":%s,"
		       "\"image_ranges\":",
		       v->in_index ? "true" : "false",
		       v->bound ? "true" : "false", same ? "true" : "false");
		json_ranges(&v->img);
		printf(",\"process_ranges\":");
		json_ranges(&v->live);
		printf(",\"only_in_image\":");
		json_ranges(&v->lost);
		printf(",\"only_in_process\":");
		json_ranges(&v->extra);
		printf("}\n");
		return;
	}
	printf("pid %d (ns pid %u) against %s: ", (int)v->pid, v->ns_pid,
	       v->image);
	if (same) {
		printf("match, %zu guard %s, %" PRIu64 " %s\n", v->img.n,
		       plural(v->img.n, "range", "ranges"), pages_of(&v->img),
		       plural(pages_of(&v->img), "page", "pages"));
		return;
	}
	printf("DIFFER\n");
	if (!v->in_index)
		printf("  %s does not list ns pid %u\n", GUARD_INDEX_NAME,
		       v->ns_pid);
	if (!v->bound)
		printf("  the guard images are not bound to the dump in this "
		       "directory (%s)\n",
		       GUARD_BINDING_NAME);
	if (v->lost.n) {
		printf("  only in the image (guards lost), %" PRIu64 " %s:\n",
		       pages_of(&v->lost),
		       plural(pages_of(&v->lost), "page", "pages"));
		human_ranges("    ", &v->lost);
	}
	if (v->extra.n) {
		printf("  only in the process (guards not in the image), "
		       "%" PRIu64 " %s:\n",
		       pages_of(&v->extra),
		       plural(pages_of(&v->extra), "page", "pages"));
		human_ranges("    ", &v->extra);
	}
}

/*
 * A dump by CRIU >= 4.2 records guards itself, in mm-<pid>.img: those are
 * the ranges to compare with.  criu's own image needs no binding.  0 if
 * it holds guards for this task, -ENOENT if not.
 */
static int load_native(int dirfd, struct verify_result *v)
{
	struct guard_criu_mm mm;

	if (guard_criu_mm_read(dirfd, v->ns_pid, &mm))
		return -ENOENT;
	if (!mm.guards.n) {
		guard_criu_mm_free(&mm);
		return -ENOENT;
	}
	guard_criu_mm_name(v->image, sizeof(v->image), v->ns_pid);
	v->img = mm.guards;
	guard_ranges_init(&mm.guards);
	guard_criu_mm_free(&mm);
	v->in_index = v->bound = true;
	return 0;
}

static int verify_load(const struct opts *o, int dirfd,
		       const struct guard_features *f, struct verify_result *v)
{
	struct guard_index idx;
	enum guard_dump_kind kind;
	int ret;

	ret = guard_task_ns_pid(v->pid, &v->ns_pid);
	if (ret)
		return ret;
	/* The checks a restore makes: is there anything to compare with? */
	ret = guard_dump_decide(dirfd, &kind);
	if (ret)
		return ret;
	if (kind != GUARD_DUMP_OURS && !load_native(dirfd, v))
		goto compare;
	if (kind != GUARD_DUMP_OURS) {
		fprintf(stderr,
			"criu-guard verify: %s/%s does not name %s: the dump "
			"there held no guards for the plugin\n",
			o->args[1], CRIU_INVENTORY_NAME, GUARD_PLUGIN_NAME);
		return -ENOENT;
	}
	guard_image_name(v->image, sizeof(v->image), v->ns_pid);
	ret = guard_task_image_read(dirfd, v->ns_pid, f->task_size, &v->img);
	if (ret == -ENOENT)
		fprintf(stderr,
			"criu-guard verify: %s/%s is missing: ns pid %u was "
			"not dumped with the plugin\n",
			o->args[1], v->image, v->ns_pid);
	if (ret)
		return ret;
	ret = guard_index_read(dirfd, &idx);
	if (ret == -ENOENT)
		fprintf(stderr, "criu-guard verify: %s/%s is missing\n",
			o->args[1], GUARD_INDEX_NAME);
	if (ret)
		return ret;
	v->in_index = guard_pids_has(idx.pids, idx.n, v->ns_pid);
	/* A swapped image must not "match": the binding says whose it is. */
	v->bound = guard_binding_check(dirfd, &idx) == 0;
	guard_index_free(&idx);
compare:
	ret = guard_find(v->pid, f, GUARD_SCAN_FULL, &v->live);
	if (!ret)
		ret = guard_ranges_subtract(&v->img, &v->live, &v->lost);
	if (!ret)
		ret = guard_ranges_subtract(&v->live, &v->img, &v->extra);
	return ret;
}

int cmd_verify(const struct opts *o)
{
	struct verify_result v;
	struct guard_features f;
	int dirfd, ret;
	bool same;

	if (o->nargs != 2) {
		fprintf(stderr, "criu-guard verify: expects PID DIR\n");
		return EXIT_ERR;
	}
	memset(&v, 0, sizeof(v));
	if (tool_parse_pid(o->args[0], &v.pid) || tool_detect(&f))
		return EXIT_ERR;
	dirfd = tool_open_dir("verify", o->args[1]);
	if (dirfd < 0)
		return EXIT_ERR;
	ret = verify_load(o, dirfd, &f, &v);
	close(dirfd);
	if (!ret) {
		same = v.in_index && v.bound && !v.lost.n && !v.extra.n;
		verify_print(o, &v, same);
	} else if (ret != -ENOENT) {
		fprintf(stderr, "criu-guard verify: %s\n", strerror(-ret));
	}
	guard_ranges_free(&v.img);
	guard_ranges_free(&v.live);
	guard_ranges_free(&v.lost);
	guard_ranges_free(&v.extra);
	if (ret)
		return EXIT_ERR;
	return same ? 0 : EXIT_NO;
}
