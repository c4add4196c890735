// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guard_kernel.h"
#include "guard_scan.h"
#include "guardtst.h"
#include "zdtmtst.h"

long gt_page;

static sigjmp_buf fault_jmp;
static volatile sig_atomic_t in_probe;

static void on_segv(int sig)
{
	if (in_probe)
		siglongjmp(fault_jmp, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void init_page(void)
{
	struct sigaction sa = { .sa_handler = on_segv };

	if (gt_page)
		return;
	gt_page = sysconf(_SC_PAGESIZE);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
}

bool gt_faults(volatile char *p, bool write)
{
	bool faulted = false;

	init_page();
	in_probe = 1;
	if (sigsetjmp(fault_jmp, 1)) {
		faulted = true;
	} else if (write) {
		*p = *p;
	} else {
		(void)*p;
	}
	in_probe = 0;
	return faulted;
}

struct gt_region *gt_wrap(const char *name, void *addr, size_t pages)
{
	struct gt_region *r = calloc(1, sizeof(*r));

	init_page();
	if (!r)
		return NULL;
	r->name = name;
	r->addr = addr;
	r->pages = pages;
	r->guard = calloc(pages, 1);
	for (const char *c = name; *c; c++)
		r->seed = r->seed * 31 + (unsigned char)*c;
	if (!r->guard) {
		free(r);
		return NULL;
	}
	return r;
}

struct gt_region *gt_map_anon(const char *name, size_t pages)
{
	char *p;

	init_page();
	p = mmap(NULL, (pages + 2) * gt_page, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (mprotect(p + gt_page, pages * gt_page, PROT_READ | PROT_WRITE))
		return NULL;
	return gt_wrap(name, p + gt_page, pages);
}

static unsigned char pattern(const struct gt_region *r, size_t page, size_t i)
{
	return (unsigned char)(r->seed + page * 131 + i * 7 + (i >> 8));
}

static void fill_page(struct gt_region *r, size_t pg)
{
	char *p = r->addr + pg * gt_page;

	for (long i = 0; i < gt_page; i++)
		p[i] = (char)pattern(r, pg, i);
}

void gt_fill(struct gt_region *r)
{
	for (size_t pg = 0; pg < r->pages; pg++)
		if (!r->guard[pg])
			fill_page(r, pg);
}

int gt_guard(struct gt_region *r, size_t first, size_t n)
{
	if (madvise(r->addr + first * gt_page, n * gt_page,
		    MADV_GUARD_INSTALL)) {
		test_msg("%s: MADV_GUARD_INSTALL: %s\n", r->name,
			 strerror(errno));
		return -1;
	}
	memset(r->guard + first, 1, n);
	return 0;
}

int gt_unguard(struct gt_region *r, size_t first, size_t n)
{
	if (madvise(r->addr + first * gt_page, n * gt_page,
		    MADV_GUARD_REMOVE)) {
		test_msg("%s: MADV_GUARD_REMOVE: %s\n", r->name,
			 strerror(errno));
		return -1;
	}
	memset(r->guard + first, 0, n);
	for (size_t pg = first; pg < first + n; pg++)
		fill_page(r, pg);
	return 0;
}

bool gt_pagemap_guard(const void *p)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return false;
	if (pread(fd, &e, sizeof(e), (uintptr_t)p / gt_page * sizeof(e)) !=
	    sizeof(e))
		e = 0;
	close(fd);
	return e & (1ULL << PM_GUARD_REGION_BIT);
}

static int check_page(struct gt_region *r, size_t pg)
{
	char *p = r->addr + pg * gt_page;

	if (r->guard[pg]) {
		if (!gt_faults(p, false) || !gt_faults(p + gt_page - 1, true)) {
			test_msg("%s: page %zu should be a guard but is accessible\n",
				 r->name, pg);
			return 1;
		}
		if (!gt_pagemap_guard(p)) {
			test_msg("%s: page %zu faults but pagemap has no guard bit\n",
				 r->name, pg);
			return 1;
		}
		return 0;
	}
	if (gt_faults(p, false) || gt_pagemap_guard(p)) {
		test_msg("%s: page %zu should be plain memory but is a guard\n",
			 r->name, pg);
		return 1;
	}
	for (long i = 0; i < gt_page; i++) {
		if ((unsigned char)p[i] != pattern(r, pg, i)) {
			test_msg("%s: page %zu byte %ld is %#x, expected %#x\n",
				 r->name, pg, i, (unsigned char)p[i],
				 pattern(r, pg, i));
			return 1;
		}
	}
	return 0;
}

int gt_check(struct gt_region *r)
{
	int bad = 0;

	for (size_t pg = 0; pg < r->pages; pg++)
		bad += check_page(r, pg);
	return bad;
}

bool gt_vma_maybe_guard(const void *p)
{
	struct guard_vmas vmas = { 0 };
	bool gu = false;

	if (guard_read_vmas(getpid(), "smaps", &vmas))
		return false;
	for (size_t i = 0; i < vmas.n; i++)
		if (vmas.v[i].start <= (uintptr_t)p &&
		    (uintptr_t)p < vmas.v[i].end)
			gu = vmas.v[i].maybe_guard;
	guard_vmas_free(&vmas);
	return gu;
}

int gt_snapshot(struct guard_ranges *out)
{
	struct guard_features f;

	if (guard_detect_features(&f) || !f.madv_guard)
		return -1;
	return guard_find(getpid(), &f, GUARD_SCAN_FULL, out);
}

void gt_print(const char *label, const struct guard_ranges *r)
{
	test_msg("%s: %zu guard ranges\n", label, r->n);
	for (size_t i = 0; i < r->n; i++)
		test_msg("  %#llx-%#llx (%llu pages)\n",
			 (unsigned long long)r->v[i].start,
			 (unsigned long long)r->v[i].end,
			 (unsigned long long)(r->v[i].end - r->v[i].start) /
				 gt_page);
}

static int check_all(struct gt_region **regions, size_t n, const char *when)
{
	int bad = 0;

	for (size_t i = 0; i < n; i++) {
		bad += gt_check(regions[i]);
		for (size_t pg = 0; pg < regions[i]->pages; pg++) {
			if (!regions[i]->guard[pg])
				continue;
			if (!gt_vma_maybe_guard(regions[i]->addr + pg * gt_page)) {
				test_msg("%s: no 'gu' in smaps for page %zu\n",
					 regions[i]->name, pg);
				bad++;
			}
			break;
		}
	}
	if (bad)
		fail("%d pages wrong %s", bad, when);
	return bad;
}

int gt_run(struct gt_region **regions, size_t n)
{
	struct guard_ranges before, after;
	int bad;

	guard_ranges_init(&before);
	guard_ranges_init(&after);
	if (check_all(regions, n, "before the dump"))
		return 1;
	if (gt_snapshot(&before)) {
		fail("can't scan own guard ranges");
		return 1;
	}
	gt_print("before", &before);
	test_daemon();
	test_waitsig();
	if (gt_snapshot(&after)) {
		fail("can't scan own guard ranges after restore");
		return 1;
	}
	gt_print("after", &after);
	bad = check_all(regions, n, "after restore");
	if (bad)
		return 1;
	if (!guard_ranges_equal(&before, &after)) {
		fail("guard ranges differ: %zu before, %zu after", before.n,
		     after.n);
		return 1;
	}
	pass();
	guard_ranges_free(&before);
	guard_ranges_free(&after);
	return 0;
}
