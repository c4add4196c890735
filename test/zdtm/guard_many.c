// SPDX-License-Identifier: GPL-2.0
/*
 * Scale: 5,000 guard ranges in one task, 100 in each of 50 VMAs (every
 * other page a guard).  Run by flow_scale_guards, which logs dump and
 * restore times.
 */
#include <stdio.h>

#include "guardtst.h"
#include "zdtmtst.h"

const char *test_doc = "5,000 guard ranges in one task, in 50 VMAs";
const char *test_author = "criu-guard";

#define NREGIONS 50
#define PAGES 200
#define RANGES (NREGIONS * PAGES / 2)

static int all_ranges_there(void *arg, bool restored)
{
	struct guard_ranges now;
	int bad = 0;

	guard_ranges_init(&now);
	if (gt_snapshot(&now) || now.n != RANGES) {
		test_msg("%zu guard ranges %s, expected %d\n", now.n,
			 restored ? "after restore" : "before the dump",
			 RANGES);
		bad = 1;
	}
	guard_ranges_free(&now);
	return bad;
}

int main(int argc, char **argv)
{
	static char names[NREGIONS][16];
	struct gt_region *r[NREGIONS];

	test_init(argc, argv);
	for (int i = 0; i < NREGIONS; i++) {
		snprintf(names[i], sizeof(names[i]), "many-%d", i);
		r[i] = gt_map_anon(names[i], PAGES);
		if (!r[i]) {
			fail("mmap");
			return 1;
		}
		gt_fill(r[i]);
		for (size_t pg = 1; pg < PAGES; pg += 2) {
			if (gt_guard(r[i], pg, 1)) {
				fail("MADV_GUARD_INSTALL");
				return 1;
			}
		}
	}
	return gt_run_with(r, NREGIONS, all_ranges_there, NULL);
}
