// SPDX-License-Identifier: GPL-2.0
#include "gt_oracle.h"
#include "gt_run.h"
#include "gt_smaps.h"
#include "zdtmtst.h"

int gt_verify_all(struct gt_region **regions, size_t n)
{
	int bad = 0;

	for (size_t i = 0; i < n; i++) {
		bad += gt_check(regions[i]);
		bad += gt_check_gu(regions[i]);
	}
	return bad;
}

int gt_run_with(struct gt_region **regions, size_t n,
		int (*extra)(void *arg, bool restored), void *arg)
{
	struct guard_ranges before, after;
	int bad;

	guard_ranges_init(&before);
	guard_ranges_init(&after);
	bad = gt_verify_all(regions, n);
	if (extra)
		bad += extra(arg, false);
	if (bad) {
		fail("%d problems before the dump", bad);
		return 1;
	}
	if (gt_snapshot(&before)) {
		fail("can't scan own guard ranges");
		return 1;
	}
	test_msg("before: %zu guard ranges\n", before.n);
	test_daemon();
	test_waitsig();
	if (gt_snapshot(&after)) {
		fail("can't scan own guard ranges after restore");
		return 1;
	}
	test_msg("after: %zu guard ranges\n", after.n);
	bad = gt_verify_all(regions, n);
	if (extra)
		bad += extra(arg, true);
	if (!guard_ranges_equal(&before, &after)) {
		gt_print("before", &before);
		gt_print("after", &after);
		test_msg("guard ranges differ: %zu before, %zu after\n",
			 before.n, after.n);
		bad++;
	}
	guard_ranges_free(&before);
	guard_ranges_free(&after);
	if (bad) {
		fail("%d problems after restore", bad);
		return 1;
	}
	pass();
	return 0;
}

int gt_run(struct gt_region **regions, size_t n)
{
	return gt_run_with(regions, n, NULL, NULL);
}
