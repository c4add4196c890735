// SPDX-License-Identifier: GPL-2.0
/*
 * A VMA that held guards which were all removed: smaps still says "gu"
 * (the flag is sticky), but there is nothing to restore, and no guard may
 * appear after restore.
 */
#include "guardtst.h"
#include "zdtmtst.h"

const char *test_doc =
	"A VMA whose guards were all removed (smaps still says gu)";
const char *test_author = "criu-guard";

int main(int argc, char **argv)
{
	struct gt_region *r;

	test_init(argc, argv);
	r = gt_anon("removed", 16);
	if (!r || GT_GUARDS(r, { 2, 4 }, { 15, 1 }))
		return 1;
	if (gt_unguard(r, 0, 16)) {
		fail("MADV_GUARD_REMOVE");
		return 1;
	}
	if (!gt_vma_has_at(r->addr, "gu"))
		test_msg(
			"kernel does not set 'gu' (older than VM_MAYBE_GUARD)\n");
	return gt_run(&r, 1);
}
