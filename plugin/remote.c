// SPDX-License-Identifier: GPL-2.0
/*
 * madvise() injected into a seized task with libcompel.  Inside criu the
 * compel_* symbols resolve to criu's own copy, already set up for logging.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guard_compel.h"

#include "guard_log.h"
#include "guard_remote.h"
#include "guard_scan.h"

struct guard_remote {
	pid_t pid;
	struct parasite_ctl *ctl;
	bool stop_pending;  /* SIGSTOP queued for the task when we began */
	bool stop_consumed; /* ...and an injection swallowed it */
};

static unsigned long long parse_sigmask(const char *line)
{
	return strtoull(line, NULL, 16);
}

/* SIGSTOP pending for the task or its thread group (/proc/PID/status). */
static bool sigstop_pending(pid_t pid)
{
	unsigned long long mask = 0;
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "SigPnd:", 7))
			mask |= parse_sigmask(line + 7);
		else if (!strncmp(line, "ShdPnd:", 7))
			mask |= parse_sigmask(line + 7);
	}
	fclose(f);
	return mask & (1ULL << (SIGSTOP - 1));
}

/*
 * The injected instruction is written over a text page for the duration of
 * the call; a guard page there would fault, and kernel mappings ([vdso])
 * are checked by CRIU against the kernel's own, so use ordinary text.
 */
static int pick_syscall_ip(pid_t pid, const struct guard_ranges *avoid,
			   unsigned long *ip)
{
	struct guard_vmas vmas = { 0 };
	long page = sysconf(_SC_PAGESIZE);
	int ret, pass;

	ret = guard_read_vmas(pid, "maps", &vmas);
	if (ret)
		return ret;
	ret = -ENOENT;
	for (pass = 0; pass < 2 && ret; pass++) {
		for (size_t i = 0; i < vmas.n && ret; i++) {
			struct guard_vma *v = &vmas.v[i];

			if (!v->exec || v->special != (pass == 1))
				continue;
			for (uint64_t a = v->start; a < v->end; a += page) {
				if (!guard_ranges_overlap(avoid, a, a + page)) {
					*ip = a;
					ret = 0;
					break;
				}
			}
		}
	}
	guard_vmas_free(&vmas);
	if (ret)
		pr_err("No executable page in %d to inject a syscall from\n",
		       (int)pid);
	return ret;
}

int guard_remote_open(pid_t pid, const struct guard_ranges *avoid,
		      struct guard_remote **out)
{
	struct guard_remote *r;
	unsigned long ip;
	int ret;

	ret = pick_syscall_ip(pid, avoid, &ip);
	if (ret)
		return ret;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->pid = pid;
	r->ctl = guard_compel_prepare_noctx(pid);
	if (!r->ctl) {
		pr_err("compel can't prepare task %d\n", (int)pid);
		free(r);
		return -EIO;
	}
	compel_infect_ctx(r->ctl)->syscall_ip = ip;
	r->stop_pending = sigstop_pending(pid);
	*out = r;
	return 0;
}

int guard_remote_madvise(struct guard_remote *r, uint64_t addr, uint64_t len,
			 int advice)
{
	long ret = 0;
	int err;

	err = compel_syscall(r->ctl, __NR_madvise, &ret, addr, len, advice, 0,
			     0, 0);
	/*
	 * A task restored as stopped has a SIGSTOP queued; the first injected
	 * syscall meets it and fails.  Retry once and queue the stop again at
	 * close, so the task still ends up stopped.
	 */
	if (err && r->stop_pending && !r->stop_consumed) {
		r->stop_consumed = true;
		pr_info("task %d had SIGSTOP pending; retrying injection\n",
			(int)r->pid);
		err = compel_syscall(r->ctl, __NR_madvise, &ret, addr, len,
				     advice, 0, 0, 0);
	}
	if (err) {
		pr_err("Can't inject madvise into %d\n", (int)r->pid);
		return -EIO;
	}
	return (int)ret;
}

void guard_remote_close(struct guard_remote *r)
{
	if (!r)
		return;
	if (compel_cure(r->ctl))
		pr_warn("compel_cure failed for %d\n", (int)r->pid);
	if (r->stop_consumed && kill(r->pid, SIGSTOP))
		pr_perror("Can't re-queue SIGSTOP for %d", (int)r->pid);
	free(r);
}

int guard_remote_apply(pid_t pid, const struct guard_ranges *ranges,
		       int advice, size_t *done)
{
	struct guard_remote *r;
	int ret;

	*done = 0;
	if (!ranges->n)
		return 0;
	ret = guard_remote_open(pid, ranges, &r);
	if (ret)
		return ret;
	for (size_t i = 0; i < ranges->n; i++) {
		const struct guard_range *g = &ranges->v[i];

		ret = guard_remote_madvise(r, g->start, g->end - g->start,
					   advice);
		if (ret) {
			pr_err("madvise(%#llx, %llu, %d) in %d: %s\n",
			       (unsigned long long)g->start,
			       (unsigned long long)(g->end - g->start), advice,
			       (int)pid, strerror(-ret));
			break;
		}
		(*done)++;
	}
	guard_remote_close(r);
	return ret;
}
