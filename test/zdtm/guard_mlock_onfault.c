// SPDX-License-Identifier: GPL-2.0
/*
 * Guards inside a VMA locked with mlock2(MLOCK_ONFAULT) (a full mlock()
 * would fault the guard pages in and fail).  The kernel lets guards be
 * removed from locked memory but not installed: the plugin must refuse to
 * lift them rather than leave the task unguarded (flows/failures.sh).
 */
#include <sys/mman.h>

#include "guardtst.h"
#include "zdtmtst.h"

const char *test_doc = "Guards inside a VMA locked with mlock2(MLOCK_ONFAULT)";
const char *test_author = "criu-guard";

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1
#endif

int main(int argc, char **argv)
{
	struct gt_region *r;

	test_init(argc, argv);
	r = gt_anon("locked-onfault", 8);
	if (!r || GT_GUARDS(r, { 2, 1 }))
		return 1;
	if (mlock2(r->addr, 8 * gt_page, MLOCK_ONFAULT)) {
		fail("mlock2(MLOCK_ONFAULT)");
		return 1;
	}
	return gt_run(&r, 1);
}
