// SPDX-License-Identifier: GPL-2.0
/*
 * Shared anonymous memory (shmem) with guards.  CRIU dumps shmem contents
 * apart from the task's private pages; the guards must come back on the
 * restored shmem mapping.
 *
 * The layout and checks are the "shmem" entry of the backing table in
 * lib/guardtst.c (gt_backing_run); guard_backing --backing=shmem runs the same.
 */
#include "guardtst.h"
#include "zdtmtst.h"

const char *test_doc = "Guards in shared anonymous memory (shmem)";
const char *test_author = "criu-guard";

int main(int argc, char **argv)
{
	test_init(argc, argv);
	return gt_backing_run("shmem");
}
