// SPDX-License-Identifier: GPL-2.0
/*
 * guard_image: round trips, and every kind of bad image must give an error
 * (never a crash, never half an image).  Bad images are crafted with the
 * generated protobuf code and a hand-made header.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guard.pb-c.h"
#include "guard_image.h"
#include "guard_log.h"
#include "unit.h"
#include "unit_dir.h"

#define TASK_SIZE ((1ULL << 47) - 4096)

static long pg;

static uint8_t *read_raw(const char *name, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	int fd = openat(unit_dir_fd, name, O_RDONLY);

	ASSERT(fd >= 0);
	ASSERT(!fstat(fd, &st));
	buf = malloc(st.st_size + 1);
	ASSERT(buf);
	ASSERT(read(fd, buf, st.st_size) == st.st_size);
	close(fd);
	*len = st.st_size;
	return buf;
}

/* Header and message, as image.c writes them (host order, x86 little). */
static uint8_t *frame(uint32_t magic, const ProtobufCMessage *msg, size_t *len)
{
	size_t n = protobuf_c_message_get_packed_size(msg);
	uint8_t *buf = malloc(8 + n);
	uint32_t hdr[2] = { magic, (uint32_t)n };

	ASSERT(buf);
	memcpy(buf, hdr, 8);
	protobuf_c_message_pack(msg, buf + 8);
	*len = 8 + n;
	return buf;
}

static void ranges_seq(struct guard_ranges *r, size_t n)
{
	guard_ranges_init(r);
	for (size_t i = 0; i < n; i++)
		ASSERT_EQ(guard_ranges_add(r, (3 * i + 16) * pg,
					   (3 * i + 16 + 1 + i % 2) * pg),
			  0);
}

/* The bytes of guard-<pid>.img as the writer makes it for n ranges. */
static uint8_t *task_raw(uint32_t pid, size_t n, size_t *len)
{
	struct guard_ranges in;
	char name[32];

	ranges_seq(&in, n);
	ASSERT_EQ(guard_task_image_write(unit_dir_fd, pid, &in), 0);
	guard_ranges_free(&in);
	guard_image_name(name, sizeof(name), pid);
	return read_raw(name, len);
}

static bool tmp_left_behind(void)
{
	struct dirent *de;
	bool found = false;
	DIR *d = fdopendir(dup(unit_dir_fd));

	while (d && (de = readdir(d)))
		if (strstr(de->d_name, ".tmp"))
			found = true;
	if (d)
		closedir(d);
	return found;
}

static void test_task_round_trip(void)
{
	static const size_t sizes[] = { 0, 1, 5000 };

	for (size_t k = 0; k < UNIT_ARRAY_SIZE(sizes); k++) {
		struct guard_ranges in, out;
		uint32_t pid = 100 + k;

		ranges_seq(&in, sizes[k]);
		guard_ranges_init(&out);
		EXPECT_EQ(guard_task_image_write(unit_dir_fd, pid, &in), 0);
		EXPECT_EQ(guard_task_image_read(unit_dir_fd, pid, TASK_SIZE,
						&out),
			  0);
		EXPECT_RANGES(&out, &in);
		/* Reading again over a filled list replaces it. */
		EXPECT_EQ(guard_task_image_read(unit_dir_fd, pid, TASK_SIZE,
						&out),
			  0);
		EXPECT_RANGES(&out, &in);
		guard_ranges_free(&in);
		guard_ranges_free(&out);
	}
	EXPECT(!tmp_left_behind());
	/* Overwriting an image replaces it whole. */
	{
		struct guard_ranges big, small, out;

		ranges_seq(&big, 100);
		ranges_seq(&small, 2);
		guard_ranges_init(&out);
		EXPECT_EQ(guard_task_image_write(unit_dir_fd, 7, &big), 0);
		EXPECT_EQ(guard_task_image_write(unit_dir_fd, 7, &small), 0);
		EXPECT_EQ(
			guard_task_image_read(unit_dir_fd, 7, TASK_SIZE, &out),
			0);
		EXPECT_RANGES(&out, &small);
		guard_ranges_free(&big);
		guard_ranges_free(&small);
		guard_ranges_free(&out);
	}
}

static void test_image_name(void)
{
	char name[64];

	guard_image_name(name, sizeof(name), 4294967295u);
	EXPECT(!strcmp(name, "guard-4294967295.img"));
	guard_image_name(name, sizeof(name), 1);
	EXPECT(!strcmp(name, "guard-1.img"));
	EXPECT(strlen(guard_image_arch()) > 0);
}

static void test_index_round_trip(void)
{
	static const uint32_t pids[] = { 1, 5, 42, 4194304 };
	struct guard_index idx;

	EXPECT_EQ(guard_index_write(unit_dir_fd, pids, UNIT_ARRAY_SIZE(pids)),
		  0);
	EXPECT_EQ(guard_index_read(unit_dir_fd, &idx), 0);
	EXPECT_EQ(idx.n, UNIT_ARRAY_SIZE(pids));
	if (idx.n == UNIT_ARRAY_SIZE(pids))
		EXPECT(!memcmp(idx.pids, pids, sizeof(pids)));
	guard_index_free(&idx);
	EXPECT_EQ(idx.n, 0);
	EXPECT(idx.pids == NULL);

	/* A dump of no task with guards still writes a (empty) index. */
	EXPECT_EQ(guard_index_write(unit_dir_fd, NULL, 0), 0);
	EXPECT_EQ(guard_index_read(unit_dir_fd, &idx), 0);
	EXPECT_EQ(idx.n, 0);
	guard_index_free(&idx);
	EXPECT(!tmp_left_behind());
}

static void test_missing(void)
{
	struct guard_ranges out;
	struct guard_index idx;

	guard_ranges_init(&out);
	EXPECT_EQ(guard_task_image_read(unit_dir_fd, 999999, TASK_SIZE, &out),
		  -ENOENT);
	unlinkat(unit_dir_fd, GUARD_INDEX_NAME, 0);
	EXPECT_EQ(guard_index_read(unit_dir_fd, &idx), -ENOENT);
	/* A bad directory fd is an error too, for both writers. */
	EXPECT(guard_task_image_write(-1, 1, &out) < 0);
	EXPECT(guard_index_write(-1, NULL, 0) < 0);
}

/* Writes buf as guard-<pid>.img and expects reading it to fail cleanly. */
static void expect_task_bad(const char *what, uint32_t pid, const void *buf,
			    size_t len, int want)
{
	struct guard_ranges out;
	char name[64];
	int ret;

	guard_image_name(name, sizeof(name), pid);
	unit_dir_write(name, buf, len);
	/* A list holding something: a failed read must leave it alone. */
	guard_ranges_init(&out);
	guard_ranges_add(&out, pg, 2 * pg);
	ret = guard_task_image_read(unit_dir_fd, pid, TASK_SIZE, &out);
	if (want)
		EXPECT_MSG(ret == want, "%s: got %d, want %d", what, ret, want);
	else
		EXPECT_MSG(ret < 0, "%s: got %d, want an error", what, ret);
	EXPECT_MSG(out.n == 1 && out.v[0].start == (uint64_t)pg,
		   "%s: output changed on failure", what);
	guard_ranges_free(&out);
}

static void test_task_truncated(void)
{
	size_t len;
	uint8_t *buf = task_raw(20, 10, &len);

	ASSERT(len > 40);
	/* Every cut: inside the header, at its end, inside the message. */
	for (size_t cut = 0; cut < len; cut++) {
		char what[64];

		snprintf(what, sizeof(what), "cut at %zu of %zu", cut, len);
		expect_task_bad(what, 20, buf, cut, -EINVAL);
	}
	/* One byte too many is as wrong as one too few. */
	buf = realloc(buf, len + 1);
	buf[len] = 0;
	expect_task_bad("one byte appended", 20, buf, len + 1, -EINVAL);
	free(buf);
}

static void test_task_bad_header(void)
{
	uint32_t hdr[2];
	size_t len;
	uint8_t *buf = task_raw(21, 3, &len);
	const struct {
		uint32_t magic, len;
		const char *what;
	} bad[] = {
		/* An index where a task image goes. */
		{ GUARD_IMG_INDEX_MAGIC, len - 8, "index magic" },
		{ 0, len - 8, "zero magic" },
		{ GUARD_IMG_TASK_MAGIC, len - 8 + 1, "length too big" },
		{ GUARD_IMG_TASK_MAGIC, len - 8 - 1, "length too small" },
		{ GUARD_IMG_TASK_MAGIC, 0xffffffff, "length 4 GiB" },
	};

	memcpy(hdr, buf, 8);
	EXPECT_EQ(hdr[0], GUARD_IMG_TASK_MAGIC);
	EXPECT_EQ(hdr[1], len - 8);

	for (size_t i = 0; i < UNIT_ARRAY_SIZE(bad); i++) {
		hdr[0] = bad[i].magic;
		hdr[1] = bad[i].len;
		memcpy(buf, hdr, 8);
		expect_task_bad(bad[i].what, 21, buf, len, -EINVAL);
	}

	/* Right header, garbage message. */
	hdr[1] = len - 8;
	memcpy(buf, hdr, 8);
	memset(buf + 8, 0xff, len - 8);
	expect_task_bad("garbage protobuf", 21, buf, len, -EINVAL);
	free(buf);

	/* Only a header, claiming an empty message: required fields missing. */
	hdr[0] = GUARD_IMG_TASK_MAGIC;
	hdr[1] = 0;
	expect_task_bad("empty message", 21, hdr, 8, -EINVAL);
}

/* A file bigger than any image: refused before it is read. */
static void test_task_huge(void)
{
	uint32_t hdr[2] = { GUARD_IMG_TASK_MAGIC, 0 };
	struct guard_ranges out;
	int fd;

	fd = openat(unit_dir_fd, "guard-22.img", O_WRONLY | O_CREAT | O_TRUNC,
		    0600);
	ASSERT(fd >= 0);
	ASSERT(write(fd, hdr, 8) == 8);
	ASSERT(!ftruncate(fd, 8 + (off_t)GUARD_IMG_MAX_PAYLOAD + 1));
	close(fd);
	guard_ranges_init(&out);
	EXPECT_EQ(guard_task_image_read(unit_dir_fd, 22, TASK_SIZE, &out),
		  -EINVAL);
	guard_ranges_free(&out);
	unlinkat(unit_dir_fd, "guard-22.img", 0);
}

/*
 * Item 6 of issue 10: the writer refuses exactly what the reader refuses.
 * A valid image of exactly the largest payload (padded with an unknown
 * field, which protobuf skips) is read; one byte more is refused by both.
 */
static void test_task_size_boundary(void)
{
	GuardTaskEntry e = GUARD_TASK_ENTRY__INIT;
	size_t small, pad, len;
	uint8_t head[64];
	uint32_t hdr[2];
	struct guard_ranges out;
	int fd;

	EXPECT_EQ(guard_image_size_check("x", GUARD_IMG_MAX_PAYLOAD), 0);
	EXPECT_EQ(guard_image_size_check("x", GUARD_IMG_MAX_PAYLOAD + 1),
		  -EFBIG);
	for (int extra = 0; extra <= 1; extra++) {
		e.version = GUARD_IMG_VERSION;
		e.page_size = pg;
		e.arch = (char *)guard_image_arch();
		e.pid = 23;
		small = guard_task_entry__pack(&e, head);
		/* field 100, length-delimited: 2 tag bytes, 4 length bytes */
		pad = GUARD_IMG_MAX_PAYLOAD + extra - small - 6;
		head[small] = 0xa2;
		head[small + 1] = 0x06;
		for (int i = 0; i < 4; i++)
			head[small + 2 + i] = (uint8_t)(pad >> (7 * i) & 0x7f) |
					      (i < 3 ? 0x80 : 0);
		len = small + 6 + pad;
		hdr[0] = GUARD_IMG_TASK_MAGIC;
		hdr[1] = (uint32_t)len;
		fd = openat(unit_dir_fd, "guard-23.img",
			    O_WRONLY | O_CREAT | O_TRUNC, 0600);
		ASSERT(fd >= 0);
		ASSERT(write(fd, hdr, 8) == 8);
		ASSERT(write(fd, head, small + 6) == (ssize_t)(small + 6));
		ASSERT(!ftruncate(fd, 8 + (off_t)len));
		close(fd);
		guard_ranges_init(&out);
		EXPECT_EQ(
			guard_task_image_read(unit_dir_fd, 23, TASK_SIZE, &out),
			extra ? -EINVAL : 0);
		guard_ranges_free(&out);
		EXPECT_EQ(guard_image_size_check("guard-23.img", len),
			  extra ? -EFBIG : 0);
	}
	unlinkat(unit_dir_fd, "guard-23.img", 0);
}

/* The size computed before writing is the size written, byte for byte. */
static void test_task_image_size(void)
{
	static const uint64_t bases[] = { 0x1000, 0x200000, 0x7ffffff00000ULL };
	static const uint32_t pids[] = { 1, 300, 4194304 };
	struct guard_ranges r;
	struct stat st;
	char name[64];

	for (size_t b = 0; b < UNIT_ARRAY_SIZE(bases); b++) {
		for (size_t n = 0; n < 40; n += 13) {
			uint32_t pid = pids[(b + n) % UNIT_ARRAY_SIZE(pids)];

			guard_ranges_init(&r);
			for (size_t i = 0; i < n; i++)
				ASSERT_EQ(guard_ranges_add(
						  &r,
						  bases[b] + (2 * i + 1) * pg,
						  bases[b] + (2 * i + 2) * pg),
					  0);
			ASSERT_EQ(guard_task_image_write(unit_dir_fd, pid, &r),
				  0);
			guard_image_name(name, sizeof(name), pid);
			ASSERT_EQ(fstatat(unit_dir_fd, name, &st, 0), 0);
			EXPECT_EQ(guard_task_image_size(pid, &r) + 8,
				  st.st_size);
			unlinkat(unit_dir_fd, name, 0);
			guard_ranges_free(&r);
		}
	}
}

/* Item 8: one definition of a task image's name, exact form only. */
static void test_image_parse_name(void)
{
	uint32_t pid = 0;

	EXPECT(guard_image_parse_name("guard-5.img", &pid) && pid == 5);
	EXPECT(guard_image_parse_name("guard-4294967295.img", &pid) &&
	       pid == 4294967295u);
	EXPECT(!guard_image_parse_name("guard-5.img.tmp", &pid));
	EXPECT(!guard_image_parse_name("guard-05.img", &pid));
	EXPECT(!guard_image_parse_name("guard-+5.img", &pid));
	EXPECT(!guard_image_parse_name("guard-4294967296.img", &pid));
	EXPECT(!guard_image_parse_name("guard-index.img", &pid));
	EXPECT(!guard_image_parse_name("guard-5.imgx", &pid));
}

struct entry {
	GuardTaskEntry e;
	GuardRangeEntry r[4];
	GuardRangeEntry *rp[4];
};

/* A valid entry for pid with n ranges; callers then spoil one field. */
static void entry_init(struct entry *t, uint32_t pid, size_t n)
{
	guard_task_entry__init(&t->e);
	t->e.version = GUARD_IMG_VERSION;
	t->e.page_size = pg;
	t->e.arch = (char *)guard_image_arch();
	t->e.pid = pid;
	for (size_t i = 0; i < 4; i++) {
		guard_range_entry__init(&t->r[i]);
		t->r[i].start = (10 + 4 * i) * pg;
		t->r[i].end = (12 + 4 * i) * pg;
		t->rp[i] = &t->r[i];
	}
	t->e.n_ranges = n;
	t->e.ranges = t->rp;
}

static void expect_entry(const char *what, struct entry *t, int want)
{
	uint8_t *buf;
	size_t len;

	buf = frame(GUARD_IMG_TASK_MAGIC, &t->e.base, &len);
	if (want) {
		expect_task_bad(what, t->e.pid, buf, len, want);
	} else {
		struct guard_ranges out;
		char name[64];

		guard_image_name(name, sizeof(name), t->e.pid);
		unit_dir_write(name, buf, len);
		guard_ranges_init(&out);
		EXPECT_MSG(!guard_task_image_read(unit_dir_fd, t->e.pid,
						  TASK_SIZE, &out),
			   "%s: refused", what);
		guard_ranges_free(&out);
	}
	free(buf);
}

static void test_task_bad_fields(void)
{
	char other_arch[] = "not-this-arch";
	struct entry t;

	/* The crafted baseline is good: the failures below are the field's. */
	entry_init(&t, 30, 4);
	expect_entry("crafted baseline", &t, 0);

	entry_init(&t, 30, 1);
	t.e.version = GUARD_IMG_VERSION + 1;
	expect_entry("version + 1", &t, -EINVAL);
	t.e.version = 0;
	expect_entry("version 0", &t, -EINVAL);

	entry_init(&t, 30, 1);
	t.e.page_size = pg * 4;
	expect_entry("page size", &t, -EINVAL);

	entry_init(&t, 30, 1);
	t.e.arch = other_arch;
	expect_entry("arch", &t, -EINVAL);
	t.e.arch = "";
	expect_entry("empty arch", &t, -EINVAL);

	entry_init(&t, 30, 2);
	t.r[1].start += 1;
	expect_entry("unaligned start", &t, -EINVAL);
	entry_init(&t, 30, 2);
	t.r[1].end -= 1;
	expect_entry("unaligned end", &t, -EINVAL);

	entry_init(&t, 30, 2);
	t.r[1].end = t.r[1].start;
	expect_entry("empty range", &t, -EINVAL);
	entry_init(&t, 30, 2);
	t.r[1].end = t.r[1].start - pg;
	expect_entry("reversed range", &t, -EINVAL);

	entry_init(&t, 30, 3);
	t.rp[1] = &t.r[2];
	t.rp[2] = &t.r[1];
	expect_entry("unsorted", &t, -EINVAL);

	entry_init(&t, 30, 2);
	t.r[1].start = t.r[0].end - pg;
	expect_entry("overlapping", &t, -EINVAL);
	entry_init(&t, 30, 2);
	t.rp[1] = &t.r[0];
	expect_entry("same range twice", &t, -EINVAL);

	entry_init(&t, 30, 2);
	t.r[1].start = TASK_SIZE;
	t.r[1].end = TASK_SIZE + pg;
	expect_entry("above task size", &t, -EINVAL);
	t.r[1].start = TASK_SIZE - pg;
	t.r[1].end = TASK_SIZE + pg;
	expect_entry("across task size", &t, -EINVAL);
	t.r[1].start = 0xffffffffff600000ULL; /* [vsyscall] */
	t.r[1].end = 0xffffffffff601000ULL;
	expect_entry("vsyscall", &t, -EINVAL);
	t.r[1].start = TASK_SIZE - pg;
	t.r[1].end = TASK_SIZE;
	expect_entry("ending at task size", &t, 0);

	/* Touching ranges are legal and come back merged. */
	entry_init(&t, 31, 2);
	t.r[1].start = t.r[0].end;
	expect_entry("touching", &t, 0);
	{
		struct guard_ranges out;

		guard_ranges_init(&out);
		EXPECT_EQ(
			guard_task_image_read(unit_dir_fd, 31, TASK_SIZE, &out),
			0);
		EXPECT_EQ(out.n, 1);
		if (out.n == 1)
			EXPECT_EQ(out.v[0].end, t.r[1].end);
		guard_ranges_free(&out);
	}
}

/* guard-5.img that says it is pid 6: someone renamed or mixed up images. */
static void test_task_pid_mismatch(void)
{
	struct entry t;
	uint8_t *buf;
	size_t len;

	entry_init(&t, 6, 1);
	buf = frame(GUARD_IMG_TASK_MAGIC, &t.e.base, &len);
	expect_task_bad("pid 6 in guard-5.img", 5, buf, len, -EINVAL);
	free(buf);
}

/* The buffer decoder with no file around it. */
static void test_task_decode(void)
{
	struct guard_task_image img;
	struct entry t;
	uint8_t *buf;
	size_t len;

	entry_init(&t, 77, 4);
	buf = frame(GUARD_IMG_TASK_MAGIC, &t.e.base, &len);
	EXPECT_EQ(guard_task_image_decode(buf, len, "buf", TASK_SIZE, &img), 0);
	EXPECT_EQ(img.pid, 77);
	EXPECT_EQ(img.ranges.n, 4);
	guard_ranges_free(&img.ranges);
	/* A task size below the last range: refused, nothing to free. */
	EXPECT_EQ(guard_task_image_decode(buf, len, "buf", 20 * pg, &img),
		  -EINVAL);
	EXPECT_EQ(img.ranges.n, 0);
	EXPECT(img.ranges.v == NULL);
	EXPECT_EQ(guard_task_image_decode(buf, 0, "buf", TASK_SIZE, &img),
		  -EINVAL);
	EXPECT_EQ(guard_task_image_decode(buf, 7, "buf", TASK_SIZE, &img),
		  -EINVAL);
	free(buf);
}

static void expect_index_bad(const char *what, const void *buf, size_t len)
{
	struct guard_index idx;
	int ret;

	unit_dir_write(GUARD_INDEX_NAME, buf, len);
	ret = guard_index_read(unit_dir_fd, &idx);
	EXPECT_MSG(ret == -EINVAL, "%s: got %d, want -EINVAL", what, ret);
	EXPECT_MSG(idx.n == 0 && idx.pids == NULL,
		   "%s: output not empty on failure", what);
	guard_index_free(&idx);
}

static void test_index_bad(void)
{
	char other_arch[] = "not-this-arch";
	GuardIndexEntry e = GUARD_INDEX_ENTRY__INIT;
	uint32_t unsorted[] = { 1, 7, 5 }, repeated[] = { 3, 3 };
	uint32_t good[] = { 2, 3 };
	uint8_t *buf;
	size_t len;

	e.version = GUARD_IMG_VERSION;
	e.page_size = pg;
	e.arch = (char *)guard_image_arch();

	e.n_pids = 2;
	e.pids = good;
	buf = frame(GUARD_IMG_INDEX_MAGIC, &e.base, &len);
	unit_dir_write(GUARD_INDEX_NAME, buf, len);
	{
		struct guard_index idx;

		EXPECT_EQ(guard_index_read(unit_dir_fd, &idx), 0);
		EXPECT_EQ(idx.n, 2);
		guard_index_free(&idx);
	}
	for (size_t cut = 0; cut < len; cut++)
		expect_index_bad("truncated index", buf, cut);
	free(buf);
	buf = frame(GUARD_IMG_TASK_MAGIC, &e.base, &len);
	expect_index_bad("task magic on an index", buf, len);
	free(buf);

	e.pids = unsorted;
	e.n_pids = 3;
	buf = frame(GUARD_IMG_INDEX_MAGIC, &e.base, &len);
	expect_index_bad("unsorted pids", buf, len);
	free(buf);
	e.pids = repeated;
	e.n_pids = 2;
	buf = frame(GUARD_IMG_INDEX_MAGIC, &e.base, &len);
	expect_index_bad("repeated pid", buf, len);
	free(buf);

	e.pids = good;
	e.version = GUARD_IMG_VERSION + 1;
	buf = frame(GUARD_IMG_INDEX_MAGIC, &e.base, &len);
	expect_index_bad("index version", buf, len);
	free(buf);
	e.version = GUARD_IMG_VERSION;
	e.page_size = 2 * pg;
	buf = frame(GUARD_IMG_INDEX_MAGIC, &e.base, &len);
	expect_index_bad("index page size", buf, len);
	free(buf);
	e.page_size = pg;
	e.arch = other_arch;
	buf = frame(GUARD_IMG_INDEX_MAGIC, &e.base, &len);
	expect_index_bad("index arch", buf, len);
	free(buf);
}

/* A task image is not an index, and a file of zeros is neither. */
static void test_swapped_and_zero(void)
{
	uint8_t zeros[64] = { 0 };
	struct guard_index idx;
	size_t len;
	uint8_t *buf = task_raw(40, 2, &len);
	unit_dir_write(GUARD_INDEX_NAME, buf, len);
	EXPECT_EQ(guard_index_read(unit_dir_fd, &idx), -EINVAL);
	free(buf);
	ASSERT_EQ(guard_index_write(unit_dir_fd, NULL, 0), 0);
	buf = read_raw(GUARD_INDEX_NAME, &len);
	expect_task_bad("index as task image", 41, buf, len, -EINVAL);
	free(buf);
	expect_task_bad("zeros", 42, zeros, sizeof(zeros), -EINVAL);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{ "task_round_trip", test_task_round_trip },
		{ "image_name", test_image_name },
		{ "index_round_trip", test_index_round_trip },
		{ "missing", test_missing },
		{ "task_truncated", test_task_truncated },
		{ "task_bad_header", test_task_bad_header },
		{ "task_huge", test_task_huge },
		{ "task_size_boundary", test_task_size_boundary },
		{ "task_image_size", test_task_image_size },
		{ "image_parse_name", test_image_parse_name },
		{ "task_bad_fields", test_task_bad_fields },
		{ "task_pid_mismatch", test_task_pid_mismatch },
		{ "task_decode", test_task_decode },
		{ "index_bad", test_index_bad },
		{ "swapped_and_zero", test_swapped_and_zero },
	};

	pg = sysconf(_SC_PAGESIZE);
	return unit_dir_run("image", tests, UNIT_ARRAY_SIZE(tests));
}
