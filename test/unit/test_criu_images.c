// SPDX-License-Identifier: GPL-2.0
/*
 * criu_images: decoding CRIU's mm-<pid>.img (built here with the same
 * field numbers CRIU uses), the "inside the mappings" check done at
 * init(RESTORE), and the range arithmetic that keeps criu's own guard
 * ranges (CRIU >= 4.2) from being installed twice.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "criu_mm.pb-c.h"
#include "guard_criu_images.h"
#include "guard_log.h"
#include "unit.h"

#define PG 4096ULL
#define ANON_PRIVATE ((1u << 9) | 1u)

struct vma {
	uint64_t start, end;
	uint32_t status;
};

/* An mm image: both magics, then entries of u32 length + MmEntry. */
static uint8_t *make_image(const struct vma *v, size_t n, int entries,
			   size_t *len)
{
	CriuMmEntry e = CRIU_MM_ENTRY__INIT;
	CriuVmaEntry *ve = calloc(n + 1, sizeof(*ve));
	CriuVmaEntry **vp = calloc(n + 1, sizeof(*vp));
	uint32_t hdr[2] = { CRIU_IMG_COMMON_MAGIC, CRIU_MM_MAGIC }, sz;
	uint8_t *buf;
	size_t off = 8;

	ASSERT(ve && vp);
	for (size_t i = 0; i < n; i++) {
		criu_vma_entry__init(&ve[i]);
		ve[i].start = v[i].start;
		ve[i].end = v[i].end;
		ve[i].status = v[i].status;
		vp[i] = &ve[i];
	}
	e.n_vmas = n;
	e.vmas = vp;
	sz = criu_mm_entry__get_packed_size(&e);
	buf = malloc(8 + entries * (4 + sz));
	ASSERT(buf);
	memcpy(buf, hdr, 8);
	for (int i = 0; i < entries; i++) {
		memcpy(buf + off, &sz, 4);
		criu_mm_entry__pack(&e, buf + off + 4);
		off += 4 + sz;
	}
	*len = off;
	free(ve);
	free(vp);
	return buf;
}

static void ranges_of(struct guard_ranges *r, const uint64_t *v, size_t n)
{
	guard_ranges_init(r);
	for (size_t i = 0; i < n; i += 2)
		ASSERT_EQ(guard_ranges_add(r, v[i], v[i + 1]), 0);
}

/* Unsorted on purpose; B touches A, G is a guard range inside A. */
static const struct vma task[] = {
	{ 0x10 * PG, 0x12 * PG, ANON_PRIVATE },
	{ 5 * PG, 8 * PG, ANON_PRIVATE },
	{ 1 * PG, 5 * PG, ANON_PRIVATE },
	{ 2 * PG, 3 * PG, CRIU_VMA_AREA_GUARD },
};

static void test_decode(void)
{
	static const uint64_t maps[] = { 1 * PG, 8 * PG, 0x10 * PG, 0x12 * PG };
	static const uint64_t guards[] = { 2 * PG, 3 * PG };
	struct guard_ranges want_m, want_g;
	struct guard_criu_mm mm;
	size_t len;
	uint8_t *buf = make_image(task, 4, 1, &len);

	ASSERT_EQ(guard_criu_mm_decode(buf, len, "mm-1.img", &mm), 0);
	ranges_of(&want_m, maps, 4);
	ranges_of(&want_g, guards, 2);
	EXPECT_RANGES(&mm.mapped, &want_m);
	EXPECT_RANGES(&mm.guards, &want_g);
	guard_criu_mm_free(&mm);
	guard_ranges_free(&want_m);
	guard_ranges_free(&want_g);
	/* Images of old CRIUs start with the mm magic alone. */
	EXPECT_EQ(guard_criu_mm_decode(buf + 4, len - 4, "mm-1.img", &mm), 0);
	guard_criu_mm_free(&mm);
	free(buf);
}

static void test_decode_rejects(void)
{
	static const struct vma overlap[] = {
		{ 1 * PG, 5 * PG, ANON_PRIVATE },
		{ 4 * PG, 6 * PG, ANON_PRIVATE },
	};
	static const struct vma unaligned[] = {
		{ 1 * PG, 5 * PG + 1, ANON_PRIVATE },
	};
	static const struct vma empty[] = {
		{ 5 * PG, 5 * PG, ANON_PRIVATE },
	};
	struct guard_criu_mm mm;
	uint8_t *buf;
	size_t len;

	buf = make_image(task, 4, 1, &len);
	EXPECT_EQ(guard_criu_mm_decode(buf, len - 1, "mm-1.img", &mm), -EINVAL);
	EXPECT_EQ(guard_criu_mm_decode(buf, 8, "mm-1.img", &mm), -EINVAL);
	EXPECT_EQ(guard_criu_mm_decode(buf, 10, "mm-1.img", &mm), -EINVAL);
	buf[4] ^= 0xff;
	EXPECT_EQ(guard_criu_mm_decode(buf, len, "mm-1.img", &mm), -EINVAL);
	buf[4] ^= 0xff;
	/* A length that runs past the end of the file. */
	buf[8] = 0xff;
	EXPECT_EQ(guard_criu_mm_decode(buf, len, "mm-1.img", &mm), -EINVAL);
	free(buf);

	buf = make_image(task, 4, 2, &len);
	EXPECT_EQ(guard_criu_mm_decode(buf, len, "mm-1.img", &mm), -EINVAL);
	free(buf);
	buf = make_image(overlap, 2, 1, &len);
	EXPECT_EQ(guard_criu_mm_decode(buf, len, "mm-1.img", &mm), -EINVAL);
	free(buf);
	buf = make_image(unaligned, 1, 1, &len);
	EXPECT_EQ(guard_criu_mm_decode(buf, len, "mm-1.img", &mm), -EINVAL);
	free(buf);
	buf = make_image(empty, 1, 1, &len);
	EXPECT_EQ(guard_criu_mm_decode(buf, len, "mm-1.img", &mm), -EINVAL);
	free(buf);
	/* Garbage where the MmEntry should be. */
	buf = make_image(task, 4, 1, &len);
	memset(buf + 12, 0xff, len - 12);
	EXPECT_EQ(guard_criu_mm_decode(buf, len, "mm-1.img", &mm), -EINVAL);
	free(buf);
}

static void test_check(void)
{
	static const uint64_t across[] = { 4 * PG, 6 * PG, 0x10 * PG,
					   0x12 * PG };
	static const uint64_t gap[] = { 2 * PG, 3 * PG, 7 * PG, 9 * PG };
	static const uint64_t below[] = { 0, PG };
	static const uint64_t above[] = { 0x12 * PG, 0x13 * PG };
	struct guard_ranges g;
	struct guard_criu_mm mm;
	size_t len;
	uint8_t *buf = make_image(task, 4, 1, &len);

	ASSERT_EQ(guard_criu_mm_decode(buf, len, "mm-1.img", &mm), 0);
	/* Across two touching VMAs is inside the mappings. */
	ranges_of(&g, across, 4);
	EXPECT_EQ(guard_criu_mm_check(&mm, "guard-1.img", &g), 0);
	guard_ranges_free(&g);
	ranges_of(&g, gap, 4);
	EXPECT_EQ(guard_criu_mm_check(&mm, "guard-1.img", &g), -EINVAL);
	guard_ranges_free(&g);
	ranges_of(&g, below, 2);
	EXPECT_EQ(guard_criu_mm_check(&mm, "guard-1.img", &g), -EINVAL);
	guard_ranges_free(&g);
	ranges_of(&g, above, 2);
	EXPECT_EQ(guard_criu_mm_check(&mm, "guard-1.img", &g), -EINVAL);
	guard_ranges_free(&g);
	guard_criu_mm_free(&mm);
	free(buf);
}

#define NPAGES 64

static void bits_to_ranges(const bool *bits, struct guard_ranges *r)
{
	guard_ranges_init(r);
	for (size_t i = 0; i < NPAGES; i++)
		if (bits[i])
			ASSERT_EQ(guard_ranges_add(r, i * PG, (i + 1) * PG), 0);
}

/* Subtract and union against page bitmaps, on random lists. */
static void test_arith_vs_brute_force(void)
{
	srand(7);
	for (int round = 0; round < 2000; round++) {
		bool a[NPAGES], b[NPAGES], d[NPAGES], u[NPAGES];
		struct guard_ranges ra, rb, rd, ru, got;

		for (size_t i = 0; i < NPAGES; i++) {
			a[i] = rand() % 3 == 0;
			b[i] = rand() % 4 == 0;
			d[i] = a[i] && !b[i];
			u[i] = a[i] || b[i];
		}
		bits_to_ranges(a, &ra);
		bits_to_ranges(b, &rb);
		bits_to_ranges(d, &rd);
		bits_to_ranges(u, &ru);
		guard_ranges_init(&got);
		ASSERT_EQ(guard_ranges_subtract(&ra, &rb, &got), 0);
		EXPECT_RANGES(&got, &rd);
		ASSERT_EQ(guard_ranges_union(&ra, &rb, &got), 0);
		EXPECT_RANGES(&got, &ru);
		guard_ranges_free(&ra);
		guard_ranges_free(&rb);
		guard_ranges_free(&rd);
		guard_ranges_free(&ru);
		guard_ranges_free(&got);
		if (unit_failures)
			return;
	}
}

int main(void)
{
	static const struct unit_test tests[] = {
		{ "decode", test_decode },
		{ "decode_rejects", test_decode_rejects },
		{ "check", test_check },
		{ "arith_vs_brute_force", test_arith_vs_brute_force },
	};

	/* The rejections are expected: keep their messages off the output. */
	guard_log_set_stderr_level(0);
	return unit_run("criu_images", tests, UNIT_ARRAY_SIZE(tests));
}
