/* SPDX-License-Identifier: GPL-2.0 */
/*
 * madvise() in another task.  The kernel refuses guard advice through
 * process_madvise() on another process, so the call is injected with
 * libcompel into a task that the caller has already ptrace-seized.
 */
#ifndef CRIU_GUARD_REMOTE_H
#define CRIU_GUARD_REMOTE_H

#include <stdint.h>
#include <sys/types.h>

#include "guard_range.h"
#include "guard_scan.h"

struct guard_remote;

/*
 * Lets guard_remote_apply() batch ranges into one injected process_madvise()
 * per IOV_MAX (f->batch, f->pidfd_self).  Without it, or with the features
 * masked, every range costs one injected madvise().
 */
void guard_remote_setup(const struct guard_features *f);

/* How the last guard_remote_apply() went, for logs, benchmarks and tests. */
struct guard_remote_stats {
	size_t syscalls; /* injected syscalls, all kinds */
	size_t batches;	 /* process_madvise() calls among them */
};

void guard_remote_last_stats(struct guard_remote_stats *s);

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

/*
 * Applies advice to every range.  Stops at the first failure and reports
 * in *done how many ranges were applied, so callers can undo exactly.
 */
int guard_remote_apply(pid_t pid, const struct guard_ranges *ranges, int advice,
		       size_t *done);

/*
 * Removes every guard in ranges.  Ranges close together are joined into
 * one call (MADV_GUARD_REMOVE leaves the pages between alone); if that
 * fails, the ranges are lifted one by one.  On failure, which ranges are
 * lifted is not known exactly: reinstall them all.
 */
int guard_remote_lift(pid_t pid, const struct guard_ranges *ranges);

#endif
