// SPDX-License-Identifier: GPL-2.0
/*
 * Binding guard images to their dump (issue 10): SHA-256 against FIPS
 * 180-4 vectors, CRIU's inventory reader (does the dump name the plugin),
 * and guard-binding.img written then checked against changed files.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guard_binding.h"
#include "guard_criu_images.h"
#include "guard_criu_syms.h"
#include "guard_log.h"
#include "guard_sha256.h"
#include "unit.h"
#include "unit_dir.h"

static void expect_sha(const void *data, size_t len, size_t repeat,
		       const char *want)
{
	struct guard_sha256 c;
	uint8_t d[GUARD_SHA256_LEN];
	char hex[2 * GUARD_SHA256_LEN + 1];

	guard_sha256_init(&c);
	for (size_t i = 0; i < repeat; i++)
		guard_sha256_update(&c, data, len);
	guard_sha256_final(&c, d);
	guard_sha256_hex(d, hex);
	EXPECT_MSG(!strcmp(hex, want), "got %s, want %s", hex, want);
}

static void test_sha256(void)
{
	static const char two[] =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	expect_sha(
		"", 0, 1,
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	expect_sha(
		"abc", 3, 1,
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	expect_sha(
		two, sizeof(two) - 1, 1,
		"248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_sha256_million(void)
{
	static char a[1000];
	struct guard_sha256 c;
	uint8_t d[GUARD_SHA256_LEN];
	char hex[2 * GUARD_SHA256_LEN + 1];
	size_t done = 0, step = 1;

	memset(a, 'a', sizeof(a));
	guard_sha256_init(&c);
	while (done < 1000000) {
		size_t n = step < 1000000 - done ? step : 1000000 - done;

		if (n > sizeof(a))
			n = sizeof(a);

		guard_sha256_update(&c, a, n);
		done += n;
		step = step % 997 + 13;
	}
	guard_sha256_final(&c, d);
	guard_sha256_hex(d, hex);
	EXPECT_MSG(
		!strcmp(hex,
			"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
		"got %s", hex);
}

/* An inventory: u32 magic, u32 length, the message bytes. */
static void write_inventory(const uint8_t *msg, size_t len, bool common)
{
	uint8_t buf[512];
	uint32_t m[2] = { CRIU_IMG_COMMON_MAGIC, CRIU_INVENTORY_MAGIC };
	uint32_t n = (uint32_t)len;
	size_t off = 0;

	if (common) {
		memcpy(buf, m, 8);
		off = 8;
	} else {
		memcpy(buf, &m[1], 4);
		off = 4;
	}
	memcpy(buf + off, &n, 4);
	memcpy(buf + off + 4, msg, len);
	unit_dir_write(CRIU_INVENTORY_NAME, buf, off + 4 + len);
}

/* img_version = 2, then plugins_entry { plugins: each name }. */
static size_t inventory_msg(uint8_t *out, const char *const *names, size_t n)
{
	size_t len = 0, inner = 0;

	out[len++] = 0x08;
	out[len++] = 2;
	if (!names)
		return len;
	for (size_t i = 0; i < n; i++)
		inner += 2 + strlen(names[i]);
	out[len++] = 12 << 3 | 2;
	out[len++] = (uint8_t)inner;
	for (size_t i = 0; i < n; i++) {
		out[len++] = 12 << 3 | 2;
		out[len++] = (uint8_t)strlen(names[i]);
		memcpy(out + len, names[i], strlen(names[i]));
		len += strlen(names[i]);
	}
	return len;
}

static int inv(const char *const *names, size_t n, bool common,
	       struct guard_criu_inventory *out)
{
	uint8_t msg[256];

	write_inventory(msg, inventory_msg(msg, names, n), common);
	return guard_criu_inventory_read(unit_dir_fd, out);
}

static void test_inventory(void)
{
	static const char *const ours[] = { GUARD_PLUGIN_NAME };
	static const char *const two[] = { "amdgpu_plugin", GUARD_PLUGIN_NAME };
	static const char *const prefix[] = { GUARD_PLUGIN_NAME "-old",
					      "criu-guar" };
	static const uint8_t junk[] = { 0xff, 0xff, 0xff, 0xff, 0xff };
	struct guard_criu_inventory i;
	uint8_t msg[256];
	size_t len;

	EXPECT_EQ(inv(ours, 1, false, &i), 0);
	EXPECT(i.has_plugin_list && i.names_plugin);
	EXPECT_EQ(inv(two, 2, true, &i), 0);
	EXPECT(i.has_plugin_list && i.names_plugin);
	EXPECT_EQ(inv(prefix, 2, false, &i), 0);
	EXPECT(i.has_plugin_list && !i.names_plugin);
	EXPECT_EQ(inv(NULL, 0, false, &i), 0);
	EXPECT(!i.has_plugin_list && !i.names_plugin);

	write_inventory(junk, sizeof(junk), false);
	EXPECT_EQ(guard_criu_inventory_read(unit_dir_fd, &i), -EINVAL);
	/* A second entry, or a length past the end: not CRIU's layout. */
	len = inventory_msg(msg, ours, 1);
	memcpy(msg + len, msg, len);
	write_inventory(msg, len, false);
	{
		uint8_t buf[512];
		int fd = openat(unit_dir_fd, CRIU_INVENTORY_NAME, O_RDONLY);
		ssize_t n = read(fd, buf, sizeof(buf));

		close(fd);
		unit_dir_write(CRIU_INVENTORY_NAME, buf, n - 1);
		EXPECT_EQ(guard_criu_inventory_read(unit_dir_fd, &i), -EINVAL);
		memcpy(buf + n, buf + 4, 4);
		unit_dir_write(CRIU_INVENTORY_NAME, buf, n + 4);
		EXPECT_EQ(guard_criu_inventory_read(unit_dir_fd, &i), -EINVAL);
	}
	unit_dir_write(CRIU_INVENTORY_NAME, "\x16\x31\x31", 3);
	EXPECT_EQ(guard_criu_inventory_read(unit_dir_fd, &i), -EINVAL);
	unlinkat(unit_dir_fd, CRIU_INVENTORY_NAME, 0);
	EXPECT_EQ(guard_criu_inventory_read(unit_dir_fd, &i), -ENOENT);
}

/* A dump of tasks 7 and 9: CRIU's files are opaque bytes to the binding. */
static void make_dump(struct guard_index *idx)
{
	static uint32_t pids[] = { 7, 9 };
	static const char *const ours[] = { GUARD_PLUGIN_NAME };
	struct guard_criu_inventory i;
	struct guard_ranges r;
	char name[64];

	ASSERT_EQ(inv(ours, 1, false, &i), 0);
	guard_ranges_init(&r);
	ASSERT_EQ(guard_ranges_add(&r, 0x10000, 0x12000), 0);
	for (size_t k = 0; k < 2; k++) {
		ASSERT_EQ(guard_task_image_write(unit_dir_fd, pids[k], &r), 0);
		snprintf(name, sizeof(name), "core-%u.img", pids[k]);
		unit_dir_write(name, name, strlen(name));
		snprintf(name, sizeof(name), "mm-%u.img", pids[k]);
		unit_dir_write(name, name, strlen(name));
	}
	guard_ranges_free(&r);
	ASSERT_EQ(guard_index_write(unit_dir_fd, pids, 2), 0);
	ASSERT_EQ(guard_index_read(unit_dir_fd, idx), 0);
	ASSERT_EQ(guard_binding_write(unit_dir_fd, idx), 0);
}

/* Replaces a file's content, checks, and puts the content back. */
static void expect_changed(const struct guard_index *idx, const char *name,
			   const char *content, int want)
{
	uint8_t save[4096];
	int fd = openat(unit_dir_fd, name, O_RDONLY);
	ssize_t n;

	ASSERT(fd >= 0);
	n = read(fd, save, sizeof(save));
	close(fd);
	ASSERT(n > 0);
	if (content)
		unit_dir_write(name, content, strlen(content));
	else
		unlinkat(unit_dir_fd, name, 0);
	EXPECT_MSG(guard_binding_check(unit_dir_fd, idx) == want, "%s", name);
	unit_dir_write(name, save, n);
	EXPECT_EQ(guard_binding_check(unit_dir_fd, idx), 0);
}

static void test_binding(void)
{
	static const char *const files[] = {
		CRIU_INVENTORY_NAME, GUARD_INDEX_NAME, "guard-7.img",
		"core-7.img",	     "mm-7.img",       "guard-9.img",
		"core-9.img",	     "mm-9.img",
	};
	struct guard_index idx, other;
	enum guard_dump_kind kind;
	uint32_t pid7 = 7;

	make_dump(&idx);
	EXPECT_EQ(guard_binding_check(unit_dir_fd, &idx), 0);
	EXPECT_EQ(guard_dump_decide(unit_dir_fd, &kind), 0);
	EXPECT_EQ(kind, GUARD_DUMP_OURS);
	EXPECT(guard_images_present(unit_dir_fd));
	/* Every file the binding covers: changed or gone, it is refused. */
	for (size_t i = 0; i < UNIT_ARRAY_SIZE(files); i++) {
		expect_changed(&idx, files[i], "another dump", -EINVAL);
		expect_changed(&idx, files[i], NULL, -ENOENT);
	}
	/* A binding for another task set (an index from elsewhere). */
	other = idx;
	other.pids = &pid7;
	other.n = 1;
	EXPECT_EQ(guard_binding_check(unit_dir_fd, &other), -EINVAL);
	expect_changed(&idx, GUARD_BINDING_NAME, "BND1 garbage", -EINVAL);
	expect_changed(&idx, GUARD_BINDING_NAME, NULL, -ENOENT);
	guard_index_free(&idx);
}

/* pstree.img with one entry { pid } per task (pids < 128). */
static void write_pstree(const uint8_t *pids, size_t n)
{
	uint32_t m[2] = { CRIU_IMG_COMMON_MAGIC, CRIU_PSTREE_MAGIC }, len = 2;
	uint8_t buf[256];
	size_t off = 8;

	memcpy(buf, m, 8);
	for (size_t i = 0; i < n; i++, off += 6) {
		memcpy(buf + off, &len, 4);
		buf[off + 4] = 0x08;
		buf[off + 5] = pids[i];
	}
	unit_dir_write(CRIU_PSTREE_NAME, buf, off);
}

static int decide(enum guard_dump_kind *kind)
{
	*kind = -1;
	return guard_dump_decide(unit_dir_fd, kind);
}

/*
 * The README's table of refusals: inventory naming the plugin or not x
 * binding this dump's, stale, absent or damaged x guard images or none.
 */
static void test_decide(void)
{
	static const uint8_t both[] = { 7, 9 }, other[] = { 11 },
			     nine[] = { 9 };
	static const char *const none[] = { "amdgpu_plugin" };
	struct guard_criu_inventory i;
	enum guard_dump_kind kind;
	struct guard_index idx;
	struct guard_ranges r;
	char name[64];

	make_dump(&idx);
	guard_index_free(&idx);
	write_pstree(both, 2);
	EXPECT_EQ(decide(&kind), 0);
	EXPECT_EQ(kind, GUARD_DUMP_OURS);
	/* The guards' own dump, its inventory damaged or swapped. */
	ASSERT_EQ(inv(none, 1, true, &i), 0);
	EXPECT_EQ(decide(&kind), -EINVAL);
	ASSERT_EQ(inv(NULL, 0, false, &i), 0);
	EXPECT_EQ(decide(&kind), -EINVAL);
	/* One task of the tree still has its recorded core image. */
	unit_dir_write("core-7.img", "new", 3);
	unit_dir_write("mm-7.img", "new", 3);
	EXPECT_EQ(decide(&kind), -EINVAL);
	/* A reused directory: the earlier dump's files of tasks not here. */
	write_pstree(other, 1);
	EXPECT_EQ(decide(&kind), 0);
	EXPECT_EQ(kind, GUARD_DUMP_STALE);
	write_pstree(nine, 1);
	EXPECT_EQ(decide(&kind), -EINVAL);
	/* ... or rewritten by this dump of the same pids. */
	unit_dir_write("core-9.img", "new", 3);
	unit_dir_write("mm-9.img", "new", 3);
	EXPECT_EQ(decide(&kind), 0);
	EXPECT_EQ(kind, GUARD_DUMP_STALE);
	/* A binding that can't be read can't say they are stale. */
	unit_dir_write(GUARD_BINDING_NAME, "BND1 garbage", 12);
	EXPECT_EQ(decide(&kind), -EINVAL);
	/* No binding: a task of this dump with guards in its image... */
	unlinkat(unit_dir_fd, GUARD_BINDING_NAME, 0);
	EXPECT_EQ(decide(&kind), -EINVAL);
	/* ... not if the guard-free dump rewrote it empty ... */
	guard_ranges_init(&r);
	ASSERT_EQ(guard_task_image_write(unit_dir_fd, 9, &r), 0);
	EXPECT_EQ(decide(&kind), 0);
	EXPECT_EQ(kind, GUARD_DUMP_STALE);
	/* ... or the task is not this dump's. */
	write_pstree(other, 1);
	EXPECT_EQ(decide(&kind), 0);
	EXPECT_EQ(kind, GUARD_DUMP_STALE);
	/* No guard images at all. */
	for (size_t k = 0; k < 2; k++) {
		snprintf(name, sizeof(name), "guard-%u.img", both[k]);
		unlinkat(unit_dir_fd, name, 0);
	}
	unlinkat(unit_dir_fd, GUARD_INDEX_NAME, 0);
	EXPECT_EQ(decide(&kind), 0);
	EXPECT_EQ(kind, GUARD_DUMP_NONE);
	/* pstree.img damaged where it is needed: refused, named. */
	make_dump(&idx);
	guard_index_free(&idx);
	ASSERT_EQ(inv(NULL, 0, false, &i), 0);
	unit_dir_write(CRIU_PSTREE_NAME, "\x19\x43\x56\x54", 4);
	EXPECT_EQ(decide(&kind), -EINVAL);
	unlinkat(unit_dir_fd, CRIU_PSTREE_NAME, 0);
	EXPECT_EQ(decide(&kind), -ENOENT);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{ "sha256", test_sha256 },
		{ "sha256_million", test_sha256_million },
		{ "inventory", test_inventory },
		{ "binding", test_binding },
		{ "decide", test_decide },
	};

	return unit_dir_run("binding", tests, UNIT_ARRAY_SIZE(tests));
}
