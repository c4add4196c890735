/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test support for test_remote and test_remote_batch: remote.c's and
 * lift.c's entry points by pid alone.  The plugin plans each task from
 * what its hook read anyway (guard_remote_plan()); a test has no such
 * snapshot, so these read status, maps and the task's guards here and
 * make the same plan from them.
 */
#ifndef CRIU_GUARD_UNIT_REMOTE_H
#define CRIU_GUARD_UNIT_REMOTE_H

#include <stdint.h>
#include <sys/types.h>

#include "guard_features.h"
#include "guard_inject.h"
#include "guard_range.h"
#include "guard_remote.h"

/* What the pid-based calls take (f: the batch mode) and give back. */
struct unit_remote_call {
	struct guard_features f;
	struct guard_remote_stats stats; /* of the last call, reset by it */
};

/*
 * Plans t by pid: the syscall page avoids the ranges in avoid and every
 * guard a scan finds now (a test's avoid needn't name them all); no iov
 * area.
 */
int unit_remote_plan(pid_t pid, const struct guard_features *f,
		     const struct guard_ranges *avoid,
		     struct guard_remote_task *t);

/* guard_remote_task_apply() by pid, planned as above with avoid = ranges. */
int unit_remote_apply(pid_t pid, struct unit_remote_call *c,
		      const struct guard_ranges *ranges, int advice,
		      size_t *done);

/* guard_lift() by pid, planned the same way. */
int unit_lift(pid_t pid, struct unit_remote_call *c,
	      const struct guard_ranges *ranges);

/* An injection session by pid, one madvise() per call, planned as above. */
struct unit_remote;
int unit_remote_open(pid_t pid, const struct guard_features *f,
		     const struct guard_ranges *avoid,
		     struct unit_remote **out);
/* madvise's result: 0 or -errno; -EIO if injection itself failed. */
int unit_remote_madvise(struct unit_remote *r, uint64_t addr, uint64_t len,
			int advice);
void unit_remote_close(struct unit_remote *r); /* NULL: nothing */

#endif
