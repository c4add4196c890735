// SPDX-License-Identifier: GPL-2.0
/*
 * native_mm, native_pagemap and native_view: a CRIU 4.2 dump's guard
 * VMAs stripped from and appended to mm images, the pagemap counts moved
 * where criu < 4.2 reads them, and the view criu < 4.2 restores through.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "criu_mm.pb-c.h"
#include "guard_criu_images.h"
#include "guard_imgdir.h"
#include "guard_log.h"
#include "guard_native_images.h"
#include "guard_native_mm.h"
#include "guard_native_view.h"
#include "unit.h"
#include "unit_mm.h"

/*
 * criu < 4.2 reads a 4.2 dump's mm image without the guard VMAs: whole
 * VMA entries go, every other byte stays, fields unknown to the plugin
 * (a trailing varint field 99 of MmEntry here) included.
 */
static void test_strip(void)
{
	const struct unit_vma plain[] = { unit_mm_task[0], unit_mm_task[1],
					  unit_mm_task[2] };
	uint8_t *buf, *want, *out, *img;
	size_t len, wlen, olen;
	static const uint8_t extra[] = { 0x98, 0x06, 0x2a }; /* 99: 42 */
	struct guard_criu_mm mm;
	uint32_t n;

	buf = unit_mm_image(unit_mm_task, 4, 1, &len);
	want = unit_mm_image(plain, 3, 1, &wlen);
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
	const struct unit_vma plain[] = { unit_mm_task[2], unit_mm_task[1],
					  unit_mm_task[0] };
	struct guard_ranges add;
	struct guard_criu_mm mm;
	uint8_t *img, *out, *back;
	size_t len, olen, blen;
	bool refused;

	unit_ranges_of(&add, g, n);
	img = unit_mm_image(plain, 3, 1, &len);
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
	buf = unit_mm_image(unit_mm_task, 4, 1, &len);
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
		{ "strip", test_strip },
		{ "append", test_append },
		{ "view", test_view },
	};

	/* The rejections are expected: keep their messages off the output. */
	guard_log_set_stderr_level(0);
	return unit_run("native", tests, UNIT_ARRAY_SIZE(tests));
}
