/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Process trees in which every task checks itself.  The root calls
 * gt_tree_init(), any task forks children with gt_tree_fork() (0 in the
 * child, as fork()), every task calls gt_tree_ready() once its children
 * are forked (it waits for their subtrees), the root then test_daemon(),
 * and every task ends in gt_tree_finish(): wait for SIGTERM, pass it down,
 * check own memory and guard ranges, collect the children's results.
 * Non-root tasks exit there; the root writes the verdict for the whole
 * tree and returns the exit code.  A task reports to its parent, over a
 * pipe, one int when its subtree is ready and one after restore: the
 * number of problems found in its subtree.
 */
#ifndef GT_TREE_H
#define GT_TREE_H

#include <stddef.h>
#include <sys/types.h>

#include "guard_range.h"
#include "gt_region.h"

struct gt_kid {
	pid_t pid;
	int fd;
};

struct gt_tree {
	char name[32];
	int up; /* pipe to the parent; -1 in the root */
	struct gt_kid *kids;
	size_t nkids, cap;
	struct gt_region **regions;
	size_t nregions;
	struct guard_ranges before;
};

void gt_tree_init(struct gt_tree *t, const char *name);
pid_t gt_tree_fork(struct gt_tree *t, const char *name);
/* Problems in this subtree before the dump (already reported upwards). */
int gt_tree_ready(struct gt_tree *t, struct gt_region **regions, size_t n);
/* extra (may be NULL): the caller's own checks after restore, problems. */
int gt_tree_finish(struct gt_tree *t, int (*extra)(void *arg), void *arg);
void gt_tree_abort(struct gt_tree *t);

/*
 * A task below the root: its own filled region of anonymous memory (the
 * task exits 1, unreported, if it can't map one), and its end, ready and
 * finished with regions.
 */
struct gt_region *gt_tree_own(const char *name, size_t pages);
int gt_tree_member(struct gt_tree *t, struct gt_region **regions, size_t n);
/*
 * The root's end once its children are forked: ready, test_daemon(),
 * finish; extra (may be NULL) runs before the dump as well.
 */
int gt_tree_root(struct gt_tree *t, struct gt_region **regions, size_t n,
		 int (*extra)(void *arg), void *arg);

/* Forks a child that exits with code and is left unreaped; its pid. */
pid_t gt_zombie(int code);
/* Still an unreaped child that exited with code: 0, else 1. */
int gt_zombie_check(pid_t pid, int code);

#endif
