/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One syscall at a time in a seized task (libcompel), for remote.c's
 * guard advice: prepare, inject, cure.  The preparation handles a task
 * that has SIGSTOP pending, so the injection neither fails on it nor
 * loses it.
 */
#ifndef CRIU_GUARD_INJECT_H
#define CRIU_GUARD_INJECT_H

#include <stdbool.h>
#include <sys/types.h>

#include "guard_range.h"
#include "guard_remote.h"
#include "guard_smaps.h"

struct parasite_ctl;

struct guard_remote {
	struct guard_remote_task *t; /* the plan; its stats count each call */
	struct parasite_ctl *ctl;
	bool stop_consumed; /* an injection swallowed a pending SIGSTOP */
};

/*
 * The first executable page in vmas (ordinary text before kernel
 * mappings) that overlaps no range in avoid and, with check_fd >= 0 (the
 * task's pagemap), is no guard now.
 */
int guard_inject_pick_ip(pid_t pid, const struct guard_vmas *vmas,
			 const struct guard_ranges *avoid, int check_fd,
			 unsigned long *ip);

/* Prepares injection into t->pid from t->syscall_ip. */
int guard_inject_open(struct guard_remote_task *t, struct guard_remote **out);

/* 0 with the syscall's result in *ret, or -EIO if injection failed. */
int guard_inject_syscall(struct guard_remote *r, int nr, long *ret,
			 unsigned long a1, unsigned long a2, unsigned long a3,
			 unsigned long a4, unsigned long a5);

/* Cures the task and re-queues a SIGSTOP the injection swallowed. */
void guard_inject_close(struct guard_remote *r);

#endif
