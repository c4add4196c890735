// SPDX-License-Identifier: GPL-2.0
/*
 * Batched guard advice: unit_remote_apply() on a stopped child with 1,
 * 1024 (one full IOV_MAX call), 1025 (a full call and a call of one) and
 * 5000 ranges, with PIDFD_SELF, with a pidfd opened in the task, and with
 * batching masked (one madvise per range).  A range that fails halfway
 * through a batch must stop the apply exactly there.  The child's mappings
 * and fds must be what they were: the scratch area must not outlive the
 * call, or CRIU would dump it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <compel/infect.h>
#include <compel/log.h>

#include "guard_kernel.h"
#include "guard_lift.h"
#include "guard_log.h"
#include "guard_proc.h"
#include "guard_scan.h"
#include "unit.h"
#include "unit_remote.h"

struct child {
	pid_t pid;
	long page;
	uint64_t base;
	size_t n;		 /* guard ranges: page 2i+1 for i < n */
	struct guard_ranges all; /* all n, whatever the child did after */
	int state;		 /* compel's, for resuming */
};

static struct child *live; /* killed at exit if a test bails out */
static struct guard_features feat;

static void kill_live(void)
{
	if (live && live->pid > 0) {
		kill(live->pid, SIGKILL);
		waitpid(live->pid, NULL, 0);
	}
}

static void compel_log(unsigned int lvl, const char *fmt, va_list ap)
{
	if (lvl <= COMPEL_LOG_ERROR)
		vfprintf(stderr, fmt, ap);
}

/*
 * Child: spacing*n+1 pages, page spacing*i+1 a guard, page spacing*i holds
 * a byte.  With hole >= 0 the page of range hole is unmapped after guards
 * are in place; with gap_hole >= 0, the data page before range gap_hole.
 */
/* Refuses process_madvise() with EPERM, allows everything else. */
static int deny_process_madvise(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_process_madvise, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = UNIT_ARRAY_SIZE(f), .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

static bool with_seccomp;
static size_t spacing = 2; /* a guard page every spacing pages */
static long gap_hole = -1; /* data page before range gap_hole unmapped */

static void child_main(int wfd, size_t n, long hole, long pg)
{
	char *p;
	uint64_t base = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (with_seccomp && deny_process_madvise())
		goto out;
	p = mmap(NULL, (spacing * n + 1) * pg, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		goto out;
	for (size_t i = 0; i <= spacing * n; i += spacing)
		p[i * pg] = 0x5a;
	for (size_t i = 0; i < n; i++)
		if (madvise(p + (spacing * i + 1) * pg, pg, MADV_GUARD_INSTALL))
			goto out;
	if (hole >= 0 && munmap(p + (spacing * hole + 1) * pg, pg))
		goto out;
	if (gap_hole >= 0 && munmap(p + spacing * gap_hole * pg, pg))
		goto out;
	base = (uintptr_t)p;
out:
	if (write(wfd, &base, sizeof(base)) != sizeof(base))
		_exit(2);
	for (;;)
		pause();
}

/* Starts the child and stops it under ptrace, as CRIU holds a dumpee. */
static void child_start(struct child *c, size_t n, long hole)
{
	int fds[2];

	memset(c, 0, sizeof(*c));
	c->page = sysconf(_SC_PAGESIZE);
	c->n = n;
	guard_ranges_init(&c->all);
	ASSERT(!pipe2(fds, O_CLOEXEC));
	fflush(NULL);
	c->pid = fork();
	ASSERT(c->pid >= 0);
	if (!c->pid)
		child_main(fds[1], n, hole, c->page);
	live = c;
	close(fds[1]);
	ASSERT(read(fds[0], &c->base, sizeof(c->base)) == sizeof(c->base));
	close(fds[0]);
	ASSERT(c->base);
	for (size_t i = 0; i < n; i++) {
		uint64_t a = c->base + (spacing * i + 1) * c->page;

		ASSERT(!guard_ranges_add(&c->all, a, a + c->page));
	}
	c->state = compel_stop_task(c->pid);
	ASSERT(c->state == COMPEL_TASK_ALIVE);
}

static void child_stop(struct child *c)
{
	kill(c->pid, SIGKILL);
	waitpid(c->pid, NULL, 0);
	live = NULL;
	guard_ranges_free(&c->all);
}

/* The first k ranges of all, for what a partial apply leaves behind. */
static void ranges_slice(const struct guard_ranges *all, size_t from, size_t to,
			 struct guard_ranges *out)
{
	guard_ranges_init(out);
	for (size_t i = from; i < to; i++)
		ASSERT(!guard_ranges_add(out, all->v[i].start, all->v[i].end));
}

static void expect_guards(const struct child *c,
			  const struct guard_ranges *want)
{
	struct guard_ranges now;

	guard_ranges_init(&now);
	EXPECT_EQ(guard_find(c->pid, &feat, GUARD_SCAN_FULL, &now), 0);
	EXPECT_RANGES(&now, want);
	guard_ranges_free(&now);
}

/* /proc/PID/maps and the fd list, to prove the scratch area is gone. */
static char *snapshot(pid_t pid)
{
	char cmd[64], *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	FILE *f;
	int c;

	ASSERT(out);
	snprintf(cmd, sizeof(cmd), "cat /proc/%d/maps; ls /proc/%d/fd",
		 (int)pid, (int)pid);
	f = popen(cmd, "re");
	ASSERT(f);
	while ((c = fgetc(f)) != EOF)
		fputc(c, out);
	ASSERT(pclose(f) == 0);
	fclose(out);
	return buf;
}

/* The child's maps and fds are what snapshot() saw before; frees before. */
static void expect_unchanged(pid_t pid, char *before)
{
	char *after = snapshot(pid);

	EXPECT_MSG(
		!strcmp(before, after),
		"the child's maps or fds changed:\n--- before\n%s--- after\n%s",
		before, after);
	free(before);
	free(after);
}

/* How apply batches, and what the last call took. */
static struct unit_remote_call call;

static void setup_features(const char *disable)
{
	setenv("CRIU_GUARD_DISABLE", disable, 1);
	ASSERT_EQ(guard_detect_features(&feat), 0);
	unsetenv("CRIU_GUARD_DISABLE");
	call.f = feat;
}

static size_t div_up(size_t a, size_t b)
{
	return (a + b - 1) / b;
}

/*
 * Lifts and reinstalls n ranges and checks the calls it took: per range,
 * one madvise each; batched, ceil(n / 1024) process_madvise calls and a
 * handful of set-up calls (mmap, munmap; getpid, pidfd_open, close).
 */
static void round_trip(size_t n, bool batched, size_t setup)
{
	struct guard_remote_stats st;
	struct guard_ranges none;
	struct child c;
	char *before;
	size_t done;

	child_start(&c, n, -1);
	guard_ranges_init(&none);
	expect_guards(&c, &c.all);
	before = snapshot(c.pid);

	EXPECT_EQ(unit_remote_apply(c.pid, &call, &c.all, MADV_GUARD_REMOVE,
				    &done),
		  0);
	EXPECT_EQ(done, n);
	st = call.stats;
	if (batched) {
		EXPECT_EQ(st.batches, div_up(n, 1024));
		EXPECT_EQ(st.syscalls, st.batches + setup);
	} else {
		EXPECT_EQ(st.batches, 0);
		EXPECT_EQ(st.syscalls, n);
	}
	expect_guards(&c, &none);

	EXPECT_EQ(unit_remote_apply(c.pid, &call, &c.all, MADV_GUARD_INSTALL,
				    &done),
		  0);
	EXPECT_EQ(done, n);
	st = call.stats;
	EXPECT_EQ(st.batches, batched ? div_up(n, 1024) : 0);
	expect_guards(&c, &c.all);

	expect_unchanged(c.pid, before);
	child_stop(&c);
}

/* Range k is unmapped: the apply must stop there and report k done. */
static void partial(size_t n, size_t k)
{
	struct guard_ranges want, tail;
	struct child c;
	size_t done;
	int ret;

	child_start(&c, n, (long)k);
	ret = unit_remote_apply(c.pid, &call, &c.all, MADV_GUARD_REMOVE, &done);
	EXPECT_EQ(ret, -ENOMEM);
	EXPECT_EQ(done, k);
	/* Ranges before k were lifted, the ones after k were not touched. */
	ranges_slice(&c.all, k + 1, n, &tail);
	expect_guards(&c, &tail);
	guard_ranges_free(&tail);

	/* Reinstalling the done part restores all but the unmapped one. */
	ranges_slice(&c.all, 0, done, &want);
	EXPECT_EQ(unit_remote_apply(c.pid, &call, &want, MADV_GUARD_INSTALL,
				    &done),
		  0);
	for (size_t i = k + 1; i < n; i++)
		ASSERT(!guard_ranges_add(&want, c.all.v[i].start,
					 c.all.v[i].end));
	expect_guards(&c, &want);
	guard_ranges_free(&want);
	child_stop(&c);
}

/* mmap and munmap; without PIDFD_SELF also getpid, pidfd_open, close. */
static size_t self_setup(void)
{
	return feat.pidfd_self ? 2 : 5;
}

static void test_self_1(void)
{
	setup_features("");
	/* Below the batching threshold: one madvise is cheapest. */
	round_trip(1, false, 0);
}

static void test_self_1024(void)
{
	setup_features("");
	round_trip(1024, true, self_setup());
}

static void test_self_1025(void)
{
	setup_features("");
	round_trip(1025, true, self_setup());
}

static void test_self_5000(void)
{
	setup_features("");
	round_trip(5000, true, self_setup());
}

static void test_pidfd_open_1025(void)
{
	setup_features("pidfd_self");
	EXPECT(feat.batch);
	EXPECT(!feat.pidfd_self);
	/* The task opens a pidfd for itself and closes it again. */
	round_trip(1025, true, 5);
}

static void test_fallback_1025(void)
{
	setup_features("batch");
	EXPECT(!feat.batch);
	round_trip(1025, false, 0);
}

static void test_fallback_5(void)
{
	setup_features("batch");
	round_trip(5, false, 0);
}

/* The page before each guard must still hold its byte. */
static void expect_data(const struct child *c)
{
	char path[64], b;
	size_t bad = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)c->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT(fd >= 0);
	for (size_t i = 0; i <= spacing * c->n; i += spacing) {
		off_t off = (off_t)(c->base + i * c->page);

		if (gap_hole >= 0 && i == spacing * (size_t)gap_hole)
			continue;
		if (pread(fd, &b, 1, off) != 1 || b != 0x5a)
			bad++;
	}
	close(fd);
	EXPECT_EQ(bad, 0);
}

/*
 * unit_lift() joins ranges less than 64 pages apart; the pages in
 * between keep their data.  far: 100 pages apart, nothing joins.
 */
static void lift(size_t n, bool far, long hole_in_gap)
{
	struct guard_remote_stats st;
	struct guard_ranges none;
	struct child c;

	spacing = far ? 100 : 2;
	gap_hole = hole_in_gap;
	child_start(&c, n, -1);
	guard_ranges_init(&none);
	EXPECT_EQ(unit_lift(c.pid, &call, &c.all), 0);
	st = call.stats;
	if (far || hole_in_gap >= 0) {
		/* One by one: batched as unit_remote_apply() does. */
		EXPECT_EQ(st.batches, div_up(n, 1024));
	} else {
		/* All in one range: one madvise. */
		EXPECT_EQ(st.syscalls, 1);
	}
	expect_guards(&c, &none);
	expect_data(&c);
	child_stop(&c);
	spacing = 2;
	gap_hole = -1;
}

static void test_lift_joined(void)
{
	setup_features("");
	lift(5000, false, -1);
}

static void test_lift_far(void)
{
	setup_features("");
	lift(1500, true, -1);
}

static void test_lift_hole_between(void)
{
	setup_features("");
	/* The joined call meets the hole (ENOMEM); one by one succeeds. */
	lift(3000, false, 2000);
}

/*
 * The plugin's path: plan from the child's maps, then install with the
 * iovec array written into the pages about to become guards.  One page
 * holds 256 iovecs: n = 200 takes one process_madvise() and nothing else,
 * n = 600 three, each array written before its call into the last range.
 */
static void in_place(size_t n)
{
	struct guard_remote_task t;
	struct guard_task_status st;
	struct guard_vmas vmas = { 0 };
	struct guard_ranges none;
	struct child c;
	char *before;
	size_t done;

	child_start(&c, n, -1);
	guard_ranges_init(&none);
	before = snapshot(c.pid);
	ASSERT_EQ(guard_task_status_read(c.pid, &st), 0);
	ASSERT_EQ(guard_read_vmas(c.pid, "maps", &vmas), 0);
	ASSERT_EQ(
		guard_remote_plan(c.pid, &st, &feat, &vmas, &c.all, &c.all, &t),
		0);
	guard_vmas_free(&vmas);
	EXPECT_EQ(t.iov_at, c.all.v[n - 1].start);
	EXPECT_EQ(t.iov_len, (uint64_t)c.page);

	EXPECT_EQ(guard_lift(&t, &c.all), 0);
	expect_guards(&c, &none);
	memset(&t.stats, 0, sizeof(t.stats));
	EXPECT_EQ(
		guard_remote_task_apply(&t, &c.all, MADV_GUARD_INSTALL, &done),
		0);
	EXPECT_EQ(done, n);
	EXPECT_EQ(t.stats.batches, div_up(n, 256));
	EXPECT_EQ(t.stats.syscalls,
		  t.stats.batches + (feat.pidfd_self ? 0 : 3));
	expect_guards(&c, &c.all);
	expect_data(&c);
	expect_unchanged(c.pid, before);
	child_stop(&c);
}

static void test_in_place_200(void)
{
	setup_features("");
	in_place(200);
}

static void test_in_place_600(void)
{
	setup_features("");
	in_place(600);
}

/*
 * In place, failing at range k (unmapped) before the last range that
 * holds the array: ranges before k are installed, the rest not, and the
 * array is cleared again, so that page reads as the zeros it held.
 */
static void test_in_place_failure(void)
{
	size_t n = 200, k = 100, done;
	struct guard_vmas vmas = { 0 };
	struct guard_ranges ok, want;
	struct guard_remote_task t;
	struct guard_task_status st;
	uint64_t buf[64];
	struct iovec l = { buf, sizeof(buf) }, rm;
	struct child c;
	bool zero = true;

	setup_features("");
	child_start(&c, n, (long)k);
	ASSERT_EQ(guard_task_status_read(c.pid, &st), 0);
	ASSERT_EQ(guard_read_vmas(c.pid, "maps", &vmas), 0);
	ASSERT_EQ(
		guard_remote_plan(c.pid, &st, &feat, &vmas, &c.all, &c.all, &t),
		0);
	guard_vmas_free(&vmas);
	EXPECT_EQ(t.iov_at, c.all.v[n - 1].start);
	ranges_slice(&c.all, 0, k, &ok);
	for (size_t i = k + 1; i < n; i++)
		ASSERT(!guard_ranges_add(&ok, c.all.v[i].start,
					 c.all.v[i].end));
	EXPECT_EQ(guard_lift(&t, &ok), 0);
	EXPECT_EQ(
		guard_remote_task_apply(&t, &c.all, MADV_GUARD_INSTALL, &done),
		-ENOMEM);
	EXPECT_EQ(done, k);
	ranges_slice(&c.all, 0, k, &want);
	expect_guards(&c, &want);
	rm = (struct iovec){ (void *)(uintptr_t)t.iov_at, sizeof(buf) };
	ASSERT_EQ(process_vm_readv(c.pid, &l, 1, &rm, 1, 0),
		  (ssize_t)sizeof(buf));
	for (size_t i = 0; i < UNIT_ARRAY_SIZE(buf); i++)
		zero = zero && !buf[i];
	EXPECT_MSG(zero, "the iovec array is left in %#llx",
		   (unsigned long long)t.iov_at);
	guard_ranges_free(&ok);
	guard_ranges_free(&want);
	child_stop(&c);
}

/* A task with a seccomp filter keeps one madvise per range. */
static void test_seccomp(void)
{
	setup_features("");
	with_seccomp = true;
	round_trip(1025, false, 0);
	with_seccomp = false;
}

static void test_partial_batched(void)
{
	setup_features("");
	/* Fails in the second call, 476 ranges into it. */
	partial(3000, 1500);
}

static void test_partial_first(void)
{
	setup_features("");
	partial(100, 0);
}

static void test_partial_fallback(void)
{
	setup_features("batch");
	partial(300, 150);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{ "batch: 1 range", test_self_1 },
		{ "batch: 1024 ranges", test_self_1024 },
		{ "batch: 1025 ranges", test_self_1025 },
		{ "batch: 5000 ranges", test_self_5000 },
		{ "batch: 1025 ranges, pidfd_open", test_pidfd_open_1025 },
		{ "fallback: 1025 ranges", test_fallback_1025 },
		{ "fallback: 5 ranges", test_fallback_5 },
		{ "fallback: task with a seccomp filter", test_seccomp },
		{ "lift: close ranges joined", test_lift_joined },
		{ "lift: distant ranges not joined", test_lift_far },
		{ "lift: hole between ranges", test_lift_hole_between },
		{ "partial: fails inside a batch", test_partial_batched },
		{ "partial: fails on the first range", test_partial_first },
		{ "partial: fails per range", test_partial_fallback },
		{ "in place: 200 ranges, one call", test_in_place_200 },
		{ "in place: 600 ranges, three calls", test_in_place_600 },
		{ "in place: failure before the array's range",
		  test_in_place_failure },
	};

	atexit(kill_live);
	compel_log_init(compel_log, COMPEL_LOG_ERROR);
	ASSERT_EQ(guard_detect_features(&feat), 0);
	if (!feat.madv_guard)
		unit_skip("kernel has no MADV_GUARD_INSTALL (Linux >= 6.13)");
	if (!feat.scan_guard && !feat.pagemap_bit)
		unit_skip("kernel reports no guard pages: results can't be "
			  "checked");
	if (!feat.batch)
		unit_skip("kernel refuses guard advice in process_madvise()");
	return unit_run("remote_batch", tests, UNIT_ARRAY_SIZE(tests));
}
