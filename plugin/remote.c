// SPDX-License-Identifier: GPL-2.0
/*
 * madvise() injected into a seized task with libcompel.  Inside criu the
 * compel_* symbols resolve to criu's own copy, already set up for logging.
 *
 * One injected syscall costs ~25 us, so where the kernel takes guard advice
 * in process_madvise() on the caller's own process, the ranges go into the
 * task's memory as an iovec array and one injected process_madvise()
 * applies IOV_MAX of them.  Per-range madvise() stays as the fallback.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guard_compel.h"

#include "guard_kernel.h"
#include "guard_log.h"
#include "guard_remote.h"
#include "guard_scan.h"

/* The kernel's UIO_MAXIOV: process_madvise() refuses longer vectors. */
#define BATCH_IOV 1024
/*
 * import_iovec() silently cuts a vector at MAX_RW_COUNT (~2 GiB) bytes in
 * all; keep each call well below, and larger ranges on the per-range path.
 */
#define BATCH_MAX_BYTES (1ULL << 30)
/* Below this, per-range madvise() injects fewer syscalls than a batch. */
#define BATCH_MIN_RANGES 4

enum batch_mode {
	BATCH_OFF,
	BATCH_PIDFD_OPEN, /* the task opens a pidfd for itself */
	BATCH_PIDFD_SELF, /* PIDFD_SELF names the task itself */
};

static enum batch_mode batch_mode;
static struct guard_remote_stats last_stats;

struct guard_remote {
	pid_t pid;
	struct parasite_ctl *ctl;
	bool stop_pending;  /* SIGSTOP queued for the task when we began */
	bool stop_only;	    /* ...and no other signal can be delivered */
	bool stop_consumed; /* ...and an injection swallowed it */
	bool seccomp;	    /* a filter may refuse or kill on new syscalls */
};

void guard_remote_setup(const struct guard_features *f)
{
	if (!f->madv_guard || !f->batch)
		batch_mode = BATCH_OFF;
	else
		batch_mode =
			f->pidfd_self ? BATCH_PIDFD_SELF : BATCH_PIDFD_OPEN;
}

void guard_remote_last_stats(struct guard_remote_stats *s)
{
	*s = last_stats;
}

static unsigned long long parse_sigmask(const char *line)
{
	return strtoull(line, NULL, 16);
}

/*
 * From /proc/PID/status: SIGSTOP pending for the task or its thread group,
 * and whether a seccomp filter is in force.
 */
static void read_status(struct guard_remote *r)
{
	unsigned long long mask = 0, blocked = 0;
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)r->pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "SigPnd:", 7))
			mask |= parse_sigmask(line + 7);
		else if (!strncmp(line, "ShdPnd:", 7))
			mask |= parse_sigmask(line + 7);
		else if (!strncmp(line, "SigBlk:", 7))
			blocked = parse_sigmask(line + 7);
		else if (!strncmp(line, "Seccomp:", 8))
			r->seccomp = strtol(line + 8, NULL, 10) != 0;
	}
	fclose(f);
	r->stop_pending = mask & (1ULL << (SIGSTOP - 1));
	r->stop_only = (mask & ~blocked) == 1ULL << (SIGSTOP - 1);
}

/*
 * A task restored as stopped has SIGSTOP queued.  compel would meet it on
 * the first injection and log an Error ("Unexpected ... task
 * interruption") for a restore that then succeeds.  Where SIGSTOP is the
 * only signal the task can take, let the task run to its
 * signal-delivery-stop, which comes before any instruction of its own,
 * and hold the signal there: compel resumes without it and close() queues
 * it again.  Otherwise (other signals too) the retry in remote_syscall()
 * handles it as before.
 */
static void take_stop(struct guard_remote *r)
{
	int status = 0;

	if (!r->stop_only)
		return;
	if (ptrace(PTRACE_CONT, r->pid, NULL, NULL)) {
		pr_perror("Can't resume %d to take its SIGSTOP", (int)r->pid);
		return;
	}
	if (waitpid(r->pid, &status, __WALL) != r->pid) {
		pr_perror("Can't wait for %d to take its SIGSTOP", (int)r->pid);
		return;
	}
	if (!WIFSTOPPED(status) || WSTOPSIG(status) != SIGSTOP) {
		pr_warn("task %d stopped with status %#x, not at its SIGSTOP\n",
			(int)r->pid, status);
		return;
	}
	r->stop_consumed = true;
	pr_debug("task %d: holding its SIGSTOP while injecting\n", (int)r->pid);
}

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

static int pick_syscall_ip(pid_t pid, const struct guard_ranges *avoid,
			   unsigned long *ip)
{
	struct guard_vmas vmas = { 0 };
	long page = sysconf(_SC_PAGESIZE);
	char path[64];
	int ret, pass, fd;

	ret = guard_read_vmas(pid, "maps", &vmas);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ret = -ENOENT;
	for (pass = 0; pass < 2 && ret; pass++) {
		for (size_t i = 0; i < vmas.n && ret; i++) {
			struct guard_vma *v = &vmas.v[i];

			if (!v->exec || v->special != (pass == 1))
				continue;
			for (uint64_t a = v->start; a < v->end; a += page) {
				if (guard_ranges_overlap(avoid, a, a + page) ||
				    is_guard_now(fd, a, page))
					continue;
				*ip = a;
				ret = 0;
				break;
			}
		}
	}
	if (fd >= 0)
		close(fd);
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
	unsigned long ip = 0;
	int ret;

	ret = pick_syscall_ip(pid, avoid, &ip);
	if (ret)
		return ret;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->pid = pid;
	read_status(r);
	take_stop(r);
	r->ctl = guard_compel_prepare_noctx(pid);
	if (!r->ctl) {
		pr_err("compel can't prepare task %d\n", (int)pid);
		if (r->stop_consumed && kill(pid, SIGSTOP))
			pr_perror("Can't re-queue SIGSTOP for %d", (int)pid);
		free(r);
		return -EIO;
	}
	compel_infect_ctx(r->ctl)->syscall_ip = ip;
	*out = r;
	return 0;
}

/* Returns 0 with the syscall's result in *ret, or -EIO. */
static int remote_syscall(struct guard_remote *r, int nr, long *ret,
			  unsigned long a1, unsigned long a2, unsigned long a3,
			  unsigned long a4, unsigned long a5)
{
	int err;

	last_stats.syscalls++;
	err = compel_syscall(r->ctl, nr, ret, a1, a2, a3, a4, a5, 0);
	/*
	 * A task restored as stopped has a SIGSTOP queued; the first injected
	 * syscall meets it and fails.  Retry once and queue the stop again at
	 * close, so the task still ends up stopped.
	 */
	if (err && r->stop_pending && !r->stop_consumed) {
		r->stop_consumed = true;
		pr_info("task %d had SIGSTOP pending; retrying injection\n",
			(int)r->pid);
		err = compel_syscall(r->ctl, nr, ret, a1, a2, a3, a4, a5, 0);
	}
	if (err) {
		pr_err("Can't inject syscall %d into %d\n", nr, (int)r->pid);
		return -EIO;
	}
	return 0;
}

int guard_remote_madvise(struct guard_remote *r, uint64_t addr, uint64_t len,
			 int advice)
{
	long ret = 0;
	int err;

	err = remote_syscall(r, __NR_madvise, &ret, addr, len, advice, 0, 0);
	return err ? err : (int)ret;
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

static int apply_one(struct guard_remote *r, const struct guard_range *g,
		     int advice)
{
	int ret = guard_remote_madvise(r, g->start, g->end - g->start, advice);

	if (ret)
		pr_err("madvise(%#llx, %llu, %d) in %d: %s\n",
		       (unsigned long long)g->start,
		       (unsigned long long)(g->end - g->start), advice,
		       (int)r->pid, strerror(-ret));
	return ret;
}

/* Ranges [from, to) that one process_madvise() call may take. */
static size_t batch_end(const struct guard_ranges *g, size_t from)
{
	uint64_t bytes = 0;
	size_t to;

	for (to = from; to < g->n && to - from < BATCH_IOV; to++) {
		bytes += g->v[to].end - g->v[to].start;
		if (bytes > BATCH_MAX_BYTES)
			break;
	}
	return to;
}

/* The task's scratch area: an iovec per range, from the caller's memory. */
struct scratch {
	uint64_t addr;
	size_t len;
	int pidfd; /* in the task; PIDFD_SELF needs no close */
};

static bool remote_failed(long ret)
{
	return ret < 0 && ret >= -4095;
}

static int scratch_write(pid_t pid, const struct guard_ranges *g, uint64_t addr)
{
	size_t bytes = g->n * sizeof(struct iovec), off = 0;
	struct iovec *v = malloc(bytes);
	int ret = 0;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < g->n; i++) {
		v[i].iov_base = (void *)(uintptr_t)g->v[i].start;
		v[i].iov_len = g->v[i].end - g->v[i].start;
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

static int scratch_open(struct guard_remote *r, const struct guard_ranges *g,
			struct scratch *s)
{
	long page = sysconf(_SC_PAGESIZE), ret;
	int err;

	s->len = (g->n * sizeof(struct iovec) + page - 1) / page * page;
	s->addr = 0;
	s->pidfd = PIDFD_SELF;
	/*
	 * Unmapped again before the hook returns, so CRIU's memory dump never
	 * sees it.
	 */
	err = remote_syscall(r, __NR_mmap, &ret, 0, s->len,
			     PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, (unsigned long)-1);
	if (err)
		return err;
	if (remote_failed(ret)) {
		pr_warn("mmap of %zu bytes in %d: %s\n", s->len, (int)r->pid,
			strerror(-ret));
		return (int)ret;
	}
	s->addr = ret;
	err = scratch_write(r->pid, g, s->addr);
	if (err || batch_mode == BATCH_PIDFD_SELF)
		return err;
	err = remote_syscall(r, __NR_getpid, &ret, 0, 0, 0, 0, 0);
	if (!err)
		err = remote_syscall(r, __NR_pidfd_open, &ret, ret, 0, 0, 0, 0);
	if (!err && remote_failed(ret)) {
		pr_warn("pidfd_open in %d: %s\n", (int)r->pid, strerror(-ret));
		err = (int)ret;
	}
	if (!err)
		s->pidfd = (int)ret;
	return err;
}

static int scratch_close(struct guard_remote *r, struct scratch *s)
{
	long ret;
	int err = 0;

	if (s->pidfd >= 0 &&
	    (remote_syscall(r, __NR_close, &ret, s->pidfd, 0, 0, 0, 0) || ret))
		err = -EIO;
	if (s->addr &&
	    (remote_syscall(r, __NR_munmap, &ret, s->addr, s->len, 0, 0, 0) ||
	     ret))
		err = -EIO;
	if (err)
		pr_err("Can't remove the scratch area at %#llx from %d\n",
		       (unsigned long long)s->addr, (int)r->pid);
	return err;
}

/*
 * Applies ranges in batches, counting them in *done.  process_madvise()
 * reports the bytes of the whole ranges done before a failing one, so the
 * per-range path can take over exactly there and name the error.  Returns
 * 0 to go on per range from *done, or an error that ends the apply.
 */
static int apply_batched(struct guard_remote *r, const struct guard_ranges *g,
			 int advice, size_t *done)
{
	struct scratch s;
	int ret, err;

	ret = scratch_open(r, g, &s);
	if (ret && ret != -EIO) {
		pr_info("no batched madvise in %d (%s); going on per range\n",
			(int)r->pid, strerror(-ret));
		ret = 0;
		goto close;
	}
	while (!ret && *done < g->n) {
		const struct guard_range *v = &g->v[*done];
		size_t to = batch_end(g, *done);
		long bytes;

		if (to == *done) { /* larger than one call may take */
			ret = apply_one(r, v, advice);
			*done += !ret;
			continue;
		}
		last_stats.batches++;
		ret = remote_syscall(r, __NR_process_madvise, &bytes, s.pidfd,
				     s.addr + *done * sizeof(struct iovec),
				     to - *done, advice, 0);
		if (ret)
			break;
		if (remote_failed(bytes)) {
			pr_info("process_madvise in %d: %s; per range from %zu\n",
				(int)r->pid, strerror(-bytes), *done);
			break;
		}
		for (; *done < to; (*done)++) {
			uint64_t len = g->v[*done].end - g->v[*done].start;

			if ((uint64_t)bytes < len)
				break;
			bytes -= len;
		}
		if (*done < to)
			break;
	}
close:
	err = scratch_close(r, &s);
	return ret ? ret : err;
}

int guard_remote_apply(pid_t pid, const struct guard_ranges *ranges, int advice,
		       size_t *done)
{
	struct guard_remote *r;
	int ret = 0;

	*done = 0;
	memset(&last_stats, 0, sizeof(last_stats));
	if (!ranges->n)
		return 0;
	ret = guard_remote_open(pid, ranges, &r);
	if (ret)
		return ret;
	/*
	 * A few ranges cost less than setting up the scratch area.  A seccomp
	 * filter that allows madvise() may still refuse mmap() or kill on
	 * process_madvise(): such a task keeps the per-range path.
	 */
	if (r->seccomp && batch_mode != BATCH_OFF)
		pr_info("task %d has a seccomp filter: one madvise per range\n",
			(int)pid);
	else if (batch_mode != BATCH_OFF && ranges->n >= BATCH_MIN_RANGES)
		ret = apply_batched(r, ranges, advice, done);
	while (!ret && *done < ranges->n) {
		ret = apply_one(r, &ranges->v[*done], advice);
		*done += !ret;
	}
	guard_remote_close(r);
	return ret;
}

/*
 * MADV_GUARD_REMOVE leaves every page but guard markers alone, and walking
 * a few page table entries between two ranges costs less than one more
 * range in the kernel's loop.
 */
#define LIFT_JOIN_GAP_PAGES 64

static int join_close(const struct guard_ranges *in, uint64_t gap,
		      struct guard_ranges *out)
{
	for (size_t i = 0; i < in->n; i++) {
		struct guard_range *last = out->n ? &out->v[out->n - 1] : NULL;

		if (last && in->v[i].start - last->end <= gap) {
			last->end = in->v[i].end;
			continue;
		}
		if (guard_ranges_add(out, in->v[i].start, in->v[i].end))
			return -ENOMEM;
	}
	return 0;
}

int guard_remote_lift(pid_t pid, const struct guard_ranges *ranges)
{
	long page = sysconf(_SC_PAGESIZE);
	struct guard_ranges joined;
	size_t done;
	int ret;

	guard_ranges_init(&joined);
	ret = join_close(ranges, LIFT_JOIN_GAP_PAGES * page, &joined);
	if (!ret && joined.n < ranges->n) {
		ret = guard_remote_apply(pid, &joined, MADV_GUARD_REMOVE,
					 &done);
		if (!ret)
			goto out;
		/* A hole or a VMA refusing guard advice lies in between. */
		pr_info("lifting %zu joined ranges from %d failed; lifting the %zu ranges one by one\n",
			joined.n, (int)pid, ranges->n);
	}
	ret = guard_remote_apply(pid, ranges, MADV_GUARD_REMOVE, &done);
	if (ret)
		pr_err("lifted %zu of %zu guard ranges from %d\n", done,
		       ranges->n, (int)pid);
out:
	guard_ranges_free(&joined);
	return ret;
}
