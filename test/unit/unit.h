/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny kselftest-style harness for the unit tests.  EXPECT_* records a
 * failure and goes on, so one run shows every broken case; ASSERT_* ends
 * the case, for when going on would only produce noise or crash.
 *
 * As in the kernel's kselftest harness, unit_run() runs each case in a
 * child of its own: a crash or an ASSERT fails that case and the next
 * one still runs.  Handlers the program registers with atexit() before
 * unit_run() (kill the shared child, remove the temp directory) belong to
 * the main process: they return early unless unit_is_main().
 * unit_run_in_order() keeps the cases in the one process (ASSERT then
 * ends the program), for cases that are steps on one ptrace-seized task.
 *
 * Exit status: 0 all passed, 1 something failed, 77 skipped (meson's skip).
 */
#ifndef CRIU_GUARD_UNIT_H
#define CRIU_GUARD_UNIT_H

#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guard_range.h"

#define UNIT_EXIT_SKIP 77

struct unit_test {
	const char *name;
	void (*fn)(void);
};

static int unit_failures;
static pid_t unit_main_pid; /* 0 until unit_run() */

/* False in a case's own process, whose exit must not end shared fixtures. */
static inline bool unit_is_main(void)
{
	return !unit_main_pid || getpid() == unit_main_pid;
}

static inline void unit_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "FAIL %s:%d: %s\n", file, line, what);
	unit_failures++;
}

#define EXPECT(cond)                                                           \
	do {                                                                   \
		if (!(cond))                                                   \
			unit_fail(__FILE__, __LINE__, #cond);                  \
	} while (0)

#define EXPECT_MSG(cond, fmt, ...)                                             \
	do {                                                                   \
		if (!(cond)) {                                                 \
			unit_fail(__FILE__, __LINE__, #cond);                  \
			fprintf(stderr, "     " fmt "\n", ##__VA_ARGS__);      \
		}                                                              \
	} while (0)

/* Values are printed in decimal and hex: errnos and addresses both occur. */
#define EXPECT_EQ(a, b)                                                        \
	do {                                                                   \
		long long __a = (long long)(a), __b = (long long)(b);          \
		if (__a != __b) {                                              \
			unit_fail(__FILE__, __LINE__, #a " == " #b);           \
			fprintf(stderr,                                        \
				"     got %lld (%#llx), want %lld (%#llx)\n",  \
				__a, (unsigned long long)__a, __b,             \
				(unsigned long long)__b);                      \
		}                                                              \
	} while (0)

#define ASSERT(cond)                                                           \
	do {                                                                   \
		if (!(cond)) {                                                 \
			unit_fail(__FILE__, __LINE__, #cond);                  \
			unit_abort();                                          \
		}                                                              \
	} while (0)

#define ASSERT_EQ(a, b)                                                        \
	do {                                                                   \
		int __f = unit_failures;                                       \
		EXPECT_EQ(a, b);                                               \
		if (unit_failures != __f)                                      \
			unit_abort();                                          \
	} while (0)

static inline void unit_abort(void)
{
	fprintf(stderr, "Bail out: cannot go on after this failure\n");
	exit(1);
}

static inline void unit_skip(const char *reason)
{
	printf("SKIP: %s\n", reason);
	fflush(stdout);
	exit(UNIT_EXIT_SKIP);
}

static inline void unit_print_ranges(const char *label,
				     const struct guard_ranges *r)
{
	fprintf(stderr, "     %s: %zu range(s)", label, r->n);
	for (size_t i = 0; i < r->n && i < 16; i++)
		fprintf(stderr, " [%#" PRIx64 ", %#" PRIx64 ")", r->v[i].start,
			r->v[i].end);
	fprintf(stderr, "%s\n", r->n > 16 ? " ..." : "");
}

/* Prints the first difference too: lists of hundreds of ranges occur. */
#define EXPECT_RANGES(got, want)                                               \
	do {                                                                   \
		const struct guard_ranges *__g = (got), *__w = (want);         \
		if (!guard_ranges_equal(__g, __w)) {                           \
			unit_fail(__FILE__, __LINE__, #got " equals " #want);  \
			unit_print_ranges("got ", __g);                        \
			unit_print_ranges("want", __w);                        \
			unit_print_first_diff(__g, __w);                       \
		}                                                              \
	} while (0)

static inline void unit_print_first_diff(const struct guard_ranges *g,
					 const struct guard_ranges *w)
{
	size_t n = g->n < w->n ? g->n : w->n;

	for (size_t i = 0; i < n; i++) {
		if (g->v[i].start != w->v[i].start ||
		    g->v[i].end != w->v[i].end) {
			fprintf(stderr,
				"     first difference at %zu: got [%#" PRIx64
				", %#" PRIx64 "), want [%#" PRIx64 ", %#" PRIx64
				")\n",
				i, g->v[i].start, g->v[i].end, w->v[i].start,
				w->v[i].end);
			return;
		}
	}
}

/*
 * Runs one case in a child: its exit status says whether it failed
 * (ASSERT exits 1), a signal that it crashed.  Returns true if it passed.
 */
static inline bool unit_run_forked(const struct unit_test *t)
{
	int status = 0;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return false;
	}
	if (pid == 0) {
		t->fn();
		fflush(stderr);
		exit(unit_failures ? 1 : 0);
	}
	if (waitpid(pid, &status, 0) != pid) {
		perror("waitpid");
		return false;
	}
	if (WIFSIGNALED(status))
		fprintf(stderr, "FAIL %s: killed by signal %d (%s)\n", t->name,
			WTERMSIG(status), strsignal(WTERMSIG(status)));
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static inline int unit_report(const char *suite, size_t n, int failed)
{
	printf("# %s: %zu passed, %d failed\n", suite, n - failed, failed);
	return failed ? 1 : 0;
}

/* Runs every test in its own child, in order; reads like kselftest. */
static inline int unit_run(const char *suite, const struct unit_test *t,
			   size_t n)
{
	int failed = 0;

	unit_main_pid = getpid();
	printf("# %s: %zu tests\n", suite, n);
	for (size_t i = 0; i < n; i++) {
		bool ok = unit_run_forked(&t[i]);

		failed += !ok;
		printf("%s %zu %s\n", ok ? "ok" : "not ok", i + 1, t[i].name);
	}
	return unit_report(suite, n, failed);
}

/*
 * The same in this process, for a suite whose cases are steps of one
 * scenario on one ptrace-seized child: ptrace binds a tracee to the one
 * process that seized it, so a forked case could not drive it.
 */
static inline int unit_run_in_order(const char *suite,
				    const struct unit_test *t, size_t n)
{
	int failed = 0;

	printf("# %s: %zu tests\n", suite, n);
	for (size_t i = 0; i < n; i++) {
		int before = unit_failures;

		fflush(stdout);
		t[i].fn();
		fflush(stderr);
		if (unit_failures != before)
			failed++;
		printf("%s %zu %s\n", unit_failures != before ? "not ok" : "ok",
		       i + 1, t[i].name);
	}
	return unit_report(suite, n, failed);
}

#define UNIT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
