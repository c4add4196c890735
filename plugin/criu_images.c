// SPDX-License-Identifier: GPL-2.0
/*
 * A reader for the little of CRIU's mm-<pid>.img that the plugin needs.
 * CRIU images are a u32 common magic, a u32 image magic, then entries of
 * a u32 length and one protobuf message; mm images hold one MmEntry.  The
 * file is CRIU's, so anything unexpected is reported, never guessed at.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "criu_inventory.pb-c.h"
#include "criu_mm.pb-c.h"
#include "criu_pstree.pb-c.h"
#include "guard_criu_images.h"
#include "guard_criu_syms.h"
#include "guard_image.h"
#include "guard_imgdir.h"
#include "guard_log.h"

void guard_criu_mm_init(struct guard_criu_mm *mm)
{
	guard_ranges_init(&mm->mapped);
	guard_ranges_init(&mm->guards);
	mm->vdso = (struct guard_range){ 0, 0 };
	guard_ranges_init(&mm->locked);
}

void guard_criu_mm_free(struct guard_criu_mm *mm)
{
	guard_ranges_free(&mm->mapped);
	guard_ranges_free(&mm->guards);
	guard_ranges_free(&mm->locked);
}

void guard_criu_mm_name(char *buf, size_t len, uint32_t pid)
{
	snprintf(buf, len, "mm-%u.img", pid);
}

static int cmp_range(const void *a, const void *b)
{
	const struct guard_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Sorts v and adds it to out; overlaps mean the image is corrupt. */
static int add_sorted(struct guard_range *v, size_t n, const char *name,
		      const char *what, struct guard_ranges *out)
{
	if (n)
		qsort(v, n, sizeof(*v), cmp_range);
	for (size_t i = 0; i < n; i++) {
		int ret = guard_ranges_add(out, v[i].start, v[i].end);

		if (ret == -EINVAL)
			pr_err("%s: %s [%#llx, %#llx) overlaps another (corrupt)\n",
			       name, what, (unsigned long long)v[i].start,
			       (unsigned long long)v[i].end);
		if (ret)
			return ret;
	}
	return 0;
}

static int collect_vmas(const CriuMmEntry *e, const char *name,
			struct guard_criu_mm *out)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	struct guard_range *maps, *guards;
	size_t nm = 0, ng = 0;
	int ret = 0;

	maps = calloc(e->n_vmas + 1, sizeof(*maps));
	guards = calloc(e->n_vmas + 1, sizeof(*guards));
	if (!maps || !guards) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < e->n_vmas; i++) {
		const CriuVmaEntry *v = e->vmas[i];

		if (v->start >= v->end || v->start % page || v->end % page) {
			pr_err("%s: VMA %zu [%#llx, %#llx) is empty or not page-aligned (corrupt, or another page size)\n",
			       name, i, (unsigned long long)v->start,
			       (unsigned long long)v->end);
			ret = -EINVAL;
			goto out;
		}
		if (v->status & CRIU_VMA_AREA_VDSO)
			out->vdso = (struct guard_range){ v->start, v->end };
		if (v->status & CRIU_VMA_AREA_GUARD)
			guards[ng++] = (struct guard_range){ v->start, v->end };
		else
			maps[nm++] = (struct guard_range){ v->start, v->end };
		if (!ret && v->has_flags && (v->flags & CRIU_MAP_LOCKED))
			ret = guard_ranges_add(&out->locked, v->start, v->end);
	}
	if (ret)
		goto out;
	ret = add_sorted(maps, nm, name, "VMA", &out->mapped);
	if (!ret)
		ret = add_sorted(guards, ng, name, "guard range", &out->guards);
out:
	free(maps);
	free(guards);
	return ret;
}

/*
 * CRIU images start with the common magic and the image's own; images of
 * very old CRIUs, and the inventory, carry the image magic alone.  Sets
 * *off to the first entry.
 */
static int skip_magic(const uint8_t *buf, size_t len, const char *name,
		      uint32_t img_magic, const char *kind, size_t *off)
{
	uint32_t magic[2] = { 0, 0 };

	memcpy(magic, buf, len < 8 ? len : 8);
	if (magic[0] == CRIU_IMG_COMMON_MAGIC && len >= 8 &&
	    magic[1] == img_magic) {
		*off = 8;
		return 0;
	}
	if (magic[0] == img_magic && len >= 4) {
		*off = 4;
		return 0;
	}
	pr_err("%s: bad magic %#x %#x, not a CRIU %s image\n", name, magic[0],
	       magic[1], kind);
	return -EINVAL;
}

/* The length of the entry at off, which must lie wholly inside buf. */
static int entry_at(const uint8_t *buf, size_t len, size_t off,
		    const char *name, uint32_t *n)
{
	*n = 0;
	if (len - off >= 4)
		memcpy(n, buf + off, 4);
	if (len - off < 4) {
		pr_err("%s: truncated after %zu bytes, in the length of the entry at offset %zu\n",
		       name, len, off);
		return -EINVAL;
	}
	if (*n > len - off - 4) {
		pr_err("%s: truncated after %zu of %llu bytes (entry at offset %zu)\n",
		       name, len, (unsigned long long)off + 4 + *n, off);
		return -EINVAL;
	}
	return 0;
}

/*
 * The message of the entry at *off, unpacked with desc, and *off moved
 * past the entry: NULL with *ret set and a message naming name if the
 * entry is cut short or does not decode.
 */
static ProtobufCMessage *entry_next(const uint8_t *buf, size_t len, size_t *off,
				    const char *name,
				    const ProtobufCMessageDescriptor *desc,
				    int *ret)
{
	ProtobufCMessage *m;
	uint32_t n;

	*ret = entry_at(buf, len, *off, name, &n);
	if (*ret)
		return NULL;
	m = protobuf_c_message_unpack(desc, NULL, n, buf + *off + 4);
	if (!m) {
		pr_err("%s: entry at offset %zu does not decode (corrupt)\n",
		       name, *off);
		*ret = -EINVAL;
		return NULL;
	}
	*off += 4 + n;
	return m;
}

int guard_criu_mm_decode(const uint8_t *buf, size_t len, const char *name,
			 struct guard_criu_mm *out)
{
	size_t off, entries = 0;
	int ret = 0;

	guard_criu_mm_init(out);
	if (skip_magic(buf, len, name, CRIU_MM_MAGIC, "mm", &off))
		return -EINVAL;
	while (!ret && off < len) {
		CriuMmEntry *e = (CriuMmEntry *)entry_next(
			buf, len, &off, name, &criu_mm_entry__descriptor, &ret);

		if (!e)
			break;
		if (entries++) {
			pr_err("%s: more than one mm entry\n", name);
			ret = -EINVAL;
		} else {
			ret = collect_vmas(e, name, out);
		}
		criu_mm_entry__free_unpacked(e, NULL);
	}
	if (!ret && !entries) {
		pr_err("%s: holds no mm entry (truncated)\n", name);
		ret = -EINVAL;
	}
	if (ret)
		guard_criu_mm_free(out);
	return ret;
}

int guard_criu_mm_read(int dirfd, uint32_t pid, struct guard_criu_mm *out)
{
	uint8_t *buf;
	char name[64];
	size_t len;
	int ret;

	guard_criu_mm_init(out);
	guard_criu_mm_name(name, sizeof(name), pid);
	ret = guard_read_whole(dirfd, name, 8, 8 + CRIU_IMG_MAX_ENTRY, &buf,
			       &len);
	if (ret)
		return ret;
	ret = guard_criu_mm_decode(buf, len, name, out);
	free(buf);
	return ret;
}

int guard_criu_mm_check(const struct guard_criu_mm *mm, const char *name,
			const struct guard_ranges *g)
{
	size_t bad;

	if (!guard_ranges_cover(&mm->mapped, g, &bad)) {
		pr_err("%s: guard range [%#llx, %#llx) lies outside the task's mappings in its mm image\n",
		       name, (unsigned long long)g->v[bad].start,
		       (unsigned long long)g->v[bad].end);
		return -EINVAL;
	}
	for (size_t i = 0; i < mm->locked.n; i++) {
		const struct guard_range *l = &mm->locked.v[i];

		if (!guard_ranges_overlap(g, l->start, l->end))
			continue;
		pr_err("%s: a guard range lies in the mlock()ed mapping [%#llx, %#llx): criu restores it locked (MAP_LOCKED) and the kernel refuses to install guards in locked memory; refusing the restore\n",
		       name, (unsigned long long)l->start,
		       (unsigned long long)l->end);
		return -EOPNOTSUPP;
	}
	return 0;
}

/* The single entry of an image that holds one; -EINVAL if not exactly one. */
static int only_entry(const uint8_t *buf, size_t len, size_t off,
		      const char *name, const uint8_t **msg, size_t *msg_len)
{
	uint32_t n;

	if (entry_at(buf, len, off, name, &n))
		return -EINVAL;
	if (off + 4 + n != len) {
		pr_err("%s: %zu bytes after its one entry (corrupt)\n", name,
		       len - off - 4 - n);
		return -EINVAL;
	}
	*msg = buf + off + 4;
	*msg_len = n;
	return 0;
}

int guard_criu_inventory_decode(const uint8_t *buf, size_t len,
				const char *name,
				struct guard_criu_inventory *out)
{
	CriuInventoryEntry *e;
	const uint8_t *msg;
	size_t off, n;

	memset(out, 0, sizeof(*out));
	if (skip_magic(buf, len, name, CRIU_INVENTORY_MAGIC, "inventory",
		       &off) ||
	    only_entry(buf, len, off, name, &msg, &n))
		return -EINVAL;
	e = criu_inventory_entry__unpack(NULL, n, msg);
	if (!e) {
		pr_err("%s: does not decode (corrupt)\n", name);
		return -EINVAL;
	}
	out->has_plugin_list = e->plugins_entry != NULL;
	for (size_t i = 0; e->plugins_entry && i < e->plugins_entry->n_plugins;
	     i++)
		if (!strcmp(e->plugins_entry->plugins[i], GUARD_PLUGIN_NAME))
			out->names_plugin = true;
	criu_inventory_entry__free_unpacked(e, NULL);
	return 0;
}

int guard_criu_inventory_read(int dirfd, struct guard_criu_inventory *out)
{
	uint8_t *buf;
	size_t len;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = guard_read_whole(dirfd, CRIU_INVENTORY_NAME, 4,
			       8 + CRIU_IMG_MAX_ENTRY, &buf, &len);
	if (ret)
		return ret;
	ret = guard_criu_inventory_decode(buf, len, CRIU_INVENTORY_NAME, out);
	free(buf);
	return ret;
}

int guard_criu_pstree_decode(const uint8_t *buf, size_t len, const char *name,
			     struct guard_criu_pstree *out)
{
	size_t off;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (skip_magic(buf, len, name, CRIU_PSTREE_MAGIC, "pstree", &off))
		return -EINVAL;
	while (!ret && off < len) {
		CriuPstreeEntry *e = (CriuPstreeEntry *)entry_next(
			buf, len, &off, name, &criu_pstree_entry__descriptor,
			&ret);
		uint32_t *v;

		if (!e)
			break;
		v = realloc(out->pids, (out->n + 1) * sizeof(*v));
		if (v) {
			out->pids = v;
			out->pids[out->n++] = e->pid;
		}
		ret = v ? 0 : -ENOMEM;
		criu_pstree_entry__free_unpacked(e, NULL);
	}
	if (!ret && !out->n) {
		pr_err("%s: holds no task (truncated)\n", name);
		ret = -EINVAL;
	}
	if (ret)
		guard_criu_pstree_free(out);
	return ret;
}

int guard_criu_pstree_read(int dirfd, struct guard_criu_pstree *out)
{
	uint8_t *buf;
	size_t len;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = guard_read_whole(dirfd, CRIU_PSTREE_NAME, 8,
			       8 + CRIU_IMG_MAX_ENTRY, &buf, &len);
	if (ret == -ENOENT)
		pr_err("CRIU's %s is missing\n", CRIU_PSTREE_NAME);
	if (ret)
		return ret;
	ret = guard_criu_pstree_decode(buf, len, CRIU_PSTREE_NAME, out);
	free(buf);
	return ret;
}

bool guard_criu_pstree_has(const struct guard_criu_pstree *t, uint32_t pid)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->pids[i] == pid)
			return true;
	return false;
}

void guard_criu_pstree_free(struct guard_criu_pstree *t)
{
	free(t->pids);
	memset(t, 0, sizeof(*t));
}
