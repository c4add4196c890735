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

static struct gt_tree tree;
static struct gt_region *inherited, *file, *shmem;
static char path[64];

static int grandchild(void)
{
	struct gt_region *r[4] = { inherited, file, shmem,
				   gt_map_anon("grandchild", 8) };

	if (!r[3])
		exit(1);
	gt_fill(r[3]);
	/* Inherited guards removed and added, one in its own memory. */
	if (gt_unguard(r[0], 7, 1) || gt_guard(r[0], 4, 1) ||
	    gt_unguard(r[1], 0, 1) || gt_guard(r[2], 6, 1) ||
	    gt_guard(r[3], 3, 2))
		exit(1);
	gt_tree_ready(&tree, r, 4);
	return gt_tree_finish(&tree, NULL, NULL);
}

static int child_a(void)
{
	struct gt_region *r[4] = { inherited, file, shmem,
				   gt_map_anon("child-a", 8) };

	if (!r[3])
		exit(1);
	gt_fill(r[3]);
	if (gt_guard(r[0], 12, 1) || gt_guard(r[1], 5, 1) ||
	    gt_guard(r[2], 2, 1) || gt_guard(r[3], 0, 1) ||
	    gt_guard(r[3], 7, 1))
		exit(1);
	if (gt_tree_fork(&tree, "grandchild") == 0)
		return grandchild();
	gt_tree_ready(&tree, r, 4);
	return gt_tree_finish(&tree, NULL, NULL);
}

static int child_b(void)
{
	struct gt_region *r[3] = { inherited, file, shmem };

	/* Keeps exactly what it inherited. */
	gt_tree_ready(&tree, r, 3);
	return gt_tree_finish(&tree, NULL, NULL);
}

static int zombie_still_there(void *arg)
{
	return gt_zombie_check(*(pid_t *)arg, ZOMBIE_CODE);
}

int main(int argc, char **argv)
{
	struct gt_region *r[3];
	pid_t zombie;
	char *p;
	int ret;

	test_init(argc, argv);
	gt_tree_init(&tree, "root");
	snprintf(path, sizeof(path), "/tmp/zdtm-tree.%d", getpid());
	inherited = gt_map_anon("inherited", 16);
	file = gt_map_file("inherited-file", path, 8, MAP_PRIVATE);
	p = gt_reserve(8);
	if (p)
		p = mmap(p, 8 * gt_page, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	shmem = p && p != MAP_FAILED ? gt_wrap("inherited-shmem", p, 8) : NULL;
	if (!inherited || !file || !shmem) {
		fail("mmap");
		return 1;
	}
	gt_fill(inherited);
	gt_fill(shmem);
	if (gt_guard(inherited, 1, 1) || gt_guard(inherited, 7, 2) ||
	    gt_guard(file, 0, 1) || gt_guard(file, 3, 1) ||
	    gt_guard(shmem, 4, 1)) {
		fail("MADV_GUARD_INSTALL");
		return 1;
	}
	r[0] = inherited;
	r[1] = file;
	r[2] = shmem;
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
	if (gt_tree_ready(&tree, r, 3) ||
	    gt_zombie_check(zombie, ZOMBIE_CODE)) {
		fail("the tree is wrong before the dump");
		gt_tree_abort(&tree);
		return 1;
	}
	test_daemon();
	ret = gt_tree_finish(&tree, zombie_still_there, &zombie);
	unlink(path);
	return ret;
}
