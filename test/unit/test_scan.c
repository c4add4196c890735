// SPDX-License-Identifier: GPL-2.0
/*
 * guard_scan on a live child holding guards (unit_child.h): feature
 * detection, guard_find in every mode and with every feature masked, the
 * two pagemap readers directly, and scan-mode parsing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "guard_kernel.h"
#include "guard_log.h"
#include "guard_proc.h"
#include "guard_scan.h"
#include "unit.h"
#include "unit_child.h"

static struct unit_child child;
static struct guard_features feat;

static void stop_child(void)
{
	if (!unit_is_main())
		return; /* a case's exit: the child serves the next case */
	unit_child_stop(&child);
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* This kernel (6.18) has everything; the fallbacks are tested by masking. */
static void test_features(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct utsname u;

	EXPECT(feat.madv_guard);
	EXPECT(feat.scan_guard);
	EXPECT(feat.pagemap_bit);
	EXPECT(feat.smaps_flag);
	EXPECT_EQ(feat.page_size, pg);
	/* 4-level x86_64: TASK_SIZE_MAX is 2^47 minus one page. */
	if (!uname(&u) && !strcmp(u.machine, "x86_64") &&
	    feat.task_size < (1ULL << 48))
		EXPECT_EQ(feat.task_size, (1ULL << 47) - pg);
	/* Every user mapping lies below it. */
	for (size_t i = 0; i < child.expect.n; i++)
		EXPECT(child.expect.v[i].end <= feat.task_size);
	EXPECT((uintptr_t)&u < feat.task_size);
}

static void find_expect(const struct guard_features *f,
			enum guard_scan_mode mode, const char *what)
{
	struct guard_ranges got;
	double t0, t1;
	int ret;

	guard_ranges_init(&got);
	t0 = now_us();
	ret = guard_find(child.pid, f, mode, &got);
	t1 = now_us();
	EXPECT_MSG(ret == 0, "%s: guard_find %d", what, ret);
	EXPECT_RANGES(&got, &child.expect);
	if (!guard_ranges_equal(&got, &child.expect))
		fprintf(stderr, "     (in %s)\n", what);
	printf("#   %-40s %zu ranges in %6.0f us\n", what, got.n, t1 - t0);
	guard_ranges_free(&got);
}

static void test_find_modes(void)
{
	static const enum guard_scan_mode modes[] = { GUARD_SCAN_FULL,
						      GUARD_SCAN_SMAPS };
	char what[64];

	EXPECT_EQ(child.expect.n, 1 + 3 + 3 + 3 + 625); /* X A B C F */
	for (size_t i = 0; i < UNIT_ARRAY_SIZE(modes); i++) {
		snprintf(what, sizeof(what), "mode %s",
			 guard_scan_mode_name(modes[i]));
		find_expect(&feat, modes[i], what);
	}
}

/*
 * Each fallback on its own: no PAGE_IS_GUARD (pagemap bit 58 over smaps
 * "gu" VMAs, or over every VMA of maps), no smaps flag, no pagemap bit.
 */
static void test_find_masked(void)
{
	static const enum guard_scan_mode modes[] = { GUARD_SCAN_FULL,
						      GUARD_SCAN_SMAPS };
	char what[96];

	for (int scan = 0; scan < 2; scan++) {
		for (int smaps = 0; smaps < 2; smaps++) {
			for (int bit = 0; bit < 2; bit++) {
				struct guard_features f = feat;

				f.scan_guard = scan;
				f.smaps_flag = smaps;
				f.pagemap_bit = bit;
				if (!scan && !bit)
					continue; /* test_find_unsupported */
				for (size_t i = 0; i < UNIT_ARRAY_SIZE(modes);
				     i++) {
					snprintf(what, sizeof(what),
						 "%s scan=%d smaps=%d bit=%d",
						 guard_scan_mode_name(modes[i]),
						 scan, smaps, bit);
					find_expect(&f, modes[i], what);
				}
			}
		}
	}
}

static void test_find_unsupported(void)
{
	struct guard_features f = feat;
	struct guard_ranges got;

	guard_ranges_init(&got);
	f.scan_guard = f.pagemap_bit = false;
	EXPECT_EQ(guard_find(child.pid, &f, GUARD_SCAN_FULL, &got),
		  -EOPNOTSUPP);
	EXPECT_EQ(got.n, 0);
	/* pid_max is at most 2^22. */
	EXPECT_EQ(guard_find(1 << 30, &feat, GUARD_SCAN_FULL, &got), -ENOENT);
	guard_ranges_free(&got);
}

/* guard_find resets its output rather than appending to it. */
static void test_find_resets_output(void)
{
	struct guard_ranges got;

	guard_ranges_init(&got);
	guard_ranges_add(&got, 0x1000, 0x2000);
	EXPECT_EQ(guard_find(child.pid, &feat, GUARD_SCAN_FULL, &got), 0);
	EXPECT_RANGES(&got, &child.expect);
	guard_ranges_free(&got);
}

/*
 * D had guards, all removed: smaps still says "gu" (may hold guards) and
 * the scans say none.  E never had any: no "gu".
 */
static void test_removed_guards_vma(void)
{
	uint64_t d = child.base[R_D], e = child.base[R_E];
	long pg = child.page;
	struct guard_vmas v = { 0 };
	int found = 0;

	ASSERT_EQ(guard_read_vmas(child.pid, "smaps", &v), 0);
	for (size_t i = 0; i < v.n; i++) {
		const struct guard_vma *m = &v.v[i];

		if (m->start == d && m->end == d + 4 * pg) {
			EXPECT_MSG(m->maybe_guard, "D lacks gu");
			found |= 1;
		} else if (m->start == e && m->end == e + 4 * pg) {
			EXPECT_MSG(!m->maybe_guard, "E has gu");
			found |= 2;
		} else if (m->start == child.base[R_A]) {
			EXPECT_MSG(m->maybe_guard, "A lacks gu");
			found |= 4;
		}
	}
	EXPECT_EQ(found, 7);
	guard_vmas_free(&v);
	EXPECT(!guard_ranges_overlap(&child.expect, d, d + 4 * pg));
}

static int open_pagemap(void)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)child.pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT(fd >= 0);
	return fd;
}

/* The expected ranges clipped to [start, end). */
static void expect_within(uint64_t start, uint64_t end,
			  struct guard_ranges *out)
{
	guard_ranges_init(out);
	for (size_t i = 0; i < child.expect.n; i++) {
		uint64_t s = child.expect.v[i].start, e = child.expect.v[i].end;

		s = s < start ? start : s;
		e = e > end ? end : e;
		if (s < e)
			guard_ranges_add(out, s, e);
	}
}

/* Both readers over windows that cut guard runs and cross buffer sizes. */
static void test_pagemap_readers(void)
{
	uint64_t a = child.base[R_A], f = child.base[R_F];
	long pg = child.page;
	const struct {
		const char *what;
		uint64_t start, end;
	} win[] = {
		{ "A whole", a, a + 16 * pg },
		{ "A up to the middle of 7-8", a + pg, a + 8 * pg },
		{ "A from the middle of 7-8", a + 8 * pg, a + 16 * pg },
		{ "A one guard page", a + 15 * pg, a + 16 * pg },
		{ "A no guard page", a + pg, a + 7 * pg },
		{ "unmapped hole", child.hole, child.hole + pg },
		{ "F whole (625 ranges)", f, f + 5000 * pg },
		{ "F from page 4", f + 4 * pg, f + 5000 * pg },
		{ "hole to F end", child.hole, f + 5000 * pg },
	};
	int fd = open_pagemap();

	for (size_t i = 0; i < UNIT_ARRAY_SIZE(win); i++) {
		struct guard_ranges want, scan, bits;

		expect_within(win[i].start, win[i].end, &want);
		guard_ranges_init(&scan);
		guard_ranges_init(&bits);
		EXPECT_EQ(
			guard_scan_pagemap(fd, win[i].start, win[i].end, &scan),
			0);
		EXPECT_EQ(guard_scan_pagemap_bits(fd, win[i].start, win[i].end,
						  pg, &bits),
			  0);
		EXPECT_RANGES(&scan, &want);
		EXPECT_RANGES(&bits, &want);
		if (!guard_ranges_equal(&scan, &want) ||
		    !guard_ranges_equal(&bits, &want))
			fprintf(stderr, "     (window: %s)\n", win[i].what);
		guard_ranges_free(&want);
		guard_ranges_free(&scan);
		guard_ranges_free(&bits);
	}
	close(fd);
}

static void detect_with(const char *disable, struct guard_features *f)
{
	setenv("CRIU_GUARD_DISABLE", disable, 1);
	EXPECT_EQ(guard_detect_features(f), 0);
	unsetenv("CRIU_GUARD_DISABLE");
}

static void test_disable_env(void)
{
	struct guard_features f;
	struct guard_ranges got;

	guard_ranges_init(&got);
	detect_with("scan", &f);
	EXPECT(f.madv_guard && !f.scan_guard && f.pagemap_bit && f.smaps_flag);
	/* The fallback still finds everything. */
	EXPECT_EQ(guard_find(child.pid, &f, GUARD_SCAN_FULL, &got), 0);
	EXPECT_RANGES(&got, &child.expect);

	detect_with("pagemap,smaps", &f);
	EXPECT(f.madv_guard && f.scan_guard && !f.pagemap_bit && !f.smaps_flag);

	detect_with("madv", &f);
	EXPECT(!f.madv_guard && !f.scan_guard && !f.pagemap_bit &&
	       !f.smaps_flag);
	EXPECT_EQ(guard_find(child.pid, &f, GUARD_SCAN_FULL, &got),
		  -EOPNOTSUPP);

	/* Unknown words only warn; empty masks nothing. */
	printf("# a warning about 'bogus' follows, as it should\n");
	fflush(stdout);
	detect_with("bogus", &f);
	EXPECT(f.madv_guard && f.scan_guard && f.pagemap_bit && f.smaps_flag);
	detect_with("", &f);
	EXPECT(f.madv_guard && f.scan_guard && f.pagemap_bit && f.smaps_flag);
	detect_with("scan,,smaps,", &f);
	EXPECT(f.madv_guard && !f.scan_guard && f.pagemap_bit && !f.smaps_flag);
	guard_ranges_free(&got);
}

/* Probing installs a guard in this process: it must take it away again. */
static void test_feature_detection_leaves_no_guards(void)
{
	struct guard_ranges got;

	guard_ranges_init(&got);
	EXPECT_EQ(guard_find(getpid(), &feat, GUARD_SCAN_FULL, &got), 0);
	EXPECT_MSG(got.n == 0, "this process has %zu guard ranges", got.n);
	guard_ranges_free(&got);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{ "features", test_features },
		{ "find_modes", test_find_modes },
		{ "find_masked", test_find_masked },
		{ "find_unsupported", test_find_unsupported },
		{ "find_resets_output", test_find_resets_output },
		{ "removed_guards_vma", test_removed_guards_vma },
		{ "pagemap_readers", test_pagemap_readers },
		{ "disable_env", test_disable_env },
		{ "detection_leaves_no_guards",
		  test_feature_detection_leaves_no_guards },
	};

	guard_log_set_stderr_level(GUARD_LOG_WARN);
	unit_child_setup(&child, &feat, stop_child);
	return unit_run("scan", tests, UNIT_ARRAY_SIZE(tests));
}
