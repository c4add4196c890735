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
	r[0] = gt_anon("anon", 32);
	r[1] = r[0] ? gt_anon("anon-small", 8) : NULL;
	if (!r[1] || GT_GUARDS(r[0], { 0, 1 }, { 10, 3 }, { 31, 1 }) ||
	    GT_GUARDS(r[1], { 4, 1 }))
		return 1;
	return gt_run(r, 2);
}
