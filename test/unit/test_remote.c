// SPDX-License-Identifier: GPL-2.0
/*
 * remote.c and inject.c: madvise injected with libcompel into a seized,
 * stopped child holding guards (unit_child.h).  The tests run in order on
 * one child: lift, reinstall, failures, syscall_ip choice, the pending-SIGSTOP
 * case, and finally detach and reap.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <compel/infect.h>
#include <compel/log.h>

#include "guard_kernel.h"
#include "guard_log.h"
#include "guard_proc.h"
#include "guard_scan.h"
#include "unit.h"
#include "unit_child.h"
#include "unit_remote.h"

static struct unit_child child;
static struct guard_features feat;
static struct unit_remote_call call; /* batch in, stats out */
static bool batched;		     /* call.f lets apply batch */

static void stop_child(void)
{
	/* SIGKILL ends a traced task too; we are its parent and reap it. */
	unit_child_stop(&child);
}

/* compel's error lines: a successful restore must not print any. */
static unsigned int compel_errors;

static void compel_log(unsigned int lvl, const char *fmt, va_list ap)
{
	if (lvl == COMPEL_LOG_ERROR)
		compel_errors++;
	fprintf(stderr, "compel[%u]: ", lvl);
	vfprintf(stderr, fmt, ap);
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n - 1; /* the DIR's own */
}

/* The child's guards are exactly want (NULL: none). */
static void expect_guards(const struct guard_ranges *want, const char *when)
{
	struct guard_ranges got, none;

	guard_ranges_init(&got);
	guard_ranges_init(&none);
	EXPECT_EQ(guard_find(child.pid, &feat, GUARD_SCAN_FULL, &got), 0);
	EXPECT_RANGES(&got, want ? want : &none);
	if (!guard_ranges_equal(&got, want ? want : &none))
		fprintf(stderr, "     (%s)\n", when);
	guard_ranges_free(&got);
}

static void test_seized(void)
{
	EXPECT_EQ(unit_task_state(child.pid), 't');
	expect_guards(&child.expect, "before any injection");
	EXPECT_EQ(unit_child_check_memory(&child, true), 0);
}

/* Per range: one madvise each.  Batched: a few process_madvise calls. */
static void check_stats(size_t ranges)
{
	struct guard_remote_stats st;

	st = call.stats;
	if (batched) {
		EXPECT(st.batches >= 1);
		EXPECT_MSG(st.syscalls < 16, "%zu syscalls for %zu ranges",
			   st.syscalls, ranges);
	} else {
		EXPECT_EQ(st.batches, 0);
		EXPECT_EQ(st.syscalls, ranges);
	}
}

/*
 * Every guard of the child removed or installed in one apply: all ranges
 * done, the calls as check_stats() expects, the guards and the data as
 * the advice leaves them (lifted guards read as fresh pages).
 */
static void apply_all(int advice, const char *what)
{
	bool install = advice == MADV_GUARD_INSTALL;
	size_t done = 12345;
	double t0, t1;

	t0 = now_us();
	EXPECT_EQ(unit_remote_apply(child.pid, &call, &child.expect, advice,
				    &done),
		  0);
	t1 = now_us();
	EXPECT_EQ(done, child.expect.n);
	check_stats(done);
	printf("# %s: %s %zu ranges in %.0f us (%.1f us/range)\n",
	       batched ? "batched" : "per range", what, done, t1 - t0,
	       (t1 - t0) / (done ? done : 1));
	expect_guards(install ? &child.expect : NULL,
		      install ? "after MADV_GUARD_INSTALL" :
				"after MADV_GUARD_REMOVE");
	EXPECT_EQ(unit_child_check_memory(&child, install), 0);
}

static void test_remove_all(void)
{
	apply_all(MADV_GUARD_REMOVE, "removed");
}

static void test_install_all(void)
{
	apply_all(MADV_GUARD_INSTALL, "installed");
}

static void test_apply_empty(void)
{
	struct guard_ranges none;
	size_t done = 7;

	guard_ranges_init(&none);
	EXPECT_EQ(unit_remote_apply(child.pid, &call, &none, MADV_GUARD_REMOVE,
				    &done),
		  0);
	EXPECT_EQ(done, 0);
	expect_guards(&child.expect, "after an empty apply");
}

/* Reinstalls child.expect's ranges [from, to). */
static void reinstall(size_t from, size_t to)
{
	struct guard_ranges some;
	size_t done;

	guard_ranges_init(&some);
	for (size_t i = from; i < to; i++)
		guard_ranges_add(&some, child.expect.v[i].start,
				 child.expect.v[i].end);
	EXPECT_EQ(unit_remote_apply(child.pid, &call, &some, MADV_GUARD_INSTALL,
				    &done),
		  0);
	EXPECT_EQ(done, to - from);
	guard_ranges_free(&some);
}

/* child.expect without its ranges [from, to). */
static void expect_but(size_t from, size_t to, struct guard_ranges *out)
{
	guard_ranges_init(out);
	for (size_t i = 0; i < child.expect.n; i++)
		if (i < from || i >= to)
			guard_ranges_add(out, child.expect.v[i].start,
					 child.expect.v[i].end);
}

/*
 * apply stops at the first failure; done says how far it got and what
 * follows is left alone.  Every list starts with X's guards: see
 * test_syscall_ip_avoids for why a list must name the guards on text.
 */
static void test_invalid_range(void)
{
	long pg = child.page;
	const struct guard_range *x = &child.expect.v[0];
	struct guard_ranges r, want;
	size_t below = 0, done = 99;

	ASSERT_EQ(x->start, child.base[R_X]);
	/* X's, A's, B's and C's guards lie below the hole, F's above. */
	guard_ranges_init(&r);
	for (size_t i = 0; i < child.expect.n; i++) {
		const struct guard_range *g = &child.expect.v[i];

		if (g->end <= child.hole) {
			guard_ranges_add(&r, g->start, g->end);
			below++;
		}
	}
	ASSERT_EQ(below, 10);
	guard_ranges_add(&r, child.hole, child.hole + pg);
	for (size_t i = below; i < below + 3; i++)
		guard_ranges_add(&r, child.expect.v[i].start,
				 child.expect.v[i].end);
	EXPECT_EQ(unit_remote_apply(child.pid, &call, &r, MADV_GUARD_REMOVE,
				    &done),
		  -ENOMEM);
	EXPECT_EQ(done, below);
	expect_but(0, below, &want);
	expect_guards(&want, "lifted up to the hole, F must stay");
	guard_ranges_free(&want);
	reinstall(0, below);
	expect_guards(&child.expect, "reinstalled");

	/* madvise's own -EINVAL comes back as such: unaligned start. */
	guard_ranges_reset(&r);
	guard_ranges_add(&r, x->start, x->end);
	guard_ranges_add(&r, child.base[R_A] + 1, child.base[R_A] + pg);
	done = 99;
	EXPECT_EQ(unit_remote_apply(child.pid, &call, &r, MADV_GUARD_REMOVE,
				    &done),
		  -EINVAL);
	EXPECT_EQ(done, 1);
	expect_but(0, 1, &want);
	expect_guards(&want, "X lifted, unaligned A refused");
	guard_ranges_free(&want);
	reinstall(0, 1);

	/* Failing on the first range: done is 0. */
	guard_ranges_reset(&r);
	guard_ranges_add(&r, x->start + 1, x->end);
	done = 99;
	EXPECT_EQ(unit_remote_apply(child.pid, &call, &r, MADV_GUARD_REMOVE,
				    &done),
		  -EINVAL);
	EXPECT_EQ(done, 0);
	guard_ranges_free(&r);
	expect_guards(&child.expect, "after the failures");
	EXPECT_EQ(unit_child_check_memory(&child, true), 0);
}

/* X is the child's lowest executable VMA, guards on its first two pages. */
static bool x_is_first_exec(void)
{
	struct guard_vmas v = { 0 };
	bool first = false;

	if (guard_read_vmas(child.pid, "maps", &v))
		return false;
	for (size_t i = 0; i < v.n; i++) {
		if (v.v[i].exec) {
			first = v.v[i].start == child.base[R_X];
			break;
		}
	}
	guard_vmas_free(&v);
	return first;
}

/* One harmless injected call (MADV_NORMAL on E) through r. */
static int harmless(struct unit_remote *r)
{
	return unit_remote_madvise(r, child.base[R_E], child.page, MADV_NORMAL);
}

static void test_syscall_ip_avoids(void)
{
	uint64_t x = child.base[R_X];
	long pg = child.page;
	struct guard_ranges avoid;
	struct unit_remote *r;

	guard_ranges_init(&avoid);
	if (x_is_first_exec()) {
		/*
		 * Told nothing, the first exec page X[0] is a guard all the
		 * same: pagemap shows it, so the syscall goes to X[2] and the
		 * call works.  (Planting it on X[0] would fail in compel.)
		 */
		ASSERT_EQ(unit_remote_open(child.pid, &feat, &avoid, &r), 0);
		EXPECT_EQ(harmless(r), 0);
		unit_remote_close(r);
	} else {
		printf("# X is not the lowest exec VMA: unlisted-guard case "
		       "skipped\n");
	}

	/* Told X's guard pages, it takes X[2]. */
	guard_ranges_add(&avoid, x, x + 2 * pg);
	ASSERT_EQ(unit_remote_open(child.pid, &feat, &avoid, &r), 0);
	EXPECT_EQ(harmless(r), 0);
	EXPECT_EQ(harmless(r), 0); /* the same ctl serves many calls */
	unit_remote_close(r);

	/* Told all of X, it moves on to the next executable VMA. */
	guard_ranges_reset(&avoid);
	guard_ranges_add(&avoid, x, x + 4 * pg);
	ASSERT_EQ(unit_remote_open(child.pid, &feat, &avoid, &r), 0);
	EXPECT_EQ(harmless(r), 0);
	/* madvise's errors come back as -errno. */
	EXPECT_EQ(unit_remote_madvise(r, child.hole, pg, MADV_GUARD_INSTALL),
		  -ENOMEM);
	EXPECT_EQ(unit_remote_madvise(r, child.base[R_E] + 1, pg,
				      MADV_GUARD_INSTALL),
		  -EINVAL);
	EXPECT_EQ(unit_remote_madvise(r, child.base[R_E], pg, 12345), -EINVAL);
	unit_remote_close(r);

	/* Nothing left to use: a clean error, not an injection on a guard. */
	guard_ranges_reset(&avoid);
	guard_ranges_add(&avoid, 0, UINT64_MAX);
	r = NULL;
	printf("# a \"No executable page\" error follows, as it should\n");
	fflush(stdout);
	EXPECT(unit_remote_open(child.pid, &feat, &avoid, &r) < 0);
	EXPECT(r == NULL);
	unit_remote_close(NULL); /* legal, does nothing */
	guard_ranges_free(&avoid);

	/* compel put the code it borrowed back: X[2..3] read as before. */
	expect_guards(&child.expect, "after the injections");
	EXPECT_EQ(unit_child_check_memory(&child, true), 0);
}

/*
 * A task restored as stopped has SIGSTOP queued while in ptrace-stop; the
 * first injection would meet it.  The module holds the stop before compel
 * runs (no compel error) and queues it again.
 */
/* All of the child's guards through advice, with SIGSTOP still pending. */
static void apply_stopped(int advice, const struct guard_ranges *after,
			  const char *what)
{
	char when[64];
	size_t done;

	EXPECT_EQ(unit_remote_apply(child.pid, &call, &child.expect, advice,
				    &done),
		  0);
	EXPECT_EQ(done, child.expect.n);
	EXPECT_MSG(unit_sigstop_pending(child.pid),
		   "SIGSTOP not pending after the %s", what);
	snprintf(when, sizeof(when), "%s with SIGSTOP pending", what);
	expect_guards(after, when);
}

static void test_sigstop_pending(void)
{
	ASSERT_EQ(kill(child.pid, SIGSTOP), 0);
	EXPECT(unit_sigstop_pending(child.pid));
	compel_errors = 0;

	apply_stopped(MADV_GUARD_REMOVE, NULL, "remove");
	apply_stopped(MADV_GUARD_INSTALL, &child.expect, "install");
	/* The plugin holds the stop itself: compel never meets it (item 11). */
	EXPECT_EQ(compel_errors, 0);
	EXPECT_EQ(unit_child_check_memory(&child, true), 0);
	EXPECT_EQ(unit_task_state(child.pid), 't');
}

/*
 * Selects per-range or batched injection for the tests that follow.  Not
 * a test of its own: it asserts nothing, so it is run from the batched
 * tests' wrappers below instead of being counted as a pass.
 */
static void use_batch(bool on)
{
	call.f = feat;
	if (!on)
		call.f.batch = call.f.pidfd_self = false;
	batched = on && feat.batch;
}

static void test_remove_all_batched(void)
{
	if (!feat.batch)
		printf("# no guard advice in process_madvise here: the "
		       "batched tests run per range\n");
	use_batch(true);
	test_remove_all();
}

static void test_install_all_batched(void)
{
	use_batch(true);
	test_install_all();
}

static void test_invalid_range_batched(void)
{
	use_batch(true);
	test_invalid_range();
}

static void test_sigstop_pending_batched(void)
{
	use_batch(true);
	test_sigstop_pending();
}

static void test_sigstop_pending_per_range(void)
{
	use_batch(false);
	test_sigstop_pending();
}

/* Released, the child takes its SIGSTOP and stops: the stop was kept. */
static void test_detach_and_reap(void)
{
	int status = 0;
	char state = '?';

	EXPECT_EQ(compel_resume_task(child.pid, COMPEL_TASK_ALIVE,
				     COMPEL_TASK_ALIVE),
		  0);
	for (int i = 0; i < 100; i++) {
		state = unit_task_state(child.pid);
		if (state == 'T')
			break;
		usleep(10000);
	}
	EXPECT_MSG(state == 'T', "child state %c after detach, want T", state);
	expect_guards(&child.expect, "after detach");

	EXPECT_EQ(kill(child.pid, SIGKILL), 0);
	EXPECT_EQ(waitpid(child.pid, &status, 0), child.pid);
	EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	child.pid = 0;
}

int main(void)
{
	/* In order, on one child; per range first, then batched. */
	static const struct unit_test tests[] = {
		{ "seized", test_seized },
		{ "remove_all", test_remove_all },
		{ "install_all", test_install_all },
		{ "apply_empty", test_apply_empty },
		{ "invalid_range", test_invalid_range },
		{ "syscall_ip_avoids", test_syscall_ip_avoids },
		{ "remove_all_batched", test_remove_all_batched },
		{ "install_all_batched", test_install_all_batched },
		{ "invalid_range_batched", test_invalid_range_batched },
		{ "sigstop_pending_batched", test_sigstop_pending_batched },
		{ "sigstop_pending", test_sigstop_pending_per_range },
		{ "detach_and_reap", test_detach_and_reap },
	};
	int fds, state, ret;

	compel_log_init(compel_log, getenv("UNIT_VERBOSE") ? COMPEL_LOG_DEBUG :
							     COMPEL_LOG_WARN);
	if (getenv("UNIT_VERBOSE"))
		guard_log_set_stderr_level(GUARD_LOG_DEBUG);
	fds = count_fds();
	unit_child_setup(&child, &feat, stop_child);
	use_batch(false); /* per range first; the scan sees the features */
	state = compel_stop_task(child.pid);
	if (state != COMPEL_TASK_ALIVE) {
		fprintf(stderr, "compel_stop_task(%d): %d\n", (int)child.pid,
			state);
		return 1;
	}

	ret = unit_run_in_order("remote", tests, UNIT_ARRAY_SIZE(tests));
	unit_child_stop(&child);
	if (count_fds() != fds) {
		fprintf(stderr, "FAIL: %d fds open at start, %d at the end\n",
			fds, count_fds());
		ret = 1;
	}
	return ret;
}
