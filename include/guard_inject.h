/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One syscall at a time in a seized task (libcompel), for remote.c's
 * guard advice: prepare, inject, cure.  The preparation handles a task
 * that has SIGSTOP pending, so the injection neither fails on it nor
 * loses it.  Where to inject from is the plan's (guard_remote.h).
 */
#ifndef CRIU_GUARD_INJECT_H
#define CRIU_GUARD_INJECT_H

#include <stdbool.h>

#include "guard_remote.h"

struct parasite_ctl;

/* One injection session: from open to close, over one compel preparation. */
struct guard_inject {
	struct guard_remote_task *t; /* the plan; its stats count each call */
	struct parasite_ctl *ctl;
	bool stop_consumed; /* an injection swallowed a pending SIGSTOP */
};

/* Prepares injection into t->pid from t->syscall_ip. */
int guard_inject_open(struct guard_remote_task *t, struct guard_inject **out);

/* 0 with the syscall's result in *ret, or -EIO if injection failed. */
int guard_inject_syscall(struct guard_inject *r, int nr, long *ret,
			 unsigned long a1, unsigned long a2, unsigned long a3,
			 unsigned long a4, unsigned long a5);

/* Cures the task and re-queues a SIGSTOP the injection swallowed. */
void guard_inject_close(struct guard_inject *r);

#endif
