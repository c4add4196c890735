// SPDX-License-Identifier: GPL-2.0
/*
 * Test helper for flows/modes.sh and flows/failures.sh: shows a live
 * task's guard ranges, shows what the plugin's and CRIU's images hold, and
 * crafts bad guard images (another page size, a range somewhere else) to
 * check that restore refuses them.
 *
 *   imgtool scan PID                  guard ranges of a live task (pagemap
 *                                     bit 58, the tests' oracle)
 *   imgtool ranges DIR PID            ranges in DIR/guard-PID.img
 *   imgtool mm DIR PID                "map"/"guard" lines of DIR/mm-PID.img
 *   imgtool set-page-size FILE N      rewrite page_size of a guard image
 *   imgtool add-range FILE START END  add [START, END) to guard-PID.img
 *   imgtool copy-native DIR PID       write guard-PID.img and the index
 *                                     with the guard ranges of mm-PID.img
 *   imgtool name-plugin DIR           make DIR/inventory.img name the
 *                                     plugin, as a dump with guards does
 *   imgtool rebind DIR                write guard-binding.img for the
 *                                     images as they are now, so that a
 *                                     crafted image reaches the checks
 *                                     after the binding's
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guard.pb-c.h"
#include "guard_binding.h"
#include "guard_criu_syms.h"
#include "guard_criu_images.h"
#include "guard_image.h"
#include "guard_scan.h"
#include "guardtst.h"

static void print_ranges(const char *tag, const struct guard_ranges *r)
{
	for (size_t i = 0; i < r->n; i++)
		printf("%s%#" PRIx64 "-%#" PRIx64 "\n", tag, r->v[i].start,
		       r->v[i].end);
}

/* The live task's guards by the tests' own oracle, not the plugin's. */
static int scan(pid_t pid)
{
	struct guard_ranges r;
	int ret;

	guard_ranges_init(&r);
	ret = gt_pagemap_snapshot(pid, &r) ? -EIO : 0;
	if (!ret)
		print_ranges("", &r);
	guard_ranges_free(&r);
	return ret;
}

static int open_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	if (fd < 0) {
		fd = -errno;
		perror(dir);
	}
	return fd;
}

/* Runs op on task pid's images in dir. */
static int in_dir(const char *dir, uint32_t pid, int (*op)(int, uint32_t))
{
	int fd = open_dir(dir), ret;

	if (fd < 0)
		return fd;
	ret = op(fd, pid);
	close(fd);
	return ret;
}

static int ranges(int fd, uint32_t pid)
{
	struct guard_ranges r;
	int ret;

	guard_ranges_init(&r);
	ret = guard_task_image_read(fd, pid, UINT64_MAX, &r);
	if (!ret)
		print_ranges("", &r);
	guard_ranges_free(&r);
	return ret;
}

static int mm(int fd, uint32_t pid)
{
	struct guard_criu_mm m;
	int ret = guard_criu_mm_read(fd, pid, &m);

	if (!ret) {
		print_ranges("map ", &m.mapped);
		print_ranges("guard ", &m.guards);
		guard_criu_mm_free(&m);
	}
	return ret;
}

/*
 * Plugin images that repeat what criu (>= 4.2) recorded itself, as if both
 * had handled the same guards: restore must install each range once.
 */
static int copy_native(int fd, uint32_t pid)
{
	struct guard_criu_mm m;
	int ret = guard_criu_mm_read(fd, pid, &m);

	if (!ret && !m.guards.n)
		ret = -ENOENT;
	if (!ret)
		ret = guard_task_image_write(fd, pid, &m.guards);
	if (!ret)
		ret = guard_index_write(fd, &pid, 1);
	guard_criu_mm_free(&m);
	return ret;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) || st.st_size < 8) {
		perror(path);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	buf = malloc(st.st_size);
	if (buf && read(fd, buf, st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	close(fd);
	*len = st.st_size;
	return buf;
}

static int spill(const char *path, uint32_t magic, const ProtobufCMessage *m)
{
	size_t len = protobuf_c_message_get_packed_size(m);
	uint32_t hdr[2] = { magic, (uint32_t)len };
	uint8_t *buf = malloc(8 + len);
	FILE *f;
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	memcpy(buf, hdr, 8);
	protobuf_c_message_pack(m, buf + 8);
	f = fopen(path, "w");
	if (!f || fwrite(buf, 1, 8 + len, f) != 8 + len)
		ret = -EIO;
	if (f && fclose(f))
		ret = -EIO;
	free(buf);
	return ret;
}

static int set_page_size(const char *path, uint32_t page)
{
	const ProtobufCMessageDescriptor *desc = NULL;
	const ProtobufCFieldDescriptor *field;
	ProtobufCMessage *m = NULL;
	uint32_t magic;
	uint8_t *buf;
	size_t len;
	int ret = -EINVAL;

	buf = slurp(path, &len);
	if (!buf)
		return -EIO;
	memcpy(&magic, buf, 4);
	/* Task image or index: both carry a uint32 page_size. */
	if (magic == GUARD_IMG_TASK_MAGIC)
		desc = &guard_task_entry__descriptor;
	else if (magic == GUARD_IMG_INDEX_MAGIC)
		desc = &guard_index_entry__descriptor;
	if (desc)
		m = protobuf_c_message_unpack(desc, NULL, len - 8, buf + 8);
	if (m) {
		field = protobuf_c_message_descriptor_get_field_by_name(
			desc, "page_size");
		memcpy((char *)m + field->offset, &page, sizeof(page));
		ret = spill(path, magic, m);
		protobuf_c_message_free_unpacked(m, NULL);
	}
	free(buf);
	return ret;
}

static int add_range(const char *path, uint64_t start, uint64_t end)
{
	GuardRangeEntry nr = GUARD_RANGE_ENTRY__INIT, **v;
	GuardTaskEntry *e;
	uint8_t *buf;
	size_t len, at = 0;
	int ret;

	buf = slurp(path, &len);
	if (!buf)
		return -EIO;
	e = guard_task_entry__unpack(NULL, len - 8, buf + 8);
	free(buf);
	if (!e)
		return -EINVAL;
	/* Kept sorted: the image must stay valid except where it lies. */
	while (at < e->n_ranges && e->ranges[at]->start < start)
		at++;
	v = calloc(e->n_ranges + 1, sizeof(*v));
	if (!v) {
		guard_task_entry__free_unpacked(e, NULL);
		return -ENOMEM;
	}
	memcpy(v, e->ranges, at * sizeof(*v));
	nr.start = start;
	nr.end = end;
	v[at] = &nr;
	memcpy(v + at + 1, e->ranges + at, (e->n_ranges - at) * sizeof(*v));
	free(e->ranges);
	e->ranges = v;
	e->n_ranges++;
	ret = spill(path, GUARD_IMG_TASK_MAGIC, &e->base);
	/* nr is on the stack: take it out before protobuf-c frees the rest. */
	memmove(v + at, v + at + 1, (e->n_ranges - at - 1) * sizeof(*v));
	e->n_ranges--;
	guard_task_entry__free_unpacked(e, NULL);
	return ret;
}

/*
 * Appends plugins_entry { plugins: "criu-guard" } (field 12 of both) to the
 * inventory's one entry: protobuf merges a repeated field written twice.
 * The inventory is a u32 magic, a u32 length and the message.
 */
static int name_plugin(const char *dir)
{
	static const char name[] = GUARD_PLUGIN_NAME;
	uint8_t add[2 + 2 + sizeof(name)];
	char path[4096];
	uint32_t n;
	size_t len;
	uint8_t *buf;
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/inventory.img", dir);
	buf = slurp(path, &len);
	if (!buf)
		return -EIO;
	memcpy(&n, buf + 4, 4);
	if (n != len - 8) {
		free(buf);
		return -EINVAL;
	}
	add[0] = 12 << 3 | 2;
	add[1] = 2 + sizeof(name) - 1;
	add[2] = 12 << 3 | 2;
	add[3] = sizeof(name) - 1;
	memcpy(add + 4, name, sizeof(name) - 1);
	n += sizeof(add) - 1;
	memcpy(buf + 4, &n, 4);
	f = fopen(path, "w");
	if (!f || fwrite(buf, 1, len, f) != len ||
	    fwrite(add, 1, sizeof(add) - 1, f) != sizeof(add) - 1)
		ret = -EIO;
	if (f && fclose(f))
		ret = -EIO;
	free(buf);
	return ret;
}

static int rebind(const char *dir)
{
	struct guard_index idx;
	int dirfd, ret;

	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -errno;
	ret = guard_index_read(dirfd, &idx);
	if (!ret)
		ret = guard_binding_write(dirfd, &idx);
	guard_index_free(&idx);
	close(dirfd);
	return ret;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: imgtool scan PID | ranges DIR PID | mm DIR PID |"
		" set-page-size FILE N | add-range FILE START END |"
		" copy-native DIR PID | name-plugin DIR | rebind DIR\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	int ret;

	if (!strcmp(cmd, "scan") && argc == 3)
		ret = scan(atoi(argv[2]));
	else if (!strcmp(cmd, "ranges") && argc == 4)
		ret = in_dir(argv[2], strtoul(argv[3], NULL, 10), ranges);
	else if (!strcmp(cmd, "mm") && argc == 4)
		ret = in_dir(argv[2], strtoul(argv[3], NULL, 10), mm);
	else if (!strcmp(cmd, "set-page-size") && argc == 4)
		ret = set_page_size(argv[2], strtoul(argv[3], NULL, 0));
	else if (!strcmp(cmd, "copy-native") && argc == 4)
		ret = in_dir(argv[2], strtoul(argv[3], NULL, 10), copy_native);
	else if (!strcmp(cmd, "name-plugin") && argc == 3)
		ret = name_plugin(argv[2]);
	else if (!strcmp(cmd, "rebind") && argc == 3)
		ret = rebind(argv[2]);
	else if (!strcmp(cmd, "add-range") && argc == 5)
		ret = add_range(argv[2], strtoull(argv[3], NULL, 0),
				strtoull(argv[4], NULL, 0));
	else
		usage();
	if (ret)
		fprintf(stderr, "imgtool %s: %s\n", cmd, strerror(-ret));
	return ret ? 1 : 0;
}
