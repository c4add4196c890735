// SPDX-License-Identifier: GPL-2.0
/*
 * Scale: a tree of 200 tasks (the root, 10 children, 189 grandchildren),
 * each with guards in memory it inherited and in memory of its own.  Run by
 * flow_scale_tree, which logs dump and restore times.
 */
#include <stdio.h>
#include <stdlib.h>

#include "guardtst.h"
#include "zdtmtst.h"

const char *test_doc = "Guards in a tree of 200 tasks";
const char *test_author = "criu-guard";

#define TASKS 200
#define KIDS 10

static struct gt_tree tree;
static struct gt_region *inherited;

/* A task of the tree below the root: guards of its own, then checks. */
static int member(const char *name, int idx, int grandkids)
{
	struct gt_region *r[2] = { inherited, gt_tree_own(name, 8) };

	if (gt_guard(r[1], idx % 4, 1) || gt_guard(r[1], 5, 2) ||
	    gt_guard(r[0], 2 + idx % 10, 1))
		exit(1);
	for (int i = 0; i < grandkids; i++) {
		char gname[48];

		snprintf(gname, sizeof(gname), "%s.%d", name, i);
		if (gt_tree_fork(&tree, gname) == 0)
			return member(tree.name, i, 0);
	}
	return gt_tree_member(&tree, r, 2);
}

int main(int argc, char **argv)
{
	int below = TASKS - 1 - KIDS;

	test_init(argc, argv);
	gt_tree_init(&tree, "root");
	inherited = gt_anon("inherited", 16);
	if (!inherited || GT_GUARDS(inherited, { 0, 1 }, { 15, 1 }))
		return 1;
	for (int i = 0; i < KIDS; i++) {
		char name[32];

		snprintf(name, sizeof(name), "kid%d", i);
		if (gt_tree_fork(&tree, name) == 0)
			return member(tree.name, i,
				      below / KIDS + (i < below % KIDS));
	}
	return gt_tree_root(&tree, &inherited, 1, NULL, NULL);
}
