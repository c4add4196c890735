/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Regions: pages a test maps, fills with a pattern derived from the
 * region's name, and guards; each remembers which of its pages should be a
 * guard, so gt_check() can demand, after restore, that every guard page
 * faults and shows pagemap bit 58 and every other page reads back exactly
 * the bytes written before the dump.
 */
#ifndef GT_REGION_H
#define GT_REGION_H

#include <stdbool.h>
#include <stddef.h>

struct gt_region {
	const char *name;
	char *addr;
	size_t pages;
	unsigned char *guard; /* expected state, one byte a page */
	unsigned int seed;
};

/* The page size, set by the first call below that maps or wraps memory. */
extern long gt_page;
void gt_init_page(void);

/*
 * Maps pages of private anonymous memory between two PROT_NONE pages, so
 * that the region is a VMA of its own (no merge with neighbours).
 */
struct gt_region *gt_map_anon(const char *name, size_t pages);
/* The same over an existing mapping (file-backed, shared, ...). */
struct gt_region *gt_wrap(const char *name, void *addr, size_t pages);
/* gt_map_anon() and gt_fill(); NULL after fail("mmap"). */
struct gt_region *gt_anon(const char *name, size_t pages);
/* pages of address space with a PROT_NONE page on either side, or NULL. */
void *gt_reserve(size_t pages);

/* The byte expected at offset i of page pg of r. */
unsigned char gt_pattern(const struct gt_region *r, size_t pg, size_t i);
/* Writes the pattern into page pg; gt_fill() into every page not a guard. */
void gt_fill_page(struct gt_region *r, size_t pg);
void gt_fill(struct gt_region *r);

int gt_guard(struct gt_region *r, size_t first, size_t n);
/* Removes guards; the pages then read as zero and are filled again. */
int gt_unguard(struct gt_region *r, size_t first, size_t n);

/* n guard pages from page first of a region. */
struct gt_span {
	size_t first, n;
};

/* gt_guard() on every span; -1 after fail("MADV_GUARD_INSTALL"). */
int gt_guard_spans(struct gt_region *r, const struct gt_span *s, size_t n);
#define GT_GUARDS(r, ...)                                                      \
	gt_guard_spans((r), (const struct gt_span[]){ __VA_ARGS__ },           \
		       sizeof((const struct gt_span[]){ __VA_ARGS__ }) /       \
			       sizeof(struct gt_span))

/* Number of pages that differ from what is expected; each is reported. */
int gt_check(struct gt_region *r);

#endif
