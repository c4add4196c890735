/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guard-region assertions for zdtm tests, after the kernel's
 * tools/testing/selftests/mm/guard-regions.c: a guard page must fault on
 * access and show pagemap bit 58; every other page must read back exactly
 * the bytes written before the dump.  These checks read pagemap and touch
 * memory directly, independent of the plugin's PAGEMAP_SCAN code.
 */
#ifndef GUARDTST_H
#define GUARDTST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guard_range.h"

struct gt_region {
	const char *name;
	char *addr;
	size_t pages;
	unsigned char *guard; /* expected state, one byte a page */
	unsigned int seed;
};

extern long gt_page;

/*
 * Maps pages of private anonymous memory between two PROT_NONE pages, so
 * that the region is a VMA of its own (no merge with neighbours).
 */
struct gt_region *gt_map_anon(const char *name, size_t pages);
/* The same over an existing mapping (file-backed, shared, ...). */
struct gt_region *gt_wrap(const char *name, void *addr, size_t pages);

void gt_fill(struct gt_region *r);
int gt_guard(struct gt_region *r, size_t first, size_t n);
/* Removes guards; the pages then read as zero and are filled again. */
int gt_unguard(struct gt_region *r, size_t first, size_t n);

/* Number of pages that differ from what is expected; each is reported. */
int gt_check(struct gt_region *r);

/* True if reading (write: writing) the byte at p raises SIGSEGV. */
bool gt_faults(volatile char *p, bool write);
bool gt_pagemap_guard(const void *p);
/* smaps VmFlags of the VMA holding p contain "gu". */
bool gt_vma_maybe_guard(const void *p);

/* All guard ranges of this process, whole address space. */
int gt_snapshot(struct guard_ranges *out);
void gt_print(const char *label, const struct guard_ranges *r);

#endif

/*
 * The common life of a guard test: check the regions, record the guard
 * ranges, wait to be dumped and restored (SIGTERM), then check the regions
 * again and demand the same ranges, a "gu" flag on every VMA that holds a
 * guard, and data intact.  Writes PASS or FAIL; returns the exit code.
 */
int gt_run(struct gt_region **regions, size_t n);
