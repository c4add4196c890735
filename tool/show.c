// SPDX-License-Identifier: GPL-2.0
/*
 * criu-guard show DIR: the plugin's images in a dump directory, decoded
 * by the restore's own (validating) readers, and whether the binding
 * ties them to the dump there.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guard_array.h"
#include "guard_binding.h"
#include "guard_criu_images.h"
#include "guard_criu_syms.h"
#include "guard_image.h"
#include "guard_imgdir.h"
#include "guard_native_images.h"
#include "json.h"
#include "tool.h"

/* Pids of every guard-<pid>.img in the directory, sorted. */
static int list_task_images(int dirfd, uint32_t **pids, size_t *n)
{
	size_t cap = 0;
	struct dirent *de;
	DIR *d = guard_dir_open(dirfd);

	*pids = NULL;
	*n = 0;
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		uint32_t pid;

		if (!guard_image_parse_name(de->d_name, &pid))
			continue;
		if (GUARD_ARRAY_GROW(*pids, *n, cap, 16)) {
			closedir(d);
			return -ENOMEM;
		}
		(*pids)[(*n)++] = pid;
	}
	closedir(d);
	guard_pids_sort(*pids, *n);
	return 0;
}

static const char *err_word(int err)
{
	return err == -ENOENT ? "missing" : "invalid";
}

/* One task image; returns 0 or the reader's error (already printed). */
static int show_task(const struct opts *o, int dirfd, uint32_t pid, bool listed,
		     uint64_t task_size, bool first)
{
	struct guard_ranges r;
	char name[64];
	int ret;

	guard_ranges_init(&r);
	guard_image_name(name, sizeof(name), pid);
	ret = guard_task_image_read(dirfd, pid, task_size, &r);
	if (o->json) {
		printf("%s{\"file\":", first ? "" : ",");
		json_str(name);
		printf(",\"pid\":%u,\"listed\":%s,\"status\":\"%s\"", pid,
		       listed ? "true" : "false", ret ? err_word(ret) : "ok");
		if (!ret) {
			printf(",\"pages\":%" PRIu64 ",\"ranges\":",
			       pages_of(&r));
			json_ranges(&r);
		}
		putchar('}');
	} else if (ret) {
		printf("%s: %s%s\n", name, err_word(ret),
		       listed ? "" : " (not in the index)");
	} else {
		printf("%s: pid %u, %zu guard %s, %" PRIu64 " %s (%" PRIu64
		       " KiB)%s\n",
		       name, pid, r.n, plural(r.n, "range", "ranges"),
		       pages_of(&r), plural(pages_of(&r), "page", "pages"),
		       guard_ranges_bytes(&r) >> 10,
		       listed ? "" : " -- not in the index");
		human_ranges("    ", &r);
	}
	guard_ranges_free(&r);
	return ret;
}

/*
 * Whether the guard images belong to the dump beside them, by the checks a
 * restore makes (guard_dump_decide, then the binding): "ok", "stale" (not
 * this dump's: a restore ignores them), "refused" (the inventory does not
 * name the plugin but the guards can't be told stale), or why not.
 */
static const char *dump_binding(int dirfd, const struct guard_index *idx,
				int idx_ret)
{
	enum guard_dump_kind kind;
	int ret;

	ret = guard_dump_decide(dirfd, &kind);
	if (ret == -ENOENT && faccessat(dirfd, CRIU_INVENTORY_NAME, F_OK, 0))
		return "no inventory";
	if (ret)
		return "refused";
	if (kind != GUARD_DUMP_OURS)
		return "stale";
	if (idx_ret)
		return "no index";
	ret = guard_binding_check(dirfd, idx);
	return !ret ? "ok" : ret == -ENOENT ? "unbound" : "mismatch";
}

static void show_index(const struct opts *o, const struct guard_index *idx,
		       int idx_ret)
{
	if (o->json) {
		printf(",\"index\":{\"file\":\"%s\",\"status\":\"%s\"",
		       GUARD_INDEX_NAME, idx_ret ? err_word(idx_ret) : "ok");
		if (!idx_ret) {
			/* As read from the file, not this host's values. */
			printf(",\"version\":%u,\"arch\":", idx->version);
			json_str(idx->arch);
			printf(",\"page_size\":%u,\"pids\":[", idx->page_size);
			for (size_t i = 0; i < idx->n; i++)
				printf("%s%u", i ? "," : "", idx->pids[i]);
			putchar(']');
		}
		printf("},\"tasks\":[");
	} else if (idx_ret) {
		printf("%s: %s\n", GUARD_INDEX_NAME, err_word(idx_ret));
	} else {
		printf("%s: %zu %s (format %u, %s, page size %u):",
		       GUARD_INDEX_NAME, idx->n,
		       plural(idx->n, "task", "tasks"), idx->version, idx->arch,
		       idx->page_size);
		for (size_t i = 0; i < idx->n; i++)
			printf(" %u", idx->pids[i]);
		putchar('\n');
	}
}

/*
 * A dump by CRIU >= 4.2 records guards itself (VMA_AREA_GUARD entries of
 * mm-<pid>.img): shown when the plugin has no images there.  Returns the
 * number of tasks with guards, or -1 if an mm image is bad (printed).
 */
static int show_native(const struct opts *o, int dirfd)
{
	struct guard_native nv;
	bool first = true, vdso = false;
	int ret;

	guard_native_init(&nv);
	ret = guard_native_read(dirfd, &nv);
	if (ret || !nv.ranges) {
		guard_native_free(&nv);
		return ret ? -1 : 0;
	}
	if (o->json) {
		printf("{\"dir\":");
		json_str(o->args[0]);
		printf(",\"native\":[");
	}
	for (size_t i = 0; i < nv.n; i++) {
		const struct guard_native_task *t = &nv.v[i];

		vdso |= t->vdso_missing;
		if (!t->guards.n)
			continue;
		if (o->json) {
			printf("%s{\"file\":\"mm-%u.img\",\"pid\":%u,\"pages\":%" PRIu64
			       ",\"ranges\":",
			       first ? "" : ",", t->pid, t->pid,
			       pages_of(&t->guards));
			json_ranges(&t->guards);
			putchar('}');
		} else {
			printf("mm-%u.img: pid %u, %zu guard %s recorded by CRIU >= 4.2 itself, %" PRIu64
			       " %s\n",
			       t->pid, t->pid, t->guards.n,
			       plural(t->guards.n, "range", "ranges"),
			       pages_of(&t->guards),
			       plural(pages_of(&t->guards), "page", "pages"));
			human_ranges("    ", &t->guards);
		}
		first = false;
	}
	if (o->json)
		printf("],\"vdso_contents\":%s,\"ok\":true}\n",
		       vdso ? "false" : "true");
	else
		printf("a dump by CRIU >= 4.2 with its own guard records (%zu %s in %zu %s): CRIU >= 4.2 restores them%s\n",
		       nv.ranges, plural(nv.ranges, "range", "ranges"),
		       nv.tasks, plural(nv.tasks, "task", "tasks"),
		       vdso ? "; CRIU < 4.2 can't restore this dump (no vDSO contents), the plugin refuses it there" :
			      ", CRIU < 4.2 with the plugin too");
	ret = (int)nv.tasks;
	guard_native_free(&nv);
	return ret;
}

int cmd_show(const struct opts *o)
{
	struct guard_index idx = { 0 };
	struct guard_features f;
	uint32_t *files = NULL;
	size_t nfiles = 0;
	int dirfd, ret, idx_ret, bad = 0;
	const char *bind = NULL;
	bool first = true;

	if (o->nargs != 1) {
		fprintf(stderr, "criu-guard show: expects one DIR\n");
		return EXIT_ERR;
	}
	if (tool_detect(&f))
		return EXIT_ERR;
	dirfd = tool_open_dir("show", o->args[0]);
	if (dirfd < 0)
		return EXIT_ERR;
	ret = list_task_images(dirfd, &files, &nfiles);
	if (ret) {
		fprintf(stderr, "criu-guard show: %s: %s\n", o->args[0],
			strerror(-ret));
		close(dirfd);
		return EXIT_ERR;
	}
	idx_ret = guard_index_read(dirfd, &idx);
	if (!nfiles && idx_ret == -ENOENT) {
		ret = show_native(o, dirfd);
		if (ret) {
			free(files);
			close(dirfd);
			return ret < 0 ? EXIT_NO : 0;
		}
	}
	bad += idx_ret != 0;
	if (nfiles || idx_ret != -ENOENT) {
		bind = dump_binding(dirfd, &idx, idx_ret);
		/* Images a restore ignores are not a fault of the dump. */
		bad += strcmp(bind, "ok") && strcmp(bind, "stale");
	}
	if (o->json) {
		printf("{\"dir\":");
		json_str(o->args[0]);
		printf(",\"binding\":");
		json_str(bind);
	}
	show_index(o, &idx, idx_ret);
	/* Every listed task, then images the index does not list. */
	for (size_t i = 0; i < idx.n; i++, first = false)
		bad += show_task(o, dirfd, idx.pids[i], true, f.task_size,
				 first) != 0;
	for (size_t i = 0; i < nfiles; i++) {
		if (guard_pids_has(idx.pids, idx.n, files[i]))
			continue;
		/* Not part of the dump, but an invalid one is still bad. */
		bad += show_task(o, dirfd, files[i], false, f.task_size,
				 first) != 0;
		first = false;
	}
	if (o->json)
		printf("],\"ok\":%s}\n", bad ? "false" : "true");
	else if (!nfiles && idx_ret == -ENOENT)
		printf("no guard images in %s (dumped without the plugin?)\n",
		       o->args[0]);
	else if (!strcmp(bind, "stale"))
		printf("%s does not name %s: the dump needs none of these guard images (it held no guards, or they are stale); a restore ignores them\n",
		       CRIU_INVENTORY_NAME, GUARD_PLUGIN_NAME);
	else
		printf("binding to the dump (%s): %s\n", GUARD_BINDING_NAME,
		       bind);
	guard_index_free(&idx);
	free(files);
	close(dirfd);
	return bad ? EXIT_NO : 0;
}
