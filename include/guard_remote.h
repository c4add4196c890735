/* SPDX-License-Identifier: GPL-2.0 */
/*
 * madvise() in another task.  The kernel refuses guard advice through
 * process_madvise() on another process, so the call is injected with
 * libcompel (guard_inject.h) into a task that the caller has already
 * ptrace-seized.  No state lives here between calls: the caller owns the
 * plan (struct guard_remote_task) and reads its stats.
 */
#ifndef CRIU_GUARD_REMOTE_H
#define CRIU_GUARD_REMOTE_H

#include <stdint.h>
#include <sys/types.h>

#include "guard_range.h"
#include "guard_features.h"
#include "guard_smaps.h"

struct guard_remote;

/* How injected guard advice reaches the kernel, from the probed features. */
enum guard_remote_batch {
	GUARD_BATCH_OFF,	/* one madvise() per range */
	GUARD_BATCH_PIDFD_OPEN, /* process_madvise(); the task opens a pidfd */
	GUARD_BATCH_PIDFD_SELF, /* process_madvise(PIDFD_SELF, ...) */
};

enum guard_remote_batch guard_remote_batch_mode(const struct guard_features *f);

/* What injecting into a task took, for logs, benchmarks and tests. */
struct guard_remote_stats {
	size_t syscalls; /* injected syscalls, all kinds */
	size_t batches;	 /* process_madvise() calls among them */
};

/*
 * Everything injection needs to know about one task, gathered once per
 * task and hook by the caller from what it reads anyway (status, maps),
 * so that no /proc file is read twice.  stats accumulates.
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
 * Picks t's syscall page and iov area from the task's maps.  guards must
 * hold every guard the task has now and every range about to change;
 * install, the ranges the next install applies (NULL: none).  Leaves
 * batch, stop_pending and seccomp to the caller.
 */
int guard_remote_plan(pid_t pid, const struct guard_vmas *maps,
		      const struct guard_ranges *guards,
		      const struct guard_ranges *install,
		      struct guard_remote_task *t);

/*
 * Applies advice to every range with one compel preparation.  Stops at
 * the first failure and reports in *done how many ranges were applied, so
 * callers can undo exactly.
 */
int guard_remote_task_apply(struct guard_remote_task *t,
			    const struct guard_ranges *ranges, int advice,
			    size_t *done);

/*
 * Plans t by pid alone, for tests and tools that have no snapshot of the
 * task: status, maps and pagemap (to keep the call off guards outside
 * avoid) are read here.
 */
int guard_remote_plan_pid(pid_t pid, enum guard_remote_batch batch,
			  const struct guard_ranges *avoid,
			  struct guard_remote_task *t);

/* What the pid-based entry points take (batch) and give back (stats). */
struct guard_remote_call {
	enum guard_remote_batch batch;
	struct guard_remote_stats stats; /* of the last call, reset by it */
};

/* guard_remote_task_apply() by pid, planned as above. */
int guard_remote_apply(pid_t pid, struct guard_remote_call *c,
		       const struct guard_ranges *ranges, int advice,
		       size_t *done);

/*
 * Prepares injection into the seized, stopped task pid.  The syscall
 * instruction is planted in an executable page that overlaps no range in
 * avoid (the ranges about to change) and is not a guard now (pagemap bit
 * 58), so the injection never lands on a guard.
 */
int guard_remote_open(pid_t pid, const struct guard_ranges *avoid,
		      struct guard_remote **out);

/* Returns madvise's result: 0 or -errno; -EIO if injection itself failed. */
int guard_remote_madvise(struct guard_remote *r, uint64_t addr, uint64_t len,
			 int advice);

void guard_remote_close(struct guard_remote *r);

#endif
