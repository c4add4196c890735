// SPDX-License-Identifier: GPL-2.0
/*
 * criu-guard scan PID: a live task's guard ranges per VMA, found as the
 * dump finds them, with the VMA fields from smaps.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "guard_proc.h"
#include "guard_scan.h"
#include "json.h"
#include "tool.h"

/* The part of r inside [start, end), from index *j on; r is sorted. */
static int clip(const struct guard_ranges *r, size_t *j, uint64_t start,
		uint64_t end, struct guard_ranges *out)
{
	int ret;

	while (*j < r->n && r->v[*j].end <= start)
		(*j)++;
	for (size_t k = *j; k < r->n && r->v[k].start < end; k++) {
		uint64_t s = r->v[k].start > start ? r->v[k].start : start;
		uint64_t e = r->v[k].end < end ? r->v[k].end : end;

		ret = guard_ranges_add(out, s, e);
		if (ret)
			return ret;
	}
	return 0;
}

static void scan_vma_human(const struct guard_vma *v,
			   const struct guard_ranges *g)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t vpages = (v->end - v->start) / page;

	printf("%012" PRIx64 "-%012" PRIx64 " %s %08" PRIx64 " %s\n", v->start,
	       v->end, v->perms, v->offset, v->name ? v->name : "[anon]");
	printf("    VmFlags: %s\n", v->vmflags ? v->vmflags : "(none)");
	for (size_t i = 0; i < g->n; i++) {
		uint64_t first = (g->v[i].start - v->start) / page;
		uint64_t n = (g->v[i].end - g->v[i].start) / page;
		char where[64];

		if (n > 1)
			snprintf(where, sizeof(where),
				 "pages %" PRIu64 "-%" PRIu64, first,
				 first + n - 1);
		else
			snprintf(where, sizeof(where), "page %" PRIu64, first);
		printf("    guard %012" PRIx64 "-%012" PRIx64 " %5" PRIu64
		       " %s  (%s of %" PRIu64 ")\n",
		       g->v[i].start, g->v[i].end, n,
		       plural(n, "page ", "pages"), where, vpages);
	}
	if (!g->n && v->maybe_guard)
		printf("    no guards (\"gu\": guards were installed once)\n");
}

static void scan_vma_json(const struct guard_vma *v,
			  const struct guard_ranges *g, bool first)
{
	printf("%s{\"start\":", first ? "" : ",");
	json_hex(v->start);
	printf(",\"end\":");
	json_hex(v->end);
	printf(",\"perms\":");
	json_str(v->perms);
	printf(",\"offset\":");
	json_hex(v->offset);
	printf(",\"name\":");
	json_str(v->name);
	printf(",\"vmflags\":");
	json_str(v->vmflags);
	printf(",\"maybe_guard\":%s,\"guards\":",
	       v->maybe_guard ? "true" : "false");
	json_ranges(g);
	putchar('}');
}

/* Guards that lie in no VMA: the task changed between the two reads. */
static int scan_outside(const struct guard_ranges *all,
			const struct guard_vmas *vmas, struct guard_ranges *out)
{
	struct guard_ranges covered;
	int ret = 0;

	guard_ranges_init(&covered);
	for (size_t i = 0; !ret && i < vmas->n; i++)
		ret = guard_ranges_add(&covered, vmas->v[i].start,
				       vmas->v[i].end);
	if (!ret)
		ret = guard_ranges_subtract(all, &covered, out);
	guard_ranges_free(&covered);
	return ret;
}

static int scan_print(const struct opts *o, pid_t pid,
		      const struct guard_ranges *all,
		      const struct guard_vmas *vmas)
{
	struct guard_ranges g, outside;
	char comm[64];
	uint32_t ns_pid = 0;
	size_t j = 0, with = 0;
	bool first = true;
	int ret;

	tool_read_comm(pid, comm, sizeof(comm));
	if (guard_task_ns_pid(pid, &ns_pid))
		ns_pid = 0;
	guard_ranges_init(&g);
	guard_ranges_init(&outside);
	ret = scan_outside(all, vmas, &outside);
	for (size_t i = 0, k = 0; !ret && i < vmas->n; i++) {
		guard_ranges_reset(&g);
		ret = clip(all, &k, vmas->v[i].start, vmas->v[i].end, &g);
		with += g.n > 0;
	}
	if (ret)
		goto out;
	if (o->json) {
		printf("{\"pid\":%d,\"ns_pid\":%u,\"comm\":", (int)pid, ns_pid);
		json_str(comm);
		printf(",\"ranges\":%zu,\"pages\":%" PRIu64
		       ",\"bytes\":%" PRIu64
		       ",\"vmas_with_guards\":%zu,\"vmas\":[",
		       all->n, pages_of(all), guard_ranges_bytes(all), with);
	} else {
		printf("%d (%s, ns pid %u): %zu guard %s, %" PRIu64
		       " %s (%" PRIu64 " KiB) in %zu %s\n",
		       (int)pid, comm, ns_pid, all->n,
		       plural(all->n, "range", "ranges"), pages_of(all),
		       plural(pages_of(all), "page", "pages"),
		       guard_ranges_bytes(all) >> 10, with,
		       plural(with, "VMA", "VMAs"));
	}
	for (size_t i = 0; !ret && i < vmas->n; i++) {
		const struct guard_vma *v = &vmas->v[i];

		guard_ranges_reset(&g);
		ret = clip(all, &j, v->start, v->end, &g);
		if (ret || (!o->all && !g.n && !v->maybe_guard))
			continue;
		if (o->json)
			scan_vma_json(v, &g, first);
		else
			scan_vma_human(v, &g);
		first = false;
	}
	if (o->json) {
		printf("],\"outside_vmas\":");
		json_ranges(&outside);
		printf("}\n");
	} else if (outside.n) {
		printf("guards outside any VMA (the task changed while "
		       "scanned):\n");
		human_ranges("    ", &outside);
	}
out:
	guard_ranges_free(&g);
	guard_ranges_free(&outside);
	return ret;
}

int cmd_scan(const struct opts *o)
{
	struct guard_features f;
	struct guard_ranges all;
	struct guard_vmas vmas = { 0 };
	pid_t pid;
	int ret;

	if (o->nargs != 1) {
		fprintf(stderr, "criu-guard scan: expects one PID\n");
		return EXIT_ERR;
	}
	if (tool_parse_pid(o->args[0], &pid) || tool_detect(&f))
		return EXIT_ERR;
	if (!f.scan_guard && !f.pagemap_bit) {
		fprintf(stderr, "criu-guard scan: this kernel reports no guard "
				"pages\n");
		return EXIT_NO;
	}
	guard_ranges_init(&all);
	ret = guard_find(pid, &f, GUARD_SCAN_FULL, &all);
	if (!ret)
		ret = guard_read_vmas(pid, "smaps", &vmas);
	if (!ret)
		ret = scan_print(o, pid, &all, &vmas);
	if (ret)
		fprintf(stderr, "criu-guard scan: pid %d: %s\n", (int)pid,
			strerror(-ret));
	guard_ranges_free(&all);
	guard_vmas_free(&vmas);
	return ret ? EXIT_ERR : 0;
}
