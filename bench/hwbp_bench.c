// SPDX-License-Identifier: GPL-2.0
/*
 * Cost of the hardware-breakpoint probe the plugin runs once per criu
 * dump, pre-dump and restore (criu < 4.2): min, median and max of N runs.
 *
 *   hwbp_bench [N]      (default 200)
 */
#include <stdio.h>
#include <stdlib.h>

#include "guard_hwbp.h"
#include "guard_log.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 200;
	enum guard_hwbp_state st = GUARD_HWBP_UNKNOWN;
	uint64_t *us;

	if (n < 1)
		return 2;
	us = calloc(n, sizeof(*us));
	if (!us)
		return 2;
	for (int i = 0; i < n; i++) {
		uint64_t t0 = guard_now_us();

		st = guard_hwbp_probe();
		us[i] = guard_now_us() - t0;
	}
	qsort(us, n, sizeof(*us), cmp_u64);
	printf("hwbp probe: %s; %d runs: min %llu us, median %llu us, max %llu us\n",
	       guard_hwbp_state_name(st), n, (unsigned long long)us[0],
	       (unsigned long long)us[n / 2], (unsigned long long)us[n - 1]);
	free(us);
	return 0;
}
