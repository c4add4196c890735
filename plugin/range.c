// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "guard_array.h"
#include "guard_range.h"

void guard_ranges_init(struct guard_ranges *r)
{
	memset(r, 0, sizeof(*r));
}

void guard_ranges_free(struct guard_ranges *r)
{
	free(r->v);
	guard_ranges_init(r);
}

void guard_ranges_reset(struct guard_ranges *r)
{
	r->n = 0;
}

int guard_ranges_add(struct guard_ranges *r, uint64_t start, uint64_t end)
{
	struct guard_range *last = r->n ? &r->v[r->n - 1] : NULL;

	if (start >= end)
		return -EINVAL;
	if (last && start < last->end)
		return -EINVAL;
	if (last && start == last->end) {
		last->end = end;
		return 0;
	}
	if (GUARD_ARRAY_GROW(r->v, r->n, r->cap, 16))
		return -ENOMEM;
	r->v[r->n].start = start;
	r->v[r->n].end = end;
	r->n++;
	return 0;
}

bool guard_ranges_equal(const struct guard_ranges *a,
			const struct guard_ranges *b)
{
	if (a->n != b->n)
		return false;
	return a->n == 0 || !memcmp(a->v, b->v, a->n * sizeof(*a->v));
}

bool guard_ranges_overlap(const struct guard_ranges *r, uint64_t start,
			  uint64_t end)
{
	size_t lo = 0, hi = r->n;

	/* First range whose end is above start; it overlaps if it begins below end. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->v[mid].end <= start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->n && r->v[lo].start < end;
}

uint64_t guard_ranges_bytes(const struct guard_ranges *r)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < r->n; i++)
		sum += r->v[i].end - r->v[i].start;
	return sum;
}

bool guard_ranges_cover(const struct guard_ranges *m,
			const struct guard_ranges *g, size_t *bad)
{
	size_t v = 0;

	for (size_t i = 0; i < g->n; i++) {
		while (v < m->n && m->v[v].end <= g->v[i].start)
			v++;
		if (v < m->n && m->v[v].start <= g->v[i].start &&
		    g->v[i].end <= m->v[v].end)
			continue;
		*bad = i;
		return false;
	}
	return true;
}

int guard_ranges_subtract(const struct guard_ranges *a,
			  const struct guard_ranges *b,
			  struct guard_ranges *out)
{
	size_t j = 0;

	guard_ranges_reset(out);
	for (size_t i = 0; i < a->n; i++) {
		uint64_t s = a->v[i].start, e = a->v[i].end;

		while (j < b->n && b->v[j].end <= s)
			j++;
		for (size_t k = j; k < b->n && b->v[k].start < e; k++) {
			if (b->v[k].start > s &&
			    guard_ranges_add(out, s, b->v[k].start))
				return -ENOMEM;
			if (b->v[k].end > s)
				s = b->v[k].end;
		}
		if (s < e && guard_ranges_add(out, s, e))
			return -ENOMEM;
	}
	return 0;
}

int guard_ranges_join(const struct guard_ranges *in, uint64_t gap,
		      struct guard_ranges *out)
{
	guard_ranges_reset(out);
	for (size_t i = 0; i < in->n; i++) {
		struct guard_range *last = out->n ? &out->v[out->n - 1] : NULL;

		if (last && in->v[i].start - last->end <= gap) {
			last->end = in->v[i].end;
			continue;
		}
		if (guard_ranges_add(out, in->v[i].start, in->v[i].end))
			return -ENOMEM;
	}
	return 0;
}

int guard_ranges_union(const struct guard_ranges *a,
		       const struct guard_ranges *b, struct guard_ranges *out)
{
	size_t i = 0, j = 0;

	guard_ranges_reset(out);
	while (i < a->n || j < b->n) {
		const struct guard_range *r;
		struct guard_range *last;

		if (j == b->n || (i < a->n && a->v[i].start <= b->v[j].start))
			r = &a->v[i++];
		else
			r = &b->v[j++];
		last = out->n ? &out->v[out->n - 1] : NULL;
		if (last && r->start <= last->end) {
			if (r->end > last->end)
				last->end = r->end;
			continue;
		}
		if (guard_ranges_add(out, r->start, r->end))
			return -ENOMEM;
	}
	return 0;
}
