/* SPDX-License-Identifier: GPL-2.0 */
/*
 * madvise() in another task.  The kernel refuses guard advice through
 * process_madvise() on another process, so the call is injected with
 * libcompel (guard_inject.h) into a task that the caller has already
 * ptrace-seized.  Planning (where to inject from, how to batch) is made
 * once from what the caller has read of the task; applying follows the
 * plan.  No state lives here between calls: the caller owns the plan
 * and reads its stats.
 */
#ifndef CRIU_GUARD_REMOTE_H
#define CRIU_GUARD_REMOTE_H

#include <stdint.h>
#include <sys/types.h>

#include "guard_features.h"
#include "guard_proc.h"
#include "guard_range.h"
#include "guard_smaps.h"

/* How injected guard advice reaches the kernel, from the probed features. */
enum guard_remote_batch {
	GUARD_BATCH_OFF,	/* one madvise() per range */
	GUARD_BATCH_PIDFD_OPEN, /* process_madvise(); the task opens a pidfd */
	GUARD_BATCH_PIDFD_SELF, /* process_madvise(PIDFD_SELF, ...) */
};

/* What injecting into a task took, for logs, benchmarks and tests. */
struct guard_remote_stats {
	size_t syscalls; /* injected syscalls, all kinds */
	size_t batches;	 /* process_madvise() calls among them */
};

/*
 * The plan: everything injection needs to know about one task, made once
 * per task and hook by guard_remote_plan() from what the caller reads
 * anyway (status, maps), so that no /proc file is read twice, and passed
 * down to every call that injects.  stats accumulates.
 */
struct guard_remote_task {
	pid_t pid;
	enum guard_remote_batch batch;
	bool stop_pending; /* SIGSTOP queued: an injection will swallow it */
	bool stop_only;	   /* ...and no other signal can be delivered */
	bool seccomp;	   /* keep to madvise(), which the filter allowed */
	unsigned long syscall_ip; /* text page, no guard, in no range changed */
	uint64_t iov_at;	  /* pages about to become guards that may */
	uint64_t iov_len;	  /* hold the iovec array; 0: none */
	struct guard_remote_stats stats;
};

/*
 * Makes t, the one plan for task pid, from its status st and its maps.
 * guards must hold every guard the task has now and every range about to
 * change (the syscall page avoids them); install, the ranges the next
 * install applies (NULL: none), which may carry the iovec array.  f
 * decides the batch mode.  On error t is still a valid plan with no
 * syscall page.
 */
int guard_remote_plan(pid_t pid, const struct guard_task_status *st,
		      const struct guard_features *f,
		      const struct guard_vmas *maps,
		      const struct guard_ranges *guards,
		      const struct guard_ranges *install,
		      struct guard_remote_task *t);

/*
 * Pending signals are the one part of a plan that a task changes while it
 * stays frozen (a signal sent during the dump): a plan kept from one hook
 * to the next takes them again from a new status read.
 */
void guard_remote_plan_signals(struct guard_remote_task *t,
			       const struct guard_task_status *st);

/*
 * Applies advice to every range with one compel preparation.  Stops at
 * the first failure and reports in *done how many ranges were applied, so
 * callers can undo exactly.
 */
int guard_remote_task_apply(struct guard_remote_task *t,
			    const struct guard_ranges *ranges, int advice,
			    size_t *done);

#endif
