// SPDX-License-Identifier: GPL-2.0
/*
 * Shared anonymous memory (shmem) with guards.  CRIU dumps shmem contents
 * apart from the task's private pages; the guards must come back on the
 * restored shmem mapping.
 */
#include <sys/mman.h>

#include "guardtst.h"
#include "zdtmtst.h"

const char *test_doc = "Guards in shared anonymous memory (shmem)";
const char *test_author = "criu-guard";

int main(int argc, char **argv)
{
	struct gt_region *r;
	char *at, *p;

	test_init(argc, argv);
	at = gt_reserve(24);
	if (!at) {
		fail("mmap");
		return 1;
	}
	p = mmap(at, 24 * gt_page, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	r = p == MAP_FAILED ? NULL : gt_wrap("shmem", p, 24);
	if (!r) {
		fail("mmap shared anonymous");
		return 1;
	}
	gt_fill(r);
	if (GT_GUARDS(r, { 0, 1 }, { 7, 4 }, { 23, 1 }))
		return 1;
	return gt_run_with(&r, 1, NULL, NULL);
}
