// SPDX-License-Identifier: GPL-2.0
/*
 * A tree in a pid namespace of its own, with the test's root as the
 * namespace's init (pid 1): criu dumps the namespace with the tree and
 * restores it in a new one.  Images are named by pids in the namespace,
 * hooks get host pids.  Run by flow_pidns (restore needs --pidfile to find
 * the restored root).
 */
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include "guardtst.h"
#include "zdtmtst.h"

const char *test_doc =
	"Guards in a process tree inside a pid namespace of its own";
const char *test_author = "criu-guard";

static struct gt_tree tree;
static struct gt_region *inherited;

static int still_init(void *arg)
{
	if (getpid() == 1)
		return 0;
	test_msg("root is pid %d in its namespace after restore, not 1\n",
		 (int)getpid());
	return 1;
}

static int child(const char *name, int grandkids)
{
	struct gt_region *r[2] = { inherited, gt_tree_own(name, 8) };

	if (gt_guard(r[1], 1, 2) || gt_guard(r[0], 9 + grandkids, 1))
		exit(1);
	if (grandkids && gt_tree_fork(&tree, "grandchild") == 0)
		return child(tree.name, 0);
	return gt_tree_member(&tree, r, 2);
}

int main(int argc, char **argv)
{
	/* test_init() forks: its child, the test's root, is the ns init. */
	if (unshare(CLONE_NEWPID))
		return 1;
	test_init(argc, argv);
	gt_tree_init(&tree, "init");
	if (getpid() != 1) {
		fail("root is pid %d in its namespace, not 1", (int)getpid());
		return 1;
	}
	inherited = gt_anon("inherited", 16);
	if (!inherited || GT_GUARDS(inherited, { 2, 3 }, { 15, 1 }))
		return 1;
	if (gt_tree_fork(&tree, "child-a") == 0)
		return child(tree.name, 1);
	if (gt_tree_fork(&tree, "child-b") == 0)
		return child(tree.name, 0);
	return gt_tree_root(&tree, &inherited, 1, still_init, NULL);
}
