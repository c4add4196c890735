// SPDX-License-Identifier: GPL-2.0
/*
 * Two adjacent VMAs, one holding a guard, merged into one by mprotect():
 * the "gu" flag is sticky across the merge, and the merged VMA comes back
 * as one VMA with its guards at both ends of the old boundary.
 */
#include <sys/mman.h>

#include "guardtst.h"
#include "zdtmtst.h"

const char *test_doc = "Guards in two VMAs merged into one by mprotect()";
const char *test_author = "criu-guard";

#define HALF 8

static int one_vma(void *arg, bool restored)
{
	struct gt_region *r = arg;

	return gt_expect_vmas(r->addr, 2 * HALF * gt_page, 1,
			      "over the merged region", restored);
}

int main(int argc, char **argv)
{
	struct gt_region *r;
	char *at, *lo, *hi;

	test_init(argc, argv);
	at = gt_reserve(2 * HALF);
	if (!at) {
		fail("mmap");
		return 1;
	}
	lo = mmap(at, HALF * gt_page, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	hi = mmap(at + HALF * gt_page, HALF * gt_page, PROT_READ,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	r = gt_wrap("merge", at, 2 * HALF);
	if (lo == MAP_FAILED || hi == MAP_FAILED || !r) {
		fail("mmap");
		return 1;
	}
	for (size_t pg = 0; pg < HALF; pg++)
		r->addr[pg * gt_page] = 1;
	if (GT_GUARDS(r, { 2, 1 }, { HALF - 1, 1 }))
		return 1;
	if (gt_count_vmas(at, 2 * HALF * gt_page) != 2) {
		fail("the two halves are not two VMAs before the merge");
		return 1;
	}
	if (mprotect(hi, HALF * gt_page, PROT_READ | PROT_WRITE)) {
		fail("mprotect");
		return 1;
	}
	gt_fill(r);
	if (GT_GUARDS(r, { HALF, 1 }, { 2 * HALF - 3, 2 }))
		return 1;
	return gt_run_with(&r, 1, one_vma, r);
}
