// SPDX-License-Identifier: GPL-2.0
/*
 * A process tree: the root's guards are copied into its children on fork;
 * children and a grandchild then change theirs (add guards to inherited
 * memory, remove an inherited guard, map memory of their own), and the
 * root adds a guard after forking.  A child that exited and is not reaped
 * (a zombie) is part of the tree.  Every task checks itself after restore;
 * the root writes the verdict.
 */
#include <signal.h>
#include <stdlib.h>

#include "guardtst.h"
#include "zdtmtst.h"

#define ZOMBIE_CODE 42

static struct gt_tree tree;
static struct gt_region *inherited;

static int grandchild(void)
{
	struct gt_region *r[2] = {inherited, gt_map_anon("grandchild", 8)};

	if (!r[1])
		exit(1);
	gt_fill(r[1]);
	/* An inherited guard removed, one added, one in its own memory. */
	if (gt_unguard(r[0], 7, 1) || gt_guard(r[0], 4, 1) ||
	    gt_guard(r[1], 3, 2))
		exit(1);
	gt_tree_ready(&tree, r, 2);
	return gt_tree_finish(&tree, NULL, NULL);
}

static int child_a(void)
{
	struct gt_region *r[2] = {inherited, gt_map_anon("child-a", 8)};

	if (!r[1])
		exit(1);
	gt_fill(r[1]);
	if (gt_guard(r[0], 12, 1) || gt_guard(r[1], 0, 1) ||
	    gt_guard(r[1], 7, 1))
		exit(1);
	if (gt_tree_fork(&tree, "grandchild") == 0)
		return grandchild();
	gt_tree_ready(&tree, r, 2);
	return gt_tree_finish(&tree, NULL, NULL);
}

static int child_b(void)
{
	/* Keeps exactly what it inherited. */
	gt_tree_ready(&tree, &inherited, 1);
	return gt_tree_finish(&tree, NULL, NULL);
}

static int zombie_still_there(void *arg)
{
	return gt_zombie_check(*(pid_t *)arg, ZOMBIE_CODE);
}

int main(int argc, char **argv)
{
	pid_t zombie;

	test_init(argc, argv);
	gt_tree_init(&tree, "root");
	inherited = gt_map_anon("inherited", 16);
	if (!inherited) {
		fail("mmap");
		return 1;
	}
	gt_fill(inherited);
	if (gt_guard(inherited, 1, 1) || gt_guard(inherited, 7, 2)) {
		fail("MADV_GUARD_INSTALL");
		return 1;
	}
	if (gt_tree_fork(&tree, "child-a") == 0)
		return child_a();
	if (gt_tree_fork(&tree, "child-b") == 0)
		return child_b();
	zombie = gt_zombie(ZOMBIE_CODE);
	if (zombie < 0 || gt_guard(inherited, 14, 1)) {
		fail("fork or MADV_GUARD_INSTALL");
		gt_tree_abort(&tree);
		return 1;
	}
	if (gt_tree_ready(&tree, &inherited, 1) ||
	    gt_zombie_check(zombie, ZOMBIE_CODE)) {
		fail("the tree is wrong before the dump");
		gt_tree_abort(&tree);
		return 1;
	}
	test_daemon();
	return gt_tree_finish(&tree, zombie_still_there, &zombie);
}
