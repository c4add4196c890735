// SPDX-License-Identifier: GPL-2.0
/* guard_range: the sorted, coalesced range list every module speaks in. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "guard_range.h"
#include "unit.h"

#define PG 4096ULL

static void test_add_empty_list(void)
{
	struct guard_ranges r;

	guard_ranges_init(&r);
	EXPECT_EQ(r.n, 0);
	EXPECT(r.v == NULL);
	EXPECT_EQ(guard_ranges_bytes(&r), 0);
	EXPECT(!guard_ranges_overlap(&r, 0, UINT64_MAX));
	/* Freeing an empty list is legal and leaves it reusable. */
	guard_ranges_free(&r);
	EXPECT_EQ(guard_ranges_add(&r, PG, 2 * PG), 0);
	EXPECT_EQ(r.n, 1);
	guard_ranges_free(&r);
	EXPECT_EQ(r.n, 0);
	EXPECT(r.v == NULL);
	EXPECT_EQ(r.cap, 0);
}

static void test_add_merges_touching(void)
{
	struct guard_ranges r;

	guard_ranges_init(&r);
	EXPECT_EQ(guard_ranges_add(&r, 1 * PG, 2 * PG), 0);
	EXPECT_EQ(guard_ranges_add(&r, 2 * PG, 3 * PG), 0);
	EXPECT_EQ(guard_ranges_add(&r, 3 * PG, 5 * PG), 0);
	ASSERT_EQ(r.n, 1);
	EXPECT_EQ(r.v[0].start, 1 * PG);
	EXPECT_EQ(r.v[0].end, 5 * PG);

	/* One byte of gap is a gap: no merge. */
	EXPECT_EQ(guard_ranges_add(&r, 5 * PG + 1, 6 * PG), 0);
	ASSERT_EQ(r.n, 2);
	EXPECT_EQ(r.v[1].start, 5 * PG + 1);
	/* Merging into the second range leaves the first alone. */
	EXPECT_EQ(guard_ranges_add(&r, 6 * PG, 7 * PG), 0);
	ASSERT_EQ(r.n, 2);
	EXPECT_EQ(r.v[0].end, 5 * PG);
	EXPECT_EQ(r.v[1].end, 7 * PG);
	EXPECT_EQ(guard_ranges_bytes(&r), 4 * PG + (2 * PG - 1));
	guard_ranges_free(&r);
}

static void test_add_rejects(void)
{
	struct guard_ranges r;

	guard_ranges_init(&r);
	EXPECT_EQ(guard_ranges_add(&r, PG, PG), -EINVAL);     /* empty */
	EXPECT_EQ(guard_ranges_add(&r, 2 * PG, PG), -EINVAL); /* reversed */
	EXPECT_EQ(r.n, 0);

	EXPECT_EQ(guard_ranges_add(&r, 10 * PG, 20 * PG), 0);
	/* Unsorted: entirely below the last range. */
	EXPECT_EQ(guard_ranges_add(&r, 1 * PG, 2 * PG), -EINVAL);
	/* Overlapping the last range's tail, and its head. */
	EXPECT_EQ(guard_ranges_add(&r, 19 * PG, 21 * PG), -EINVAL);
	EXPECT_EQ(guard_ranges_add(&r, 10 * PG, 11 * PG), -EINVAL);
	/* Inside it, and the same range again. */
	EXPECT_EQ(guard_ranges_add(&r, 12 * PG, 13 * PG), -EINVAL);
	EXPECT_EQ(guard_ranges_add(&r, 10 * PG, 20 * PG), -EINVAL);
	EXPECT_EQ(guard_ranges_add(&r, 20 * PG, 20 * PG), -EINVAL);

	/* A rejected add must not have changed the list. */
	ASSERT_EQ(r.n, 1);
	EXPECT_EQ(r.v[0].start, 10 * PG);
	EXPECT_EQ(r.v[0].end, 20 * PG);
	guard_ranges_free(&r);
}

static void test_add_extremes(void)
{
	struct guard_ranges r;

	guard_ranges_init(&r);
	EXPECT_EQ(guard_ranges_add(&r, 0, 1), 0);
	EXPECT_EQ(guard_ranges_add(&r, UINT64_MAX - 1, UINT64_MAX), 0);
	EXPECT_EQ(r.n, 2);
	EXPECT_EQ(guard_ranges_bytes(&r), 2);
	EXPECT(guard_ranges_overlap(&r, 0, 1));
	EXPECT(guard_ranges_overlap(&r, UINT64_MAX - 1, UINT64_MAX));
	EXPECT(!guard_ranges_overlap(&r, 1, UINT64_MAX - 1));
	guard_ranges_free(&r);

	guard_ranges_init(&r);
	EXPECT_EQ(guard_ranges_add(&r, 0, UINT64_MAX), 0);
	EXPECT_EQ(guard_ranges_bytes(&r), UINT64_MAX);
	guard_ranges_free(&r);
}

/* Growth past the initial capacity keeps every element. */
static void test_add_many(void)
{
	struct guard_ranges r;
	const size_t n = 10000;
	int bad = 0;

	guard_ranges_init(&r);
	for (size_t i = 0; i < n; i++)
		if (guard_ranges_add(&r, (2 * i + 1) * PG, (2 * i + 2) * PG))
			bad++;
	EXPECT_EQ(bad, 0);
	ASSERT_EQ(r.n, n);
	EXPECT(r.cap >= n);
	for (size_t i = 0; i < n; i++)
		if (r.v[i].start != (2 * i + 1) * PG ||
		    r.v[i].end != (2 * i + 2) * PG)
			bad++;
	EXPECT_EQ(bad, 0);
	EXPECT_EQ(guard_ranges_bytes(&r), n * PG);

	/* Reset empties the list but keeps its memory for the next scan. */
	size_t cap = r.cap;

	guard_ranges_reset(&r);
	EXPECT_EQ(r.n, 0);
	EXPECT_EQ(r.cap, cap);
	EXPECT(!guard_ranges_overlap(&r, 0, UINT64_MAX));
	EXPECT_EQ(guard_ranges_add(&r, PG, 2 * PG), 0);
	EXPECT_EQ(r.n, 1);
	guard_ranges_free(&r);
}

static void test_overlap_edges(void)
{
	struct guard_ranges r;

	guard_ranges_init(&r);
	/* [10, 20) [30, 31) [40, 60) pages */
	guard_ranges_add(&r, 10 * PG, 20 * PG);
	guard_ranges_add(&r, 30 * PG, 31 * PG);
	guard_ranges_add(&r, 40 * PG, 60 * PG);

	/* Half-open: touching either end is not overlapping. */
	EXPECT(!guard_ranges_overlap(&r, 0, 10 * PG));
	EXPECT(!guard_ranges_overlap(&r, 20 * PG, 30 * PG));
	EXPECT(!guard_ranges_overlap(&r, 31 * PG, 40 * PG));
	EXPECT(!guard_ranges_overlap(&r, 60 * PG, 61 * PG));
	EXPECT(!guard_ranges_overlap(&r, 60 * PG, UINT64_MAX));
	/* One byte in at either end is. */
	EXPECT(guard_ranges_overlap(&r, 0, 10 * PG + 1));
	EXPECT(guard_ranges_overlap(&r, 20 * PG - 1, 30 * PG));
	EXPECT(guard_ranges_overlap(&r, 59 * PG, 70 * PG));
	/* Inside, exact, spanning several, spanning all. */
	EXPECT(guard_ranges_overlap(&r, 12 * PG, 13 * PG));
	EXPECT(guard_ranges_overlap(&r, 30 * PG, 31 * PG));
	EXPECT(guard_ranges_overlap(&r, 15 * PG, 45 * PG));
	EXPECT(guard_ranges_overlap(&r, 0, UINT64_MAX));
	/* A query that falls in a gap between two ranges. */
	EXPECT(!guard_ranges_overlap(&r, 21 * PG, 29 * PG));
	EXPECT(!guard_ranges_overlap(&r, 32 * PG, 39 * PG));
	guard_ranges_free(&r);

	/* Single range: the binary search's lo == hi paths. */
	guard_ranges_init(&r);
	guard_ranges_add(&r, 5, 6);
	EXPECT(!guard_ranges_overlap(&r, 4, 5));
	EXPECT(guard_ranges_overlap(&r, 5, 6));
	EXPECT(guard_ranges_overlap(&r, 4, 6));
	EXPECT(!guard_ranges_overlap(&r, 6, 7));
	guard_ranges_free(&r);
}

static bool overlap_brute(const struct guard_ranges *r, uint64_t s, uint64_t e)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].start < e && s < r->v[i].end)
			return true;
	return false;
}

/* The binary search against a linear scan on lists of every small size. */
static void test_overlap_vs_brute_force(void)
{
	unsigned int seed = 12345;
	int mismatches = 0;

	for (size_t n = 0; n < 40; n++) {
		struct guard_ranges r;
		uint64_t pos = 0;

		guard_ranges_init(&r);
		for (size_t i = 0; i < n; i++) {
			pos += rand_r(&seed) % 4; /* gaps of 0 merge */
			uint64_t len = 1 + rand_r(&seed) % 3;

			guard_ranges_add(&r, pos, pos + len);
			pos += len;
		}
		for (uint64_t s = 0; s <= pos + 2; s++) {
			for (uint64_t e = s + 1; e <= pos + 3; e++) {
				if (guard_ranges_overlap(&r, s, e) !=
				    overlap_brute(&r, s, e)) {
					if (!mismatches)
						fprintf(stderr,
							"     n=%zu [%" PRIu64
							", %" PRIu64 ")\n",
							n, s, e);
					mismatches++;
				}
			}
		}
		guard_ranges_free(&r);
	}
	EXPECT_EQ(mismatches, 0);
}

static void test_equal(void)
{
	struct guard_ranges a, b;

	guard_ranges_init(&a);
	guard_ranges_init(&b);
	EXPECT(guard_ranges_equal(&a, &b)); /* both empty, v == NULL */

	guard_ranges_add(&a, PG, 2 * PG);
	EXPECT(!guard_ranges_equal(&a, &b));
	EXPECT(!guard_ranges_equal(&b, &a));

	/* Same content built differently (merged vs whole) is equal. */
	guard_ranges_add(&b, PG, PG + PG / 2);
	guard_ranges_add(&b, PG + PG / 2, 2 * PG);
	EXPECT(guard_ranges_equal(&a, &b));

	guard_ranges_add(&a, 4 * PG, 5 * PG);
	guard_ranges_add(&b, 4 * PG, 6 * PG);
	EXPECT(!guard_ranges_equal(&a, &b)); /* same n, different end */

	/* An emptied list with memory equals a list that never had any. */
	guard_ranges_reset(&a);
	guard_ranges_free(&b);
	EXPECT(guard_ranges_equal(&a, &b));
	guard_ranges_free(&a);
}

static void test_bytes(void)
{
	struct guard_ranges r;

	guard_ranges_init(&r);
	guard_ranges_add(&r, 0, PG);
	guard_ranges_add(&r, 3 * PG, 10 * PG);
	guard_ranges_add(&r, 1ULL << 46, (1ULL << 46) + (1ULL << 40));
	EXPECT_EQ(guard_ranges_bytes(&r), 8 * PG + (1ULL << 40));
	guard_ranges_free(&r);
}

/* Gaps up to the limit are swallowed, one byte more is not; out is reset. */
static void test_join(void)
{
	struct guard_ranges in, out, want;

	guard_ranges_init(&in);
	guard_ranges_init(&out);
	guard_ranges_init(&want);
	guard_ranges_add(&in, 0, PG);
	guard_ranges_add(&in, 3 * PG, 4 * PG);	 /* gap 2 pages: joined */
	guard_ranges_add(&in, 7 * PG, 8 * PG);	 /* gap 3 pages: kept */
	guard_ranges_add(&in, 10 * PG, 11 * PG); /* gap 2 pages: joined */
	guard_ranges_add(&out, 100 * PG, 101 * PG);
	EXPECT_EQ(guard_ranges_join(&in, 2 * PG, &out), 0);
	guard_ranges_add(&want, 0, 4 * PG);
	guard_ranges_add(&want, 7 * PG, 11 * PG);
	EXPECT_RANGES(&out, &want);
	EXPECT_EQ(guard_ranges_join(&in, 0, &out), 0);
	EXPECT_RANGES(&out, &in);
	guard_ranges_reset(&in);
	EXPECT_EQ(guard_ranges_join(&in, 2 * PG, &out), 0);
	EXPECT_EQ(out.n, 0);
	guard_ranges_free(&in);
	guard_ranges_free(&out);
	guard_ranges_free(&want);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{ "add_empty_list", test_add_empty_list },
		{ "add_merges_touching", test_add_merges_touching },
		{ "add_rejects", test_add_rejects },
		{ "add_extremes", test_add_extremes },
		{ "add_many", test_add_many },
		{ "overlap_edges", test_overlap_edges },
		{ "overlap_vs_brute_force", test_overlap_vs_brute_force },
		{ "equal", test_equal },
		{ "bytes", test_bytes },
		{ "join", test_join },
	};

	return unit_run("range", tests, UNIT_ARRAY_SIZE(tests));
}
