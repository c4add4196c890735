// SPDX-License-Identifier: GPL-2.0
/*
 * One syscall at a time injected into a seized task with libcompel.
 * Inside criu the compel_* symbols resolve to criu's own copy, already set
 * up for logging.  Batching guard advice over many calls is remote.c's.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guard_compel.h"

#include "guard_inject.h"
#include "guard_kernel.h"
#include "guard_log.h"
#include "guard_proc.h"

/*
 * The injected instruction is written over a text page for the duration of
 * the call; a guard page there would fault, and kernel mappings ([vdso])
 * are checked by CRIU against the kernel's own, so use ordinary text.
 */
/* A guard page that is not in avoid, as pagemap bit 58 shows it now. */
static bool is_guard_now(int pagemap_fd, uint64_t addr, long page)
{
	uint64_t e;

	if (pagemap_fd < 0)
		return false;
	return pread(pagemap_fd, &e, sizeof(e), (off_t)(addr / page) * 8) ==
		       sizeof(e) &&
	       (e & (1ULL << PM_GUARD_REGION_BIT));
}

/*
 * check_fd >= 0: also skip pages pagemap shows as guards now, for callers
 * that can't name every guard the task has in avoid.
 */
int guard_inject_pick_ip(pid_t pid, const struct guard_vmas *vmas,
			 const struct guard_ranges *avoid, int check_fd,
			 unsigned long *ip)
{
	long page = sysconf(_SC_PAGESIZE);

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < vmas->n; i++) {
			const struct guard_vma *v = &vmas->v[i];

			if (!v->exec || v->special != (pass == 1))
				continue;
			for (uint64_t a = v->start; a < v->end; a += page) {
				if (guard_ranges_overlap(avoid, a, a + page) ||
				    is_guard_now(check_fd, a, page))
					continue;
				*ip = a;
				return 0;
			}
		}
	}
	pr_err("No executable page in %d to inject a syscall from\n", (int)pid);
	return -ENOENT;
}

int guard_remote_plan_pid(pid_t pid, enum guard_remote_batch batch,
			  const struct guard_ranges *avoid,
			  struct guard_remote_task *t)
{
	struct guard_vmas vmas = { 0 };
	struct guard_task_status st;
	int ret, fd;

	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->batch = batch;
	if (!guard_task_status_read(pid, &st)) {
		t->stop_pending = st.stop_pending;
		t->stop_only = st.stop_only;
		t->seccomp = st.seccomp;
	}
	ret = guard_read_vmas(pid, "maps", &vmas);
	if (ret)
		return ret;
	/* Without pagemap, avoid alone keeps the call off guards. */
	fd = guard_proc_open(pid, "pagemap");
	ret = guard_inject_pick_ip(pid, &vmas, avoid, fd, &t->syscall_ip);
	if (fd >= 0)
		close(fd);
	guard_vmas_free(&vmas);
	return ret;
}

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
static void take_stop(struct guard_remote *r)
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

int guard_inject_open(struct guard_remote_task *t, struct guard_remote **out)
{
	struct guard_remote *r = calloc(1, sizeof(*r));

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

int guard_remote_open(pid_t pid, const struct guard_ranges *avoid,
		      struct guard_remote **out)
{
	struct guard_remote_task *t = malloc(sizeof(*t));
	int ret;

	if (!t)
		return -ENOMEM;
	ret = guard_remote_plan_pid(pid, GUARD_BATCH_OFF, avoid, t);
	if (!ret)
		ret = guard_inject_open(t, out);
	if (ret)
		free(t);
	return ret;
}

/* Returns 0 with the syscall's result in *ret, or -EIO. */
int guard_inject_syscall(struct guard_remote *r, int nr, long *ret,
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

int guard_remote_madvise(struct guard_remote *r, uint64_t addr, uint64_t len,
			 int advice)
{
	long ret = 0;
	int err;

	err = guard_inject_syscall(r, __NR_madvise, &ret, addr, len, advice, 0,
				   0);
	return err ? err : (int)ret;
}

void guard_inject_close(struct guard_remote *r)
{
	pid_t pid = r->t->pid;

	if (compel_cure(r->ctl))
		pr_warn("compel_cure failed for %d\n", (int)pid);
	if (r->stop_consumed && kill(pid, SIGSTOP))
		pr_perror("Can't re-queue SIGSTOP for %d", (int)pid);
	free(r);
}

void guard_remote_close(struct guard_remote *r)
{
	struct guard_remote_task *t;

	if (!r)
		return;
	t = r->t;
	guard_inject_close(r);
	free(t);
}
