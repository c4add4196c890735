// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guard_kernel.h"
#include "gt_probe.h"
#include "gt_region.h"
#include "zdtmtst.h"

long gt_page;

void gt_init_page(void)
{
	if (!gt_page)
		gt_page = sysconf(_SC_PAGESIZE);
}

struct gt_region *gt_wrap(const char *name, void *addr, size_t pages)
{
	struct gt_region *r = calloc(1, sizeof(*r));

	gt_init_page();
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

void *gt_reserve(size_t pages)
{
	char *p;

	gt_init_page();
	p = mmap(NULL, (pages + 2) * gt_page, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p + gt_page;
}

struct gt_region *gt_map_anon(const char *name, size_t pages)
{
	char *p = gt_reserve(pages);

	if (!p || mprotect(p, pages * gt_page, PROT_READ | PROT_WRITE))
		return NULL;
	return gt_wrap(name, p, pages);
}

unsigned char gt_pattern(const struct gt_region *r, size_t pg, size_t i)
{
	return (unsigned char)(r->seed + pg * 131 + i * 7 + (i >> 8));
}

void gt_fill_page(struct gt_region *r, size_t pg)
{
	char *p = r->addr + pg * gt_page;

	for (long i = 0; i < gt_page; i++)
		p[i] = (char)gt_pattern(r, pg, i);
}

void gt_fill(struct gt_region *r)
{
	for (size_t pg = 0; pg < r->pages; pg++)
		if (!r->guard[pg])
			gt_fill_page(r, pg);
}

struct gt_region *gt_anon(const char *name, size_t pages)
{
	struct gt_region *r = gt_map_anon(name, pages);

	if (!r) {
		fail("mmap");
		return NULL;
	}
	gt_fill(r);
	return r;
}

static int advise(struct gt_region *r, size_t first, size_t n, int advice,
		  const char *what)
{
	/* A test that strays out of its region would guard a neighbour. */
	if (first + n > r->pages || !n) {
		test_msg("%s: pages [%zu, %zu) outside the region's %zu\n",
			 r->name, first, first + n, r->pages);
		return -1;
	}
	if (madvise(r->addr + first * gt_page, n * gt_page, advice)) {
		test_msg("%s: %s: %s\n", r->name, what, strerror(errno));
		return -1;
	}
	memset(r->guard + first, advice == MADV_GUARD_INSTALL, n);
	return 0;
}

int gt_guard(struct gt_region *r, size_t first, size_t n)
{
	return advise(r, first, n, MADV_GUARD_INSTALL, "MADV_GUARD_INSTALL");
}

int gt_guard_spans(struct gt_region *r, const struct gt_span *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (gt_guard(r, s[i].first, s[i].n)) {
			fail("MADV_GUARD_INSTALL");
			return -1;
		}
	}
	return 0;
}

int gt_unguard(struct gt_region *r, size_t first, size_t n)
{
	if (advise(r, first, n, MADV_GUARD_REMOVE, "MADV_GUARD_REMOVE"))
		return -1;
	for (size_t pg = first; pg < first + n; pg++)
		gt_fill_page(r, pg);
	return 0;
}

static int check_page(struct gt_region *r, size_t pg)
{
	char *p = r->addr + pg * gt_page;

	if (r->guard[pg]) {
		if (!gt_faults(p, false) || !gt_faults(p + gt_page - 1, true)) {
			test_msg(
				"%s: page %zu should be a guard but is accessible\n",
				r->name, pg);
			return 1;
		}
		if (!gt_pagemap_guard(p)) {
			test_msg(
				"%s: page %zu faults but pagemap has no guard bit\n",
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
		if ((unsigned char)p[i] != gt_pattern(r, pg, i)) {
			test_msg("%s: page %zu byte %ld is %#x, expected %#x\n",
				 r->name, pg, i, (unsigned char)p[i],
				 gt_pattern(r, pg, i));
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
