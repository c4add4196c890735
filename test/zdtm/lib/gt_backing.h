/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One guard layout test over a table of backings, as the kernel's
 * guard-regions selftest runs its variants: private anonymous memory
 * ("anon"), shmem ("shmem"), private and shared file mappings
 * ("file_private", "file_shared").  guard_backing --backing=NAME runs any
 * entry; guard_anon, guard_shmem, guard_file_private and guard_file_shared
 * are GT_BACKING_MAIN() entries under the names zdtm.py and the flows know.
 */
#ifndef GT_BACKING_H
#define GT_BACKING_H

#include "zdtmtst.h"

/*
 * Maps, fills and guards the backing's regions and runs them as gt_run()
 * does; returns the exit code.
 */
int gt_backing_run(const char *name);

/* A whole test program: the backing's entry of the table, and its doc. */
#define GT_BACKING_MAIN(backing, doc)                                          \
	const char *test_doc = doc;                                            \
	const char *test_author = "criu-guard";                                \
	int main(int argc, char **argv)                                        \
	{                                                                      \
		test_init(argc, argv);                                         \
		return gt_backing_run(backing);                                \
	}

#endif
