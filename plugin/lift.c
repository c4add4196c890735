// SPDX-License-Identifier: GPL-2.0
/*
 * The dump's lift policy.  MADV_GUARD_REMOVE leaves every page but guard
 * markers alone, and walking a few page table entries between two ranges
 * costs less than one more range in the kernel's loop: close ranges are
 * lifted as one.
 */
#include <unistd.h>

#include "guard_kernel.h"
#include "guard_lift.h"
#include "guard_log.h"

#define LIFT_JOIN_GAP_PAGES 64

int guard_lift(struct guard_remote_task *t, const struct guard_ranges *ranges)
{
	long page = sysconf(_SC_PAGESIZE);
	struct guard_ranges joined;
	size_t done;
	int ret;

	guard_ranges_init(&joined);
	ret = guard_ranges_join(ranges, LIFT_JOIN_GAP_PAGES * page, &joined);
	if (!ret && joined.n < ranges->n) {
		ret = guard_remote_task_apply(t, &joined, MADV_GUARD_REMOVE,
					      &done);
		if (!ret)
			goto out;
		/* A hole or a VMA refusing guard advice lies in between. */
		pr_info("lifting %zu joined ranges from %d failed; lifting the %zu ranges one by one\n",
			joined.n, (int)t->pid, ranges->n);
	}
	ret = guard_remote_task_apply(t, ranges, MADV_GUARD_REMOVE, &done);
	if (ret)
		pr_err("lifted %zu of %zu guard ranges from %d\n", done,
		       ranges->n, (int)t->pid);
out:
	guard_ranges_free(&joined);
	return ret;
}
