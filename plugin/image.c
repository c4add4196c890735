// SPDX-License-Identifier: GPL-2.0
/*
 * The plugin's image files.  Each is a u32 magic, a u32 payload length and
 * one protobuf message.  Everything read is checked before anything is
 * used: a restore must fail on a bad image, never apply half of it.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "guard.pb-c.h"
#include "guard_image.h"
#include "guard_imgdir.h"
#include "guard_log.h"

/*
 * The three images carry the same header fields in messages of their own
 * (proto/guard.proto), so one macro sets them in all.
 */
#define GUARD_IMG_HEADER_SET(e)                                                \
	do {                                                                   \
		(e).version = GUARD_IMG_VERSION;                               \
		(e).page_size = (uint32_t)sysconf(_SC_PAGESIZE);               \
		(e).arch = (char *)guard_image_arch();                         \
	} while (0)

const char *guard_image_arch(void)
{
	static struct utsname u;

	if (!u.machine[0] && uname(&u))
		return "unknown";
	return u.machine;
}

void guard_image_name(char *buf, size_t len, uint32_t pid)
{
	snprintf(buf, len, "guard-%u.img", pid);
}

bool guard_image_parse_name(const char *name, uint32_t *pid)
{
	char again[64];
	unsigned int n;

	if (sscanf(name, "guard-%u.img", &n) != 1)
		return false;
	/* Only the exact form: not "guard-01.img", not "guard-5.img.tmp". */
	guard_image_name(again, sizeof(again), n);
	if (strcmp(again, name))
		return false;
	*pid = n;
	return true;
}

int guard_image_size_check(const char *name, size_t payload)
{
	if (payload <= GUARD_IMG_MAX_PAYLOAD)
		return 0;
	pr_err("%s would hold %zu bytes, more than the %u MiB a restore reads: refused\n",
	       name, payload, GUARD_IMG_MAX_PAYLOAD >> 20);
	return -EFBIG;
}

int guard_image_write(int dirfd, const char *name, uint32_t magic,
		      const ProtobufCMessage *msg)
{
	size_t len = protobuf_c_message_get_packed_size(msg);
	uint8_t *buf;
	char tmp[64];
	uint32_t hdr[2] = { htole32(magic), htole32((uint32_t)len) };
	ssize_t n;
	int fd, ret = 0;

	/* Never write what guard_image_read() would refuse. */
	if (guard_image_size_check(name, len))
		return -EFBIG;
	buf = malloc(GUARD_IMG_HDR_LEN + len);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, hdr, GUARD_IMG_HDR_LEN);
	protobuf_c_message_pack(msg, buf + GUARD_IMG_HDR_LEN);
	/* Write then rename, so a crash never leaves a short image behind. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	/*
	 * No O_TRUNC: a file reserved ahead (guard_binding_reserve()) keeps
	 * its blocks, so the write can't run out of space; cut to size after.
	 */
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = -errno;
		pr_perror("Can't create %s", tmp);
		goto out;
	}
	n = write(fd, buf, GUARD_IMG_HDR_LEN + len);
	if (n != (ssize_t)(GUARD_IMG_HDR_LEN + len)) {
		/* A short write sets no errno. */
		ret = n < 0 ? -errno : -ENOSPC;
		pr_err("Can't write %s: %s\n", tmp, strerror(-ret));
	}
	if (!ret && ftruncate(fd, GUARD_IMG_HDR_LEN + len)) {
		ret = -errno;
		pr_perror("Can't truncate %s", tmp);
	}
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && renameat(dirfd, tmp, dirfd, name)) {
		ret = -errno;
		pr_perror("Can't rename %s to %s", tmp, name);
	}
	if (ret)
		unlinkat(dirfd, tmp, 0);
out:
	free(buf);
	return ret;
}

int guard_image_read(int dirfd, const char *name, uint8_t **buf, size_t *len)
{
	return guard_read_whole(dirfd, name, GUARD_IMG_HDR_LEN,
				GUARD_IMG_HDR_LEN + GUARD_IMG_MAX_PAYLOAD, buf,
				len);
}

int guard_image_check_header(const uint8_t *buf, size_t len, const char *name,
			     uint32_t magic)
{
	uint32_t hdr[2];

	if (len < GUARD_IMG_HDR_LEN) {
		pr_err("%s: %zu bytes, shorter than the header (truncated)\n",
		       name, len);
		return -EINVAL;
	}
	memcpy(hdr, buf, GUARD_IMG_HDR_LEN);
	hdr[0] = le32toh(hdr[0]);
	hdr[1] = le32toh(hdr[1]);
	if (hdr[0] != magic) {
		pr_err("%s: bad magic %#x, expected %#x\n", name, hdr[0],
		       magic);
		return -EINVAL;
	}
	if (hdr[1] > len - GUARD_IMG_HDR_LEN) {
		pr_err("%s: truncated after %zu of %llu bytes\n", name, len,
		       (unsigned long long)hdr[1] + GUARD_IMG_HDR_LEN);
		return -EINVAL;
	}
	if (hdr[1] < len - GUARD_IMG_HDR_LEN) {
		pr_err("%s: %zu bytes after the %u-byte payload its header announces (corrupt)\n",
		       name, len - GUARD_IMG_HDR_LEN - hdr[1], hdr[1]);
		return -EINVAL;
	}
	return 0;
}

int guard_image_check_common(const char *name, uint32_t version, uint32_t page,
			     const char *arch)
{
	long my_page = sysconf(_SC_PAGESIZE);

	if (version != GUARD_IMG_VERSION) {
		pr_err("%s: format version %u, this plugin reads %u\n", name,
		       version, GUARD_IMG_VERSION);
		return -EINVAL;
	}
	if (page != (uint32_t)my_page) {
		pr_err("%s: made with page size %u, this system has %ld\n",
		       name, page, my_page);
		return -EINVAL;
	}
	if (strcmp(arch, guard_image_arch())) {
		pr_err("%s: made on %s, this system is %s\n", name, arch,
		       guard_image_arch());
		return -EINVAL;
	}
	return 0;
}

static int check_ranges(const char *name, const GuardTaskEntry *e,
			uint64_t task_size, struct guard_ranges *out)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), prev_end = 0;

	for (size_t i = 0; i < e->n_ranges; i++) {
		uint64_t s = e->ranges[i]->start, t = e->ranges[i]->end;

		if (s % page || t % page) {
			pr_err("%s: range %zu [%#llx, %#llx) not page-aligned\n",
			       name, i, (unsigned long long)s,
			       (unsigned long long)t);
			return -EINVAL;
		}
		if (s >= t || s < prev_end) {
			pr_err("%s: range %zu [%#llx, %#llx) empty, unsorted or overlapping\n",
			       name, i, (unsigned long long)s,
			       (unsigned long long)t);
			return -EINVAL;
		}
		if (t > task_size) {
			pr_err("%s: range %zu ends at %#llx, above the task size %#llx\n",
			       name, i, (unsigned long long)t,
			       (unsigned long long)task_size);
			return -EINVAL;
		}
		if (guard_ranges_add(out, s, t))
			return -ENOMEM;
		prev_end = t;
	}
	return 0;
}

static size_t varint_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/*
 * The payload guard_task_image_write() would produce, computed without
 * building the message: a task with millions of ranges is refused before
 * hundreds of MiB of protobuf entries are allocated in criu.
 */
size_t guard_task_image_size(uint32_t pid, const struct guard_ranges *ranges)
{
	GuardTaskEntry e = GUARD_TASK_ENTRY__INIT;
	size_t len;

	GUARD_IMG_HEADER_SET(e);
	e.pid = pid;
	len = protobuf_c_message_get_packed_size(&e.base);
	for (size_t i = 0; i < ranges->n; i++) {
		/* start = 1 and end = 2: a one-byte tag and a varint each */
		size_t inner = 2 + varint_len(ranges->v[i].start) +
			       varint_len(ranges->v[i].end);

		/* ranges = 5: a one-byte tag, the length, the entry */
		len += 1 + varint_len(inner) + inner;
	}
	return len;
}

int guard_task_image_write(int dirfd, uint32_t pid,
			   const struct guard_ranges *ranges)
{
	GuardTaskEntry e = GUARD_TASK_ENTRY__INIT;
	GuardRangeEntry *re = NULL, **rp = NULL;
	char name[64];
	int ret;

	guard_image_name(name, sizeof(name), pid);
	if (guard_image_size_check(name, guard_task_image_size(pid, ranges)))
		return -EFBIG;
	GUARD_IMG_HEADER_SET(e);
	e.pid = pid;
	if (ranges->n) {
		re = calloc(ranges->n, sizeof(*re));
		rp = calloc(ranges->n, sizeof(*rp));
		if (!re || !rp) {
			ret = -ENOMEM;
			goto out;
		}
	}
	for (size_t i = 0; i < ranges->n; i++) {
		guard_range_entry__init(&re[i]);
		re[i].start = ranges->v[i].start;
		re[i].end = ranges->v[i].end;
		rp[i] = &re[i];
	}
	e.n_ranges = ranges->n;
	e.ranges = rp;
	ret = guard_image_write(dirfd, name, GUARD_IMG_TASK_MAGIC, &e.base);
out:
	free(re);
	free(rp);
	return ret;
}

struct ProtobufCMessage *
guard_image_decode(const uint8_t *buf, size_t len, const char *name,
		   uint32_t magic,
		   const struct ProtobufCMessageDescriptor *desc)
{
	ProtobufCMessage *m;

	if (guard_image_check_header(buf, len, name, magic))
		return NULL;
	m = protobuf_c_message_unpack(desc, NULL, len - GUARD_IMG_HDR_LEN,
				      buf + GUARD_IMG_HDR_LEN);
	if (!m)
		pr_err("%s: corrupt (protobuf does not decode)\n", name);
	return m;
}

int guard_task_image_decode(const uint8_t *buf, size_t len, const char *name,
			    uint64_t task_size, struct guard_task_image *out)
{
	GuardTaskEntry *e;
	int ret;

	guard_ranges_init(&out->ranges);
	e = (GuardTaskEntry *)guard_image_decode(buf, len, name,
						 GUARD_IMG_TASK_MAGIC,
						 &guard_task_entry__descriptor);
	if (!e)
		return -EINVAL;
	ret = guard_image_check_common(name, e->version, e->page_size, e->arch);
	if (!ret) {
		out->pid = e->pid;
		ret = check_ranges(name, e, task_size, &out->ranges);
	}
	if (ret)
		guard_ranges_free(&out->ranges);
	guard_task_entry__free_unpacked(e, NULL);
	return ret;
}

int guard_task_image_read(int dirfd, uint32_t pid, uint64_t task_size,
			  struct guard_ranges *out)
{
	struct guard_task_image img;
	char name[64];
	uint8_t *buf;
	size_t len;
	int ret;

	guard_image_name(name, sizeof(name), pid);
	ret = guard_image_read(dirfd, name, &buf, &len);
	if (ret)
		return ret;
	ret = guard_task_image_decode(buf, len, name, task_size, &img);
	free(buf);
	if (ret)
		return ret;
	if (img.pid != pid) {
		pr_err("%s: records pid %u\n", name, img.pid);
		guard_ranges_free(&img.ranges);
		return -EINVAL;
	}
	guard_ranges_free(out);
	*out = img.ranges;
	return 0;
}

int guard_index_write(int dirfd, const uint32_t *pids, size_t n)
{
	GuardIndexEntry e = GUARD_INDEX_ENTRY__INIT;

	GUARD_IMG_HEADER_SET(e);
	e.n_pids = n;
	e.pids = (uint32_t *)pids;
	return guard_image_write(dirfd, GUARD_INDEX_NAME, GUARD_IMG_INDEX_MAGIC,
				 &e.base);
}

int guard_index_decode(const uint8_t *buf, size_t len, const char *name,
		       struct guard_index *out)
{
	GuardIndexEntry *e;
	int ret;

	memset(out, 0, sizeof(*out));
	e = (GuardIndexEntry *)guard_image_decode(
		buf, len, name, GUARD_IMG_INDEX_MAGIC,
		&guard_index_entry__descriptor);
	if (!e)
		return -EINVAL;
	ret = guard_image_check_common(name, e->version, e->page_size, e->arch);
	if (!ret) {
		/* What the file says, for show: not this host's values. */
		out->version = e->version;
		out->page_size = e->page_size;
		snprintf(out->arch, sizeof(out->arch), "%s", e->arch);
	}
	if (!ret && e->n_pids) {
		out->pids = malloc(e->n_pids * sizeof(*out->pids));
		if (!out->pids)
			ret = -ENOMEM;
		else
			memcpy(out->pids, e->pids,
			       e->n_pids * sizeof(*out->pids));
		out->n = out->pids ? e->n_pids : 0;
	}
	if (!ret && !guard_pids_ascending(out->pids, out->n)) {
		pr_err("%s: pids not sorted or repeated\n", name);
		ret = -EINVAL;
	}
	if (ret)
		guard_index_free(out);
	guard_index_entry__free_unpacked(e, NULL);
	return ret;
}

int guard_index_read(int dirfd, struct guard_index *out)
{
	uint8_t *buf;
	size_t len;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = guard_image_read(dirfd, GUARD_INDEX_NAME, &buf, &len);
	if (ret)
		return ret;
	ret = guard_index_decode(buf, len, GUARD_INDEX_NAME, out);
	free(buf);
	return ret;
}

void guard_index_free(struct guard_index *idx)
{
	free(idx->pids);
	memset(idx, 0, sizeof(*idx));
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

void guard_pids_sort(uint32_t *pids, size_t n)
{
	if (n)
		qsort(pids, n, sizeof(*pids), cmp_u32);
}

bool guard_pids_ascending(const uint32_t *pids, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (pids[i] <= pids[i - 1])
			return false;
	return true;
}

bool guard_pids_has(const uint32_t *pids, size_t n, uint32_t pid)
{
	return n && bsearch(&pid, pids, n, sizeof(*pids), cmp_u32);
}
