// SPDX-License-Identifier: GPL-2.0
/*
 * criu_images: decoding CRIU's mm-<pid>.img (built here with the same
 * field numbers CRIU uses), the "inside the mappings" check done at
 * init(RESTORE), and the range arithmetic that keeps criu's own guard
 * ranges (CRIU >= 4.2) from being installed twice.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guard_criu_images.h"
#include "guard_image.h"
#include "guard_log.h"
#include "unit.h"
#include "unit_mm.h"

static void test_decode(void)
{
	static const uint64_t maps[] = { 1 * PG, 8 * PG, 0x10 * PG, 0x12 * PG };
	static const uint64_t guards[] = { 2 * PG, 3 * PG };
	struct guard_ranges want_m, want_g;
	struct guard_criu_mm mm;
	size_t len;
	uint8_t *buf = unit_mm_image(unit_mm_task, 4, 1, &len);

	ASSERT_EQ(guard_criu_mm_decode(buf, len, "mm-1.img", &mm), 0);
	unit_ranges_of(&want_m, maps, 4);
	unit_ranges_of(&want_g, guards, 2);
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
	static const struct unit_vma overlap[] = {
		{ 1 * PG, 5 * PG, ANON_PRIVATE },
		{ 4 * PG, 6 * PG, ANON_PRIVATE },
	};
	static const struct unit_vma unaligned[] = {
		{ 1 * PG, 5 * PG + 1, ANON_PRIVATE },
	};
	static const struct unit_vma empty[] = {
		{ 5 * PG, 5 * PG, ANON_PRIVATE },
	};
	static const struct {
		const struct unit_vma *v;
		size_t n;
		int entries;
	} bad[] = {
		{ unit_mm_task, 4, 2 },
		{ overlap, 2, 1 },
		{ unaligned, 1, 1 },
		{ empty, 1, 1 },
	};
	struct guard_criu_mm mm;
	uint8_t *buf;
	size_t len;

	buf = unit_mm_image(unit_mm_task, 4, 1, &len);
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

	/* Two entries; overlapping, unaligned and empty VMAs. */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf = unit_mm_image(bad[i].v, bad[i].n, bad[i].entries, &len);
		EXPECT_MSG(guard_criu_mm_decode(buf, len, "mm-1.img", &mm) ==
				   -EINVAL,
			   "bad image %zu accepted", i);
		free(buf);
	}
	/* Garbage where the MmEntry should be. */
	buf = unit_mm_image(unit_mm_task, 4, 1, &len);
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
	uint8_t *buf = unit_mm_image(unit_mm_task, 4, 1, &len);

	ASSERT_EQ(guard_criu_mm_decode(buf, len, "mm-1.img", &mm), 0);
	/* Across two touching VMAs is inside the mappings. */
	unit_ranges_of(&g, across, 4);
	EXPECT_EQ(guard_criu_mm_check(&mm, "guard-1.img", &g), 0);
	guard_ranges_free(&g);
	unit_ranges_of(&g, gap, 4);
	EXPECT_EQ(guard_criu_mm_check(&mm, "guard-1.img", &g), -EINVAL);
	guard_ranges_free(&g);
	unit_ranges_of(&g, below, 2);
	EXPECT_EQ(guard_criu_mm_check(&mm, "guard-1.img", &g), -EINVAL);
	guard_ranges_free(&g);
	unit_ranges_of(&g, above, 2);
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