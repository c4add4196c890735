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

#include "criu_mm.pb-c.h"
#include "guard_criu_images.h"
#include "guard_image.h"
#include "guard_log.h"
#include "guard_imgdir.h"
#include "guard_native_images.h"
#include "guard_native_mm.h"
#include "guard_native_view.h"
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
	static const struct {
		const struct vma *v;
		size_t n;
		int entries;
	} bad[] = {
		{ task, 4, 2 },
		{ overlap, 2, 1 },
		{ unaligned, 1, 1 },
		{ empty, 1, 1 },
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

	/* Two entries; overlapping, unaligned and empty VMAs. */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf = make_image(bad[i].v, bad[i].n, bad[i].entries, &len);
		EXPECT_MSG(guard_criu_mm_decode(buf, len, "mm-1.img", &mm) ==
				   -EINVAL,
			   "bad image %zu accepted", i);
		free(buf);
	}
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

/*
 * criu < 4.2 reads a 4.2 dump's mm image without the guard VMAs: whole
 * VMA entries go, every other byte stays, fields unknown to the plugin
 * (a trailing varint field 99 of MmEntry here) included.
 */
static void test_strip(void)
{
	static const struct vma plain[] = { task[0], task[1], task[2] };
	uint8_t *buf, *want, *out, *img;
	size_t len, wlen, olen;
	static const uint8_t extra[] = { 0x98, 0x06, 0x2a }; /* 99: 42 */
	struct guard_criu_mm mm;
	uint32_t n;

	buf = make_image(task, 4, 1, &len);
	want = make_image(plain, 3, 1, &wlen);
	/* The same unknown field after the VMAs of both. */
	img = malloc(len + 3);
	ASSERT(img);
	memcpy(img, buf, len);
	memcpy(img + len, extra, 3);
	memcpy(&n, img + 8, 4);
	n += 3;
	memcpy(img + 8, &n, 4);
	ASSERT_EQ(guard_mm_strip(img, len + 3, "mm-1.img", &out, &olen), 0);
	ASSERT_EQ(olen, wlen + 3);
	EXPECT_EQ(memcmp(out + 12, want + 12, wlen - 12), 0);
	EXPECT_EQ(memcmp(out + wlen, extra, 3), 0);
	ASSERT_EQ(guard_criu_mm_decode(out, olen, "mm-1.img", &mm), 0);
	EXPECT_EQ(mm.guards.n, 0);
	EXPECT_EQ(mm.mapped.n, 2);
	guard_criu_mm_free(&mm);
	free(out);
	/* A broken entry is refused, not guessed at. */
	img[13] = 0xff;
	EXPECT_EQ(guard_mm_strip(img, len + 3, "mm-1.img", &out, &olen),
		  -EINVAL);
	free(img);
	free(buf);
	free(want);
}

/* Whether CRIU 4.1's premap_priv_vmas() takes the entries as sorted. */
static bool sorted41(const uint8_t *img, size_t len)
{
	CriuMmEntry *e = criu_mm_entry__unpack(NULL, len - 12, img + 12);
	uint64_t pstart = 0;
	bool ok = true;

	ASSERT(e);
	for (size_t i = 0; i < e->n_vmas; i++) {
		ok &= pstart <= e->vmas[i]->start;
		pstart = e->vmas[i]->start;
	}
	criu_mm_entry__free_unpacked(e, NULL);
	return ok;
}

/* g appended to the image of plain: decoded back, stripped back. */
static void append_case(const uint64_t *g, size_t n, bool want_refused)
{
	static const struct vma plain[] = { task[2], task[1], task[0] };
	struct guard_ranges add;
	struct guard_criu_mm mm;
	uint8_t *img, *out, *back;
	size_t len, olen, blen;
	bool refused;

	ranges_of(&add, g, n);
	img = make_image(plain, 3, 1, &len);
	ASSERT_EQ(guard_mm_append(img, len, "mm-1.img", &add, &out, &olen,
				  &refused),
		  0);
	EXPECT_EQ(refused, want_refused);
	EXPECT_EQ(sorted41(out, olen), !want_refused);
	ASSERT_EQ(guard_criu_mm_decode(out, olen, "mm-1.img", &mm), 0);
	EXPECT(guard_ranges_equal(&mm.guards, &add));
	EXPECT_EQ(mm.mapped.n, 2);
	guard_criu_mm_free(&mm);
	ASSERT_EQ(guard_mm_strip(out, olen, "mm-1.img", &back, &blen), 0);
	ASSERT_EQ(blen, len);
	EXPECT_EQ(memcmp(back, img, len), 0);
	guard_ranges_free(&add);
	free(back);
	free(out);
	free(img);
}

/*
 * The plugin's guard records: CRIU 4.2's entries after the VMAs, in an
 * order CRIU 4.1's check refuses wherever it can be made to.
 */
static void test_append(void)
{
	const uint64_t two[] = { 2 * PG, 3 * PG, 6 * PG, 7 * PG };
	const uint64_t low[] = { 2 * PG, 3 * PG };
	const uint64_t top_two_pages[] = { 0x10 * PG, 0x12 * PG };
	const uint64_t top_one_page[] = { 0x11 * PG, 0x12 * PG };

	append_case(two, 4, true);
	append_case(low, 2, true);
	append_case(top_two_pages, 2, true);
	/* The one case 4.1 takes: said by *refused, warned about at dump. */
	append_case(top_one_page, 2, false);
}

static void put(int dirfd, const char *name, const void *b, size_t len)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ASSERT(fd >= 0);
	ASSERT_EQ(write(fd, b, len), (ssize_t)len);
	close(fd);
}

static struct guard_criu_mm mm_via(int dirfd)
{
	struct guard_criu_mm mm;

	ASSERT_EQ(guard_criu_mm_read(dirfd, 1, &mm), 0);
	return mm;
}

/*
 * The view: criu's descriptor reads the stripped mm image and every other
 * file through it; the directory's files never change; what criu writes
 * there ends up in the directory; nothing is left once it is down.
 */
/*
 * A pagemap image as CRIU 4.2 writes it: head {pages_id 1}, then one entry
 * {vaddr 0x1000, nr_pages 0, flags PE_PRESENT, 64-bit count 3}; and as the
 * view gives it to criu < 4.2: field 2 last, holding the count.
 */
static const uint8_t pm42[] = { 0x19, 0x43, 0x56, 0x54, 0x25, 0x40, 0x08,
				0x56, 2,    0,	  0,	0,    0x08, 0x01,
				9,    0,    0,	  0,	0x08, 0x80, 0x20,
				0x10, 0x00, 0x20, 0x04, 0x28, 0x03 };
static const uint8_t pm_old[] = { 0x19, 0x43, 0x56, 0x54, 0x25, 0x40, 0x08,
				  0x56, 2,    0,    0,	  0,	0x08, 0x01,
				  9,	0,    0,    0,	  0x08, 0x80, 0x20,
				  0x20, 0x04, 0x28, 0x03, 0x10, 0x03 };

static void test_view(void)
{
	char dir[] = "/tmp/unit-view.XXXXXX";
	struct guard_native nv;
	struct guard_criu_mm mm;
	uint8_t *buf, *buf2;
	size_t len, len2;
	int fd, img, sfd;
	char c;

	ASSERT(mkdtemp(dir));
	img = open(dir, O_RDONLY | O_DIRECTORY);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	ASSERT(img >= 0 && fd >= 0);
	buf = make_image(task, 4, 1, &len);
	put(fd, "mm-1.img", buf, len);
	put(fd, "core-1.img", "C", 1);
	put(fd, "pagemap-1.img", pm42, sizeof(pm42));
	ASSERT_EQ(mkdirat(fd, GUARD_VIEW_PREFIX "999999999", 0700), 0);
	guard_native_init(&nv);
	ASSERT_EQ(guard_native_read(img, &nv), 0);
	EXPECT_EQ(nv.ranges, 1);
	ASSERT_EQ(guard_native_view_up(img, &nv), 0);
	mm = mm_via(img);
	EXPECT_EQ(mm.guards.n, 0);
	guard_criu_mm_free(&mm);
	mm = mm_via(fd);
	EXPECT_EQ(mm.guards.n, 1);
	guard_criu_mm_free(&mm);
	ASSERT_EQ(guard_read_whole(img, "core-1.img", 1, 1, &buf2, &len2), 0);
	EXPECT_EQ(buf2[0], 'C');
	free(buf2);
	/* The stale view of a criu that is gone was removed. */
	EXPECT_EQ(faccessat(fd, GUARD_VIEW_PREFIX "999999999", F_OK, 0), -1);
	/* The count where criu < 4.2 reads it (field 2), all else kept. */
	ASSERT_EQ(guard_read_whole(img, "pagemap-1.img", 8, 64, &buf2, &len2),
		  0);
	ASSERT_EQ(len2, sizeof(pm_old));
	EXPECT_EQ(memcmp(buf2, pm_old, len2), 0);
	free(buf2);
	EXPECT_EQ(nv.pagemaps, 1);
	put(img, "stats-restore", "S", 1);
	guard_native_view_down(&nv);
	guard_native_free(&nv);
	mm = mm_via(img);
	EXPECT_EQ(mm.guards.n, 1);
	guard_criu_mm_free(&mm);
	c = 0;
	sfd = openat(fd, "stats-restore", O_RDONLY);
	EXPECT(sfd >= 0 && read(sfd, &c, 1) == 1 && c == 'S');
	close(sfd);
	EXPECT_EQ(faccessat(fd, nv.view, F_OK, 0), -1);
	ASSERT_EQ(guard_read_whole(fd, "pagemap-1.img", 8, 64, &buf2, &len2),
		  0);
	EXPECT(len2 == sizeof(pm42) && !memcmp(buf2, pm42, len2));
	free(buf2);
	unlinkat(fd, "pagemap-1.img", 0);
	unlinkat(fd, "stats-restore", 0);
	unlinkat(fd, "core-1.img", 0);
	unlinkat(fd, "mm-1.img", 0);
	close(fd);
	close(img);
	EXPECT_EQ(rmdir(dir), 0);
	free(buf);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{ "decode", test_decode },
		{ "decode_rejects", test_decode_rejects },
		{ "check", test_check },
		{ "arith_vs_brute_force", test_arith_vs_brute_force },
		{ "strip", test_strip },
		{ "append", test_append },
		{ "view", test_view },
	};

	/* The rejections are expected: keep their messages off the output. */
	guard_log_set_stderr_level(0);
	return unit_run("criu_images", tests, UNIT_ARRAY_SIZE(tests));
}
