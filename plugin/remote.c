// SPDX-License-Identifier: GPL-2.0
/*
 * Guard advice applied in a seized task, over injected syscalls
 * (inject.c).  One injected syscall costs ~25 us, so where the kernel
 * takes guard advice in process_madvise() on the caller's own process, the
 * ranges go into the task's memory as an iovec array and one injected
 * process_madvise() applies IOV_MAX of them.  Per-range madvise() stays as
 * the fallback.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "guard_inject.h"
#include "guard_kernel.h"
#include "guard_log.h"
#include "guard_remote.h"

/* The kernel's UIO_MAXIOV: process_madvise() refuses longer vectors. */
#define BATCH_IOV 1024
/*
 * import_iovec() silently cuts a vector at MAX_RW_COUNT (~2 GiB) bytes in
 * all; keep each call well below, and larger ranges on the per-range path.
 */
#define BATCH_MAX_BYTES (1ULL << 30)

static enum guard_remote_batch batch_mode(const struct guard_features *f)
{
	if (!f->madv_guard || !f->batch)
		return GUARD_BATCH_OFF;
	return f->pidfd_self ? GUARD_BATCH_PIDFD_SELF : GUARD_BATCH_PIDFD_OPEN;
}

/*
 * The injected instruction is written over a text page for the duration
 * of the call: a guard page there would fault, and a page about to change
 * may become one.  Kernel mappings ([vdso]) are checked by CRIU against
 * the kernel's own, so ordinary text comes first.
 */
static int pick_ip(pid_t pid, const struct guard_vmas *vmas,
		   const struct guard_ranges *avoid, unsigned long *ip)
{
	long page = sysconf(_SC_PAGESIZE);

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < vmas->n; i++) {
			const struct guard_vma *v = &vmas->v[i];

			if (!v->exec || v->special != (pass == 1))
				continue;
			for (uint64_t a = v->start; a < v->end; a += page) {
				if (guard_ranges_overlap(avoid, a, a + page))
					continue;
				*ip = a;
				return 0;
			}
		}
	}
	pr_err("No executable page in %d to inject a syscall from\n", (int)pid);
	return -ENOENT;
}

/*
 * Pages about to become guards may carry the iovec array for the
 * process_madvise() that installs them: the kernel copies the array in
 * before it applies the advice, and installing a guard discards the page.
 * Only private writable memory qualifies: a write into a shared mapping
 * would reach the file or the other processes.  The largest such range
 * wins; apply() decides whether it is large enough.  Ranges and VMAs are
 * both sorted: one walk over each.
 */
static void pick_iov_area(const struct guard_vmas *vmas,
			  const struct guard_ranges *install,
			  struct guard_remote_task *t)
{
	size_t k = 0;

	t->iov_at = t->iov_len = 0;
	for (size_t i = 0; install && i < install->n; i++) {
		const struct guard_range *g = &install->v[i];
		const struct guard_vma *v;

		while (k < vmas->n && vmas->v[k].end <= g->start)
			k++;
		if (k == vmas->n)
			break;
		v = &vmas->v[k];
		if (g->start < v->start || g->end > v->end ||
		    v->perms[1] != 'w' || v->perms[3] != 'p' || v->locked)
			continue;
		if (g->end - g->start >= t->iov_len) { /* the last wins */
			t->iov_at = g->start;
			t->iov_len = g->end - g->start;
		}
	}
}

void guard_remote_plan_signals(struct guard_remote_task *t,
			       const struct guard_task_status *st)
{
	t->stop_pending = st->stop_pending;
	t->stop_only = st->stop_only;
}

int guard_remote_plan(pid_t pid, const struct guard_task_status *st,
		      const struct guard_features *f,
		      const struct guard_vmas *maps,
		      const struct guard_ranges *guards,
		      const struct guard_ranges *install,
		      struct guard_remote_task *t)
{
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->batch = batch_mode(f);
	guard_remote_plan_signals(t, st);
	t->seccomp = st->seccomp;
	pick_iov_area(maps, install, t);
	return pick_ip(pid, maps, guards, &t->syscall_ip);
}

/* madvise's result is 0 or -errno; -EIO if injection itself failed. */
static int apply_one(struct guard_inject *r, const struct guard_range *g,
		     int advice)
{
	long res = 0;
	int ret;

	ret = guard_inject_syscall(r, __NR_madvise, &res, g->start,
				   g->end - g->start, advice, 0, 0);
	if (!ret)
		ret = (int)res;
	if (ret)
		pr_err("madvise(%#llx, %llu, %d) in %d: %s\n",
		       (unsigned long long)g->start,
		       (unsigned long long)(g->end - g->start), advice,
		       (int)r->t->pid, strerror(-ret));
	return ret;
}

/* Ranges [from, to) that one process_madvise() call may take. */
static size_t batch_end(const struct guard_ranges *g, size_t from, size_t cap)
{
	uint64_t bytes = 0;
	size_t to;

	for (to = from; to < g->n && to - from < cap; to++) {
		bytes += g->v[to].end - g->v[to].start;
		if (bytes > BATCH_MAX_BYTES)
			break;
	}
	return to;
}

/* Where the task reads the iovec array from, and how it names itself. */
struct scratch {
	uint64_t addr;
	size_t len;    /* mapped for the call, 0 if in place */
	size_t cap;    /* iovecs per call */
	bool in_place; /* in pages that the last call makes guards */
	size_t area;   /* ...those of this range */
	int pidfd;     /* in the task; PIDFD_SELF needs no close */
};

static bool remote_failed(long ret)
{
	return ret < 0 && ret >= -4095;
}

static size_t div_up(size_t a, size_t b)
{
	return (a + b - 1) / b;
}

/*
 * The iovec array can sit in t's iov area when the ranges being installed
 * include it and the batch that installs it comes last: every earlier
 * batch's array is written there first, and the last one's array is read
 * by the kernel before the page becomes a guard.  Worth it when it takes
 * no more injected calls than mapping and unmapping a scratch area.
 */
static bool in_place_fits(const struct guard_remote_task *t,
			  const struct guard_ranges *g, int advice, size_t *cap,
			  size_t *area)
{
	size_t k, calls;

	if (advice != MADV_GUARD_INSTALL || !t->iov_len ||
	    guard_ranges_bytes(g) > BATCH_MAX_BYTES)
		return false;
	for (k = 0; k < g->n && g->v[k].start < t->iov_at; k++)
		;
	if (k == g->n || g->v[k].start != t->iov_at ||
	    g->v[k].end - g->v[k].start != t->iov_len)
		return false;
	*cap = t->iov_len / sizeof(struct iovec);
	if (*cap > BATCH_IOV)
		*cap = BATCH_IOV;
	calls = div_up(g->n, *cap);
	*area = k;
	return k >= (calls - 1) * *cap && calls <= div_up(g->n, BATCH_IOV) + 2;
}

/* Writes the iovecs of g's ranges [from, to) at addr in the task. */
static int scratch_write(pid_t pid, const struct guard_ranges *g, size_t from,
			 size_t to, uint64_t addr)
{
	size_t bytes = (to - from) * sizeof(struct iovec), off = 0;
	struct iovec *v = malloc(bytes);
	int ret = 0;

	if (!v)
		return -ENOMEM;
	for (size_t i = from; i < to; i++) {
		v[i - from].iov_base = (void *)(uintptr_t)g->v[i].start;
		v[i - from].iov_len = g->v[i].end - g->v[i].start;
	}
	while (off < bytes) {
		struct iovec local = { (char *)v + off, bytes - off };
		struct iovec remote = { (void *)(uintptr_t)(addr + off),
					bytes - off };
		ssize_t n = process_vm_writev(pid, &local, 1, &remote, 1, 0);

		if (n <= 0) {
			ret = n ? -errno : -EFAULT;
			pr_warn("Can't write %zu bytes into %d: %s\n", bytes,
				(int)pid, strerror(-ret));
			break;
		}
		off += n;
	}
	free(v);
	return ret;
}

/* A scratch mapping for the whole array, unmapped before the hook returns. */
static int scratch_map(struct guard_inject *r, const struct guard_ranges *g,
		       struct scratch *s)
{
	long page = sysconf(_SC_PAGESIZE), ret;
	int err;

	s->len = (g->n * sizeof(struct iovec) + page - 1) / page * page;
	s->cap = BATCH_IOV;
	err = guard_inject_syscall(
		r, __NR_mmap, &ret, 0, s->len, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, (unsigned long)-1);
	if (err)
		return err;
	if (remote_failed(ret)) {
		pr_warn("mmap of %zu bytes in %d: %s\n", s->len, (int)r->t->pid,
			strerror(-ret));
		return (int)ret;
	}
	s->addr = ret;
	return scratch_write(r->t->pid, g, 0, g->n, s->addr);
}

static int scratch_open(struct guard_inject *r, const struct guard_ranges *g,
			int advice, struct scratch *s)
{
	long ret;
	int err;

	memset(s, 0, sizeof(*s));
	s->pidfd = PIDFD_SELF;
	s->in_place = in_place_fits(r->t, g, advice, &s->cap, &s->area);
	if (s->in_place)
		s->addr = r->t->iov_at;
	else if ((err = scratch_map(r, g, s)))
		return err;
	if (r->t->batch == GUARD_BATCH_PIDFD_SELF)
		return 0;
	err = guard_inject_syscall(r, __NR_getpid, &ret, 0, 0, 0, 0, 0);
	if (!err)
		err = guard_inject_syscall(r, __NR_pidfd_open, &ret, ret, 0, 0,
					   0, 0);
	if (!err && remote_failed(ret)) {
		pr_warn("pidfd_open in %d: %s\n", (int)r->t->pid,
			strerror(-ret));
		err = (int)ret;
	}
	if (!err)
		s->pidfd = (int)ret;
	return err;
}

static int scratch_close(struct guard_inject *r, struct scratch *s)
{
	long ret;
	int err = 0;

	if (s->pidfd >= 0 &&
	    (guard_inject_syscall(r, __NR_close, &ret, s->pidfd, 0, 0, 0, 0) ||
	     ret))
		err = -EIO;
	if (s->len && (guard_inject_syscall(r, __NR_munmap, &ret, s->addr,
					    s->len, 0, 0, 0) ||
		       ret))
		err = -EIO;
	if (err)
		pr_err("Can't remove the scratch area at %#llx from %d\n",
		       (unsigned long long)s->addr, (int)r->t->pid);
	return err;
}

/*
 * One process_madvise() over g's ranges [*done, to): 0 with *done moved
 * past the ranges it did, or -EIO if injection failed.  process_madvise()
 * reports the bytes of the whole ranges done before a failing one, so the
 * per-range path can take over exactly there and name the error.
 */
static int batch_call(struct guard_inject *r, const struct scratch *s,
		      const struct guard_ranges *g, size_t to, int advice,
		      size_t *done)
{
	uint64_t iov = s->addr;
	long bytes;
	int ret;

	if (s->in_place) {
		ret = scratch_write(r->t->pid, g, *done, to, s->addr);
		if (ret)
			return 0; /* per range from here */
	} else {
		iov += *done * sizeof(struct iovec);
	}
	r->t->stats.batches++;
	ret = guard_inject_syscall(r, __NR_process_madvise, &bytes, s->pidfd,
				   iov, to - *done, advice, 0);
	if (ret)
		return ret;
	if (remote_failed(bytes)) {
		pr_info("process_madvise in %d: %s; per range from %zu\n",
			(int)r->t->pid, strerror(-bytes), *done);
		return 0;
	}
	for (; *done < to; (*done)++) {
		uint64_t len = g->v[*done].end - g->v[*done].start;

		if ((uint64_t)bytes < len)
			break;
		bytes -= len;
	}
	return 0;
}

/*
 * Applies ranges in batches, counting them in *done.  Returns 0 to go on
 * per range from *done, or an error that ends the apply.
 */
static int apply_batched(struct guard_inject *r, const struct guard_ranges *g,
			 int advice, size_t *done, size_t *junk_area)
{
	struct scratch s;
	int ret, err;

	ret = scratch_open(r, g, advice, &s);
	*junk_area = s.in_place ? s.area : SIZE_MAX;
	if (ret && ret != -EIO) {
		pr_info("no batched madvise in %d (%s); going on per range\n",
			(int)r->t->pid, strerror(-ret));
		ret = 0;
		goto close;
	}
	while (!ret && *done < g->n) {
		size_t to = batch_end(g, *done, s.cap), from = *done;

		if (to == from) { /* larger than one call may take */
			ret = apply_one(r, &g->v[from], advice);
			*done += !ret;
			continue;
		}
		ret = batch_call(r, &s, g, to, advice, done);
		if (*done < to)
			break;
	}
close:
	err = scratch_close(r, &s);
	return ret ? ret : err;
}

/*
 * Batching pays when it injects fewer syscalls than one madvise() per
 * range: the calls, plus mmap() and munmap() of a scratch area unless the
 * array fits in place, plus getpid(), pidfd_open() and close() without
 * PIDFD_SELF.
 */
static bool batch_pays(const struct guard_remote_task *t,
		       const struct guard_ranges *g, int advice)
{
	size_t cap, cost, area;

	if (t->batch == GUARD_BATCH_OFF)
		return false;
	if (in_place_fits(t, g, advice, &cap, &area))
		cost = div_up(g->n, cap);
	else
		cost = div_up(g->n, BATCH_IOV) + 2;
	if (t->batch != GUARD_BATCH_PIDFD_SELF)
		cost += 3;
	return cost < g->n;
}

/*
 * An install that failed before it reached the iov area leaves the array
 * there, in a page the task will see without its guard: zero it, as the
 * page was when the guard was lifted.
 */
static void clear_area(const struct guard_remote_task *t, size_t n)
{
	size_t len = n * sizeof(struct iovec);
	struct iovec local, remote;
	void *zero;

	if (len > t->iov_len)
		len = t->iov_len;
	zero = calloc(1, len);
	if (!zero)
		return;
	local = (struct iovec){ zero, len };
	remote = (struct iovec){ (void *)(uintptr_t)t->iov_at, len };
	if (process_vm_writev(t->pid, &local, 1, &remote, 1, 0) != (ssize_t)len)
		pr_warn("Can't clear %zu bytes at %#llx in %d\n", len,
			(unsigned long long)t->iov_at, (int)t->pid);
	free(zero);
}

int guard_remote_task_apply(struct guard_remote_task *t,
			    const struct guard_ranges *ranges, int advice,
			    size_t *done)
{
	size_t junk = SIZE_MAX;
	struct guard_inject *r;
	int ret = 0;

	*done = 0;
	if (!ranges->n)
		return 0;
	ret = guard_inject_open(t, &r);
	if (ret)
		return ret;
	/*
	 * A few ranges cost less than setting up the scratch area.  A seccomp
	 * filter that allows madvise() may still refuse mmap() or kill on
	 * process_madvise(): such a task keeps the per-range path.
	 */
	if (t->seccomp && t->batch != GUARD_BATCH_OFF)
		pr_info("task %d has a seccomp filter: one madvise per range\n",
			(int)t->pid);
	else if (batch_pays(t, ranges, advice))
		ret = apply_batched(r, ranges, advice, done, &junk);
	while (!ret && *done < ranges->n) {
		ret = apply_one(r, &ranges->v[*done], advice);
		*done += !ret;
	}
	if (junk != SIZE_MAX && *done <= junk)
		clear_area(t, ranges->n);
	guard_inject_close(r);
	return ret;
}
