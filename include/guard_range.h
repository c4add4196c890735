/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A sorted, coalesced list of guard ranges [start, end) in one address
 * space.  Every other module speaks in these.
 */
#ifndef CRIU_GUARD_RANGE_H
#define CRIU_GUARD_RANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct guard_range {
	uint64_t start;
	uint64_t end;
};

struct guard_ranges {
	struct guard_range *v;
	size_t n;
	size_t cap;
};

void guard_ranges_init(struct guard_ranges *r);
void guard_ranges_free(struct guard_ranges *r);
void guard_ranges_reset(struct guard_ranges *r);

/*
 * Appends [start, end); ranges must arrive in ascending order.  A range that
 * touches the previous one is merged into it so that two scans of the same
 * address space always produce the same list.  Returns 0 or -ENOMEM/-EINVAL.
 */
int guard_ranges_add(struct guard_ranges *r, uint64_t start, uint64_t end);

bool guard_ranges_equal(const struct guard_ranges *a,
			const struct guard_ranges *b);

/* True if [start, end) overlaps any range in r. */
bool guard_ranges_overlap(const struct guard_ranges *r, uint64_t start,
			  uint64_t end);

uint64_t guard_ranges_bytes(const struct guard_ranges *r);

/*
 * True if every range of g lies inside one range of m (whose touching
 * ranges are merged, as guard_ranges_add keeps them); else *bad is the
 * index of the first range of g that does not.
 */
bool guard_ranges_cover(const struct guard_ranges *m,
			const struct guard_ranges *g, size_t *bad);

/* out = a without the parts that overlap b (both sorted). */
int guard_ranges_subtract(const struct guard_ranges *a,
			  const struct guard_ranges *b,
			  struct guard_ranges *out);
/* out = in with ranges at most gap bytes apart joined, gaps included. */
int guard_ranges_join(const struct guard_ranges *in, uint64_t gap,
		      struct guard_ranges *out);
/* out = a and b merged (both sorted). */
int guard_ranges_union(const struct guard_ranges *a,
		       const struct guard_ranges *b, struct guard_ranges *out);

#endif
