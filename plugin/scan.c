// SPDX-License-Identifier: GPL-2.0
/*
 * Finding guard ranges.  PAGEMAP_SCAN with PAGE_IS_GUARD gives exact ranges
 * and skips unmapped holes for free, so one scan over the whole address
 * space is the default; smaps "gu" only narrows where the scan looks, and
 * reading smaps costs ~9x the scan (see doc/performance.md).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "guard_env.h"
#include "guard_kernel.h"
#include "guard_log.h"
#include "guard_proc.h"
#include "guard_scan.h"

#define SCAN_VEC_LEN 512
#define BITS_CHUNK 4096

static int scan_category(int pagemap_fd, uint64_t start, uint64_t end,
			 uint64_t category, struct guard_ranges *out)
{
	struct page_region vec[SCAN_VEC_LEN];
	struct pm_scan_arg arg = {
		.size = sizeof(arg),
		.start = start,
		.end = end,
		.vec = (uintptr_t)vec,
		.vec_len = SCAN_VEC_LEN,
		.category_mask = category,
		.return_mask = category,
	};

	while (arg.start < end) {
		long n = ioctl(pagemap_fd, PAGEMAP_SCAN, &arg);
		int ret;

		if (n < 0)
			return -errno;
		for (long i = 0; i < n; i++) {
			ret = guard_ranges_add(out, vec[i].start, vec[i].end);
			if (ret)
				return ret;
		}
		/* The kernel stops early only when vec fills up. */
		if (arg.walk_end >= end)
			break;
		if (arg.walk_end <= arg.start)
			return -EIO;
		arg.start = arg.walk_end;
	}
	return 0;
}

int guard_scan_pagemap(int pagemap_fd, uint64_t start, uint64_t end,
		       struct guard_ranges *out)
{
	return scan_category(pagemap_fd, start, end, PAGE_IS_GUARD, out);
}

static int read_bits(int pagemap_fd, uint64_t start, uint64_t end,
		     long page_size, struct guard_ranges *out)
{
	uint64_t buf[BITS_CHUNK];

	for (uint64_t addr = start; addr < end;) {
		uint64_t pages = (end - addr) / page_size;
		ssize_t n;
		int ret;

		if (pages > BITS_CHUNK)
			pages = BITS_CHUNK;
		n = pread(pagemap_fd, buf, pages * sizeof(buf[0]),
			  (off_t)(addr / page_size * sizeof(buf[0])));
		if (n < 0)
			return -errno;
		if (n == 0 || n % sizeof(buf[0]))
			return -EIO;
		for (ssize_t i = 0; i < n / (ssize_t)sizeof(buf[0]); i++) {
			uint64_t a = addr + i * page_size;

			if (!(buf[i] & (1ULL << PM_GUARD_REGION_BIT)))
				continue;
			ret = guard_ranges_add(out, a, a + page_size);
			if (ret)
				return ret;
		}
		addr += n / sizeof(buf[0]) * page_size;
	}
	return 0;
}

/*
 * Reading 8 bytes of pagemap for every page costs in proportion to the
 * mapped size, not to the pages in use (a sanitizer's 16 TiB shadow takes
 * minutes).  Guard markers are non-present swap-type entries, so where
 * PAGEMAP_SCAN exists but lacks PAGE_IS_GUARD it still finds the only
 * pages worth reading: the ones it reports as swapped.
 */
int guard_scan_pagemap_bits(int pagemap_fd, uint64_t start, uint64_t end,
			    long page_size, struct guard_ranges *out)
{
	struct guard_ranges cand;
	int ret;

	guard_ranges_init(&cand);
	ret = scan_category(pagemap_fd, start, end, PAGE_IS_SWAPPED, &cand);
	if (ret == -ENOTTY || ret == -EINVAL) {
		/* No PAGEMAP_SCAN (before 6.7): read every page. */
		ret = read_bits(pagemap_fd, start, end, page_size, out);
	} else {
		for (size_t i = 0; !ret && i < cand.n; i++)
			ret = read_bits(pagemap_fd, cand.v[i].start,
					cand.v[i].end, page_size, out);
	}
	guard_ranges_free(&cand);
	return ret;
}

static const struct guard_env_name scan_names[] = {
	/* The first name of a mode is the one logs print. */
	{ "scan", GUARD_SCAN_FULL },
	{ "smaps", GUARD_SCAN_SMAPS },
	{ "auto", GUARD_SCAN_FULL },
};

const struct guard_env_enum guard_scan_env =
	GUARD_ENV_ENUM("CRIU_GUARD_SCAN", scan_names, "auto");

const char *guard_scan_mode_name(enum guard_scan_mode mode)
{
	return guard_env_name(&guard_scan_env, mode);
}

static int scan_one(int fd, const struct guard_features *f, uint64_t start,
		    uint64_t end, struct guard_ranges *out)
{
	if (f->scan_guard)
		return guard_scan_pagemap(fd, start, end, out);
	return guard_scan_pagemap_bits(fd, start, end, f->page_size, out);
}

/*
 * Scans, within [lo, hi), only VMAs that may hold guards: smaps "gu",
 * else every VMA.
 */
static int find_by_vmas(struct guard_proc_snap *snap, int fd,
			const struct guard_features *f, uint64_t lo,
			uint64_t hi, struct guard_ranges *out)
{
	const struct guard_vmas *vmas;
	int ret;

	ret = guard_proc_snap_vmas(snap, f->smaps_flag, &vmas);
	for (size_t i = 0; !ret && i < vmas->n; i++) {
		const struct guard_vma *v = &vmas->v[i];
		uint64_t s = v->start > lo ? v->start : lo;
		uint64_t e = v->end < hi ? v->end : hi;

		if (f->smaps_flag && !v->maybe_guard)
			continue;
		if (v->end > f->task_size || s >= e) /* [vsyscall] */
			continue;
		ret = scan_one(fd, f, s, e, out);
	}
	return ret;
}

/* The guard ranges within [lo, hi), by mode within what f allows. */
static int find_in(struct guard_proc_snap *snap, const struct guard_features *f,
		   enum guard_scan_mode mode, uint64_t lo, uint64_t hi,
		   struct guard_ranges *out)
{
	int fd, ret;

	if (!f->scan_guard && !f->pagemap_bit) {
		pr_err("This kernel reports no guard pages (no PAGE_IS_GUARD, no pagemap bit 58)\n");
		return -EOPNOTSUPP;
	}
	fd = guard_proc_snap_pagemap(snap);
	if (fd < 0)
		return fd;
	guard_ranges_reset(out);
	if (f->scan_guard && (mode != GUARD_SCAN_SMAPS || !f->smaps_flag))
		ret = guard_scan_pagemap(fd, lo, hi, out);
	else
		ret = find_by_vmas(snap, fd, f, lo, hi, out);
	if (ret)
		pr_err("Can't collect guard ranges of %d: %s\n", (int)snap->pid,
		       strerror(-ret));
	return ret;
}

int guard_find_snap(struct guard_proc_snap *snap,
		    const struct guard_features *f, enum guard_scan_mode mode,
		    struct guard_ranges *out)
{
	return find_in(snap, f, mode, 0, f->task_size, out);
}

int guard_find(pid_t pid, const struct guard_features *f,
	       enum guard_scan_mode mode, struct guard_ranges *out)
{
	struct guard_proc_snap snap;
	int ret;

	guard_proc_snap_init(&snap, pid);
	ret = guard_find_snap(&snap, f, mode, out);
	guard_proc_snap_free(&snap);
	return ret;
}

int guard_verify_snap(struct guard_proc_snap *snap,
		      const struct guard_features *f,
		      const struct guard_ranges *span,
		      const struct guard_ranges *expect, const char *what)
{
	struct guard_ranges now;
	uint64_t lo, hi;
	int ret;

	if (!span->n)
		return expect->n ? -EINVAL : 0;
	lo = span->v[0].start;
	hi = span->v[span->n - 1].end;
	guard_ranges_init(&now);
	ret = find_in(snap, f, GUARD_SCAN_FULL, lo, hi, &now);
	if (!ret && !guard_ranges_equal(&now, expect)) {
		pr_err("task %d: %zu guard ranges %s in [%#llx, %#llx), %zu expected\n",
		       (int)snap->pid, now.n, what, (unsigned long long)lo,
		       (unsigned long long)hi, expect->n);
		ret = -EIO;
	}
	guard_ranges_free(&now);
	return ret;
}

int guard_verify(pid_t pid, const struct guard_features *f,
		 const struct guard_ranges *span,
		 const struct guard_ranges *expect, const char *what)
{
	struct guard_proc_snap snap;
	int ret;

	guard_proc_snap_init(&snap, pid);
	ret = guard_verify_snap(&snap, f, span, expect, what);
	guard_proc_snap_free(&snap);
	return ret;
}
