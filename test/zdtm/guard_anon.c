// SPDX-License-Identifier: GPL-2.0
/*
 * Private anonymous memory with guards at the start, in the middle and at
 * the end of a VMA, plus a second VMA with one guard.
 */
#include "guardtst.h"
#include "zdtmtst.h"

const char *test_doc =
	"Guards in private anonymous memory: at the start, middle and end of a VMA";
const char *test_author = "criu-guard";

int main(int argc, char **argv)
{
	struct gt_region *r[2];

	test_init(argc, argv);
	r[0] = gt_map_anon("anon", 32);
	r[1] = gt_map_anon("anon-small", 8);
	if (!r[0] || !r[1]) {
		fail("mmap");
		return 1;
	}
	gt_fill(r[0]);
	gt_fill(r[1]);
	if (gt_guard(r[0], 0, 1) || gt_guard(r[0], 10, 3) ||
	    gt_guard(r[0], 31, 1) || gt_guard(r[1], 4, 1)) {
		fail("MADV_GUARD_INSTALL");
		return 1;
	}
	return gt_run(r, 2);
}
