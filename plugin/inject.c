// SPDX-License-Identifier: GPL-2.0
/*
 * One syscall at a time injected into a seized task with libcompel.
 * Inside criu the compel_* symbols resolve to criu's own copy, already set
 * up for logging.  Which task, from where and with which signals pending
 * is the plan's (remote.c); batching guard advice over many calls too.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guard_compel.h"

#include "guard_inject.h"
#include "guard_log.h"

/*
 * A task restored as stopped has SIGSTOP queued.  compel would meet it on
 * the first injection and log an Error ("Unexpected ... task
 * interruption") for a restore that then succeeds.  Where SIGSTOP is the
 * only signal the task can take, let the task run to its
 * signal-delivery-stop, which comes before any instruction of its own,
 * and hold the signal there: compel resumes without it and close() queues
 * it again.  Otherwise (other signals too) the retry in guard_inject_syscall()
 * handles it.
 */
static void take_stop(struct guard_inject *r)
{
	pid_t pid = r->t->pid;
	int status = 0;

	if (!r->t->stop_only)
		return;
	if (ptrace(PTRACE_CONT, pid, NULL, NULL)) {
		pr_perror("Can't resume %d to take its SIGSTOP", (int)pid);
		return;
	}
	if (waitpid(pid, &status, __WALL) != pid) {
		pr_perror("Can't wait for %d to take its SIGSTOP", (int)pid);
		return;
	}
	if (!WIFSTOPPED(status) || WSTOPSIG(status) != SIGSTOP) {
		pr_warn("task %d stopped with status %#x, not at its SIGSTOP\n",
			(int)pid, status);
		return;
	}
	r->stop_consumed = true;
	pr_debug("task %d: holding its SIGSTOP while injecting\n", (int)pid);
}

int guard_inject_open(struct guard_remote_task *t, struct guard_inject **out)
{
	struct guard_inject *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->t = t;
	take_stop(r);
	r->ctl = guard_compel_prepare_noctx(t->pid);
	if (!r->ctl) {
		pr_err("compel can't prepare task %d\n", (int)t->pid);
		if (r->stop_consumed && kill(t->pid, SIGSTOP))
			pr_perror("Can't re-queue SIGSTOP for %d", (int)t->pid);
		free(r);
		return -EIO;
	}
	compel_infect_ctx(r->ctl)->syscall_ip = t->syscall_ip;
	*out = r;
	return 0;
}

int guard_inject_syscall(struct guard_inject *r, int nr, long *ret,
			 unsigned long a1, unsigned long a2, unsigned long a3,
			 unsigned long a4, unsigned long a5)
{
	int err;

	r->t->stats.syscalls++;
	err = compel_syscall(r->ctl, nr, ret, a1, a2, a3, a4, a5, 0);
	/*
	 * A task restored as stopped has a SIGSTOP queued; the first injected
	 * syscall meets it and fails.  Retry once and queue the stop again at
	 * close, so the task still ends up stopped.
	 */
	if (err && r->t->stop_pending && !r->stop_consumed) {
		r->stop_consumed = true;
		pr_info("task %d had SIGSTOP pending; retrying injection\n",
			(int)r->t->pid);
		err = compel_syscall(r->ctl, nr, ret, a1, a2, a3, a4, a5, 0);
	}
	if (err) {
		pr_err("Can't inject syscall %d into %d\n", nr, (int)r->t->pid);
		return -EIO;
	}
	return 0;
}

void guard_inject_close(struct guard_inject *r)
{
	pid_t pid = r->t->pid;

	if (compel_cure(r->ctl))
		pr_warn("compel_cure failed for %d\n", (int)pid);
	if (r->stop_consumed && kill(pid, SIGSTOP))
		pr_perror("Can't re-queue SIGSTOP for %d", (int)pid);
	free(r);
}
