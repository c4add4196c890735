// SPDX-License-Identifier: GPL-2.0
/*
 * More guard ranges than one image may hold: every other page of a
 * 29 GiB reservation is a guard, 3.8 million ranges, whose image would be
 * about 68 MiB where a restore reads at most 64 MiB.  flow_dump_too_big
 * dumps it with -R: the dump must be refused before anything is lifted,
 * and this task then finds every guard still in place.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guard_kernel.h"
#include "guardtst.h"
#include "zdtmtst.h"

#define RANGES 3800000UL

static int count_ranges(const char *when)
{
	struct guard_ranges now;
	int bad = 0;

	guard_ranges_init(&now);
	if (gt_snapshot(&now) || now.n != RANGES) {
		fail("%zu guard ranges %s, expected %lu", now.n, when, RANGES);
		bad = 1;
	}
	guard_ranges_free(&now);
	return bad;
}

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p;

	test_init(argc, argv);
	p = mmap(NULL, (2 * RANGES + 1) * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		fail("mmap of %lu pages", 2 * RANGES + 1);
		return 1;
	}
	for (unsigned long i = 0; i < RANGES; i++) {
		if (madvise(p + (2 * i + 1) * page, page, MADV_GUARD_INSTALL)) {
			fail("MADV_GUARD_INSTALL at range %lu", i);
			return 1;
		}
	}
	if (count_ranges("before the dump"))
		return 1;
	test_daemon();
	test_waitsig();
	/* Spot checks that the guards fault; the count covers the rest. */
	for (unsigned long i = 0; i < RANGES; i += RANGES / 7) {
		if (!gt_faults(p + (2 * i + 1) * page, false) ||
		    gt_faults(p + 2 * i * page, false)) {
			fail("page pair %lu is not guard then plain", i);
			return 1;
		}
	}
	if (count_ranges("after the refused dump"))
		return 1;
	pass();
	return 0;
}
