// SPDX-License-Identifier: GPL-2.0
/*
 * Guards in a VMA marked MADV_WIPEONFORK.  After restore the VMA's guards
 * fault, its data is intact and it says "gu" in smaps, and a child forked
 * after restore sees what a child forked before the dump saw: on this
 * kernel, every page zero, guard pages included (fork does not copy a
 * wipe-on-fork VMA's page tables, guard markers with them).  CRIU 4.1
 * restores no MADV_WIPEONFORK at all (4.2 does): there the child must see
 * an ordinary copy, guards and data, and the outfile says so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guardtst.h"
#include "zdtmtst.h"

#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#endif

const char *test_doc = "Guards in a VMA with MADV_WIPEONFORK";
const char *test_author = "criu-guard";

#define PAGES 16

static struct gt_region *r;
/* What a forked child saw per page: G guard, Z zero, D data, ? other. */
static char seen_before[PAGES + 1];

static char classify(const char *p)
{
	if (gt_faults((volatile char *)p, false))
		return gt_pagemap_guard(p) ? 'G' : '?';
	for (long i = 0; i < gt_page; i++)
		if (p[i])
			return 'D';
	return 'Z';
}

/* A child's view of the region, one letter a page; 0 on success. */
static int child_view(char *out)
{
	int pfd[2], status;
	pid_t pid;

	if (pipe(pfd))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char v[PAGES];

		close(pfd[0]);
		for (size_t pg = 0; pg < PAGES; pg++)
			v[pg] = classify(r->addr + pg * gt_page);
		_exit(write(pfd[1], v, PAGES) == PAGES ? 0 : 1);
	}
	close(pfd[1]);
	memset(out, 0, PAGES + 1);
	if (read(pfd[0], out, PAGES) != PAGES)
		out[0] = 0;
	close(pfd[0]);
	if (waitpid(pid, &status, 0) != pid || status || !out[0])
		return -1;
	return 0;
}

/*
 * What a child forked from a VMA that lost MADV_WIPEONFORK sees: an
 * ordinary copy, the guards where the parent has them and data elsewhere.
 */
static void plain_fork_view(char *out)
{
	for (size_t pg = 0; pg < PAGES; pg++)
		out[pg] = r->guard[pg] ? 'G' : 'D';
	out[PAGES] = 0;
}

static int check(void *arg, bool restored)
{
	const char *when = restored ? "after restore" : "before the dump";
	char now[PAGES + 1], want[PAGES + 1];
	bool wf = gt_vma_has_at(r->addr, "wf");
	int bad = 0;

	if (child_view(restored ? now : seen_before)) {
		test_msg("%s: the forked child failed\n", when);
		return 1;
	}
	if (!restored) {
		test_msg("child before the dump: %s\n", seen_before);
		if (!wf) {
			test_msg("MADV_WIPEONFORK gave no wf in smaps\n");
			bad++;
		}
		for (size_t pg = 0; pg < PAGES; pg++) {
			if (!r->guard[pg] && seen_before[pg] != 'Z') {
				test_msg("page %zu not wiped in the child\n",
					 pg);
				bad++;
			}
		}
		return bad;
	}
	test_msg("child after restore: %s\n", now);
	/*
	 * CRIU before 4.2 does not restore MADV_WIPEONFORK at all (guards or
	 * not): then the guards must still behave as in any other VMA.
	 */
	if (wf) {
		strcpy(want, seen_before);
	} else {
		test_msg("the VMA lost MADV_WIPEONFORK in checkpoint/restore "
			 "(CRIU < 4.2 does not restore it): checking an "
			 "ordinary fork\n");
		plain_fork_view(want);
	}
	if (strcmp(now, want)) {
		test_msg("the child sees %s after restore, expected %s\n", now,
			 want);
		bad++;
	}
	return bad;
}

int main(int argc, char **argv)
{
	test_init(argc, argv);
	r = gt_map_anon("wipeonfork", PAGES);
	if (!r) {
		fail("mmap");
		return 1;
	}
	if (madvise(r->addr, PAGES * gt_page, MADV_WIPEONFORK)) {
		fail("MADV_WIPEONFORK");
		return 1;
	}
	gt_fill(r);
	if (gt_guard(r, 0, 1) || gt_guard(r, 5, 2) || gt_guard(r, 15, 1)) {
		fail("MADV_GUARD_INSTALL");
		return 1;
	}
	return gt_run_with(&r, 1, check, NULL);
}
