// SPDX-License-Identifier: GPL-2.0
/*
 * One VMA split in three by mprotect(), with guards in each part and guard
 * ranges across both splits: each part must keep its guards and its "gu".
 */
#include <sys/mman.h>

#include "guardtst.h"
#include "zdtmtst.h"

const char *test_doc = "Guards in one VMA split in three by mprotect()";
const char *test_author = "criu-guard";

#define PAGES 32

static int three_vmas(void *arg, bool restored)
{
	struct gt_region *r = arg;

	return gt_expect_vmas(r->addr, PAGES * gt_page, 3, "over the region",
			      restored);
}

int main(int argc, char **argv)
{
	struct gt_region *r;

	test_init(argc, argv);
	r = gt_anon("split", PAGES);
	/* 7-8 and 23-24 straddle the splits at pages 8 and 24. */
	if (!r ||
	    GT_GUARDS(r, { 3, 1 }, { 7, 2 }, { 15, 1 }, { 23, 2 }, { 30, 1 }))
		return 1;
	if (mprotect(r->addr + 8 * gt_page, 16 * gt_page, PROT_READ)) {
		fail("mprotect");
		return 1;
	}
	return gt_run_with(&r, 1, three_vmas, r);
}
