// SPDX-License-Identifier: GPL-2.0
/*
 * guard-<pid>.img decoder: whatever the bytes, it either refuses them or
 * returns sorted, disjoint, page-aligned ranges below the task size.
 */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "guard_image.h"
#include "guard_log.h"

#define TASK_SIZE ((1ULL << 47) - 4096)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	struct guard_task_image img;

	guard_log_set_stderr_level(0);
	if (guard_task_image_decode(data, size, "fuzz", TASK_SIZE, &img))
		return 0;
	for (size_t i = 0; i < img.ranges.n; i++) {
		const struct guard_range *r = &img.ranges.v[i];

		if (r->start >= r->end || r->end > TASK_SIZE ||
		    r->start % page || r->end % page)
			abort();
		/* Touching ranges are merged, so a gap must separate them. */
		if (i && r->start <= img.ranges.v[i - 1].end)
			abort();
	}
	guard_ranges_free(&img.ranges);
	return 0;
}
