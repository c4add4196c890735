// SPDX-License-Identifier: GPL-2.0
/*
 * A VMA with guards moved by mremap(): the guards move with it, and nothing
 * may be left or restored at the old address.
 */
#include <sys/mman.h>

#include "guardtst.h"
#include "zdtmtst.h"

const char *test_doc = "Guards in a VMA moved by mremap()";
const char *test_author = "criu-guard";

#define PAGES 16

static char *old_addr;

static int old_gone(void *arg, bool restored)
{
	return gt_expect_vmas(old_addr, PAGES * gt_page, 0,
			      "at the old address", restored);
}

int main(int argc, char **argv)
{
	struct gt_region *r;
	char *to, *p;

	test_init(argc, argv);
	r = gt_map_anon("mremap", PAGES);
	to = gt_reserve(PAGES);
	if (!r || !to) {
		fail("mmap");
		return 1;
	}
	gt_fill(r);
	if (GT_GUARDS(r, { 0, 1 }, { 5, 3 }, { 15, 1 }))
		return 1;
	/* The reservation's PROT_NONE page stays in front of the target. */
	old_addr = r->addr;
	p = mremap(r->addr, PAGES * gt_page, PAGES * gt_page,
		   MREMAP_MAYMOVE | MREMAP_FIXED, to);
	if (p != to) {
		fail("mremap");
		return 1;
	}
	r->addr = p;
	return gt_run_with(&r, 1, old_gone, NULL);
}
