// SPDX-License-Identifier: GPL-2.0
/*
 * A process tree: the root's guards (in private anonymous memory, a private
 * file mapping and shared anonymous memory) are copied into its children on
 * fork; children and a grandchild then change theirs (add guards to
 * inherited memory, remove inherited guards, map memory of their own), and
 * the root adds a guard after forking.  A child that exited and is not reaped
 * (a zombie) is part of the tree.  Every task checks itself after restore;
 * the root writes the verdict.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guardtst.h"
#include "zdtmtst.h"

const char *test_doc = "Guards inherited through fork() in a process tree";
const char *test_author = "criu-guard";

#define ZOMBIE_CODE 42

/* Inherited regions: [0] anonymous, [1] a private file, [2] shmem. */
#define INHERITED 3

/*
 * A task below the root: a region of its own (own pages, 0 for none), the
 * guards it removes (del) and then installs (add), a page mask a region
 * (the inherited ones, then its own), and a child of its own.
 */
struct task {
	const char *name;
	size_t own;
	unsigned int del[INHERITED + 1], add[INHERITED + 1];
	const struct task *kid;
};

#define PG(n) (1U << (n))

static const struct task grandchild = {
	/* Inherited guards removed and added, two in its own memory. */
	.name = "grandchild",
	.own = 8,
	.del = { PG(7), PG(0) },
	.add = { PG(4), 0, PG(6), PG(3) | PG(4) },
};
static const struct task child_a = {
	.name = "child-a",
	.own = 8,
	.add = { PG(12), PG(5), PG(2), PG(0) | PG(7) },
	.kid = &grandchild,
};
/* Keeps exactly what it inherited. */
static const struct task child_b = { .name = "child-b" };

static struct gt_tree tree;
static struct gt_region *r[INHERITED + 1];
static char path[64];

static int run_task(const struct task *me)
{
	size_t n = INHERITED;

	if (me->own)
		r[n++] = gt_tree_own(me->name, me->own);
	for (size_t i = 0; i < n; i++) {
		for (size_t pg = 0; pg < r[i]->pages; pg++) {
			if ((me->del[i] & PG(pg) && gt_unguard(r[i], pg, 1)) ||
			    (me->add[i] & PG(pg) && gt_guard(r[i], pg, 1)))
				exit(1);
		}
	}
	if (me->kid && gt_tree_fork(&tree, me->kid->name) == 0)
		return run_task(me->kid);
	return gt_tree_member(&tree, r, n);
}

static int zombie_still_there(void *arg)
{
	return gt_zombie_check(*(pid_t *)arg, ZOMBIE_CODE);
}

int main(int argc, char **argv)
{
	pid_t zombie;
	char *p;
	int ret;

	test_init(argc, argv);
	gt_tree_init(&tree, "root");
	snprintf(path, sizeof(path), "/tmp/zdtm-tree.%d", getpid());
	r[0] = gt_map_anon("inherited", 16);
	r[1] = gt_map_file("inherited-file", path, 8, MAP_PRIVATE);
	p = gt_reserve(8);
	if (p)
		p = mmap(p, 8 * gt_page, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	r[2] = p && p != MAP_FAILED ? gt_wrap("inherited-shmem", p, 8) : NULL;
	if (!r[0] || !r[1] || !r[2]) {
		fail("mmap");
		return 1;
	}
	gt_fill(r[0]);
	gt_fill(r[2]);
	if (GT_GUARDS(r[0], { 1, 1 }, { 7, 2 }) ||
	    GT_GUARDS(r[1], { 0, 1 }, { 3, 1 }) || GT_GUARDS(r[2], { 4, 1 }))
		return 1;
	if (gt_tree_fork(&tree, child_a.name) == 0)
		return run_task(&child_a);
	if (gt_tree_fork(&tree, child_b.name) == 0)
		return run_task(&child_b);
	zombie = gt_zombie(ZOMBIE_CODE);
	if (zombie < 0 || gt_guard(r[0], 14, 1)) {
		fail("fork or MADV_GUARD_INSTALL");
		gt_tree_abort(&tree);
		return 1;
	}
	ret = gt_tree_root(&tree, r, INHERITED, zombie_still_there, &zombie);
	unlink(path);
	return ret;
}
