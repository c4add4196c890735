// SPDX-License-Identifier: GPL-2.0
/*
 * criu's pagemap images as CRIU >= 4.2 writes them, for a criu < 4.2
 * (guard_native_pagemap.h).  Entries are edited at the wire level: only
 * the page count moves to the old field, every other byte stays.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "guard_criu_images.h"
#include "guard_imgdir.h"
#include "guard_log.h"
#include "guard_native_pagemap.h"
#include "guard_protowire.h"

/* images/pagemap.proto: PagemapEntry */
#define PM_FIELD_VADDR 1
#define PM_FIELD_NR_PAGES 2
#define PM_FIELD_NR_PAGES64 5

/*
 * A PagemapEntry's vaddr and page count.  CRIU >= 4.2 writes the count in
 * a 64-bit field (5) and leaves the old one (2) zero: *new says so.
 */
static int pm_entry(const uint8_t *m, size_t n, uint64_t *vaddr, uint64_t *nr,
		    bool *new)
{
	size_t off = 0;
	struct guard_wire w;

	*vaddr = *nr = 0;
	*new = false;
	while (off < n) {
		if (guard_wire_next(m, n, &off, &w))
			return -EINVAL;
		if (w.type != 0)
			continue;
		if (w.field == PM_FIELD_VADDR)
			*vaddr = w.val;
		else if (w.field == PM_FIELD_NR_PAGES && !*new)
			*nr = w.val;
		else if (w.field == PM_FIELD_NR_PAGES64) {
			*nr = w.val;
			*new = true;
		}
	}
	return 0;
}

/*
 * The entry for criu < 4.2: the count in field 2, every other field as
 * it was (field 5 too, which older criu skips).  out holds n + 11 bytes.
 */
static int pm_entry_compat(const uint8_t *m, size_t n, uint8_t *out,
			   size_t *out_len)
{
	uint64_t vaddr, nr;
	size_t off = 0;
	struct guard_wire w;
	bool new;

	if (pm_entry(m, n, &vaddr, &nr, &new) || nr > UINT32_MAX)
		return -EINVAL;
	*out_len = 0;
	while (off < n) {
		guard_wire_next(m, n, &off, &w);
		if (new &&w.field == PM_FIELD_NR_PAGES)
			continue;
		memcpy(out + *out_len, m + w.start, w.end - w.start);
		*out_len += w.end - w.start;
	}
	if (new) {
		out[(*out_len)++] = PM_FIELD_NR_PAGES << 3;
		*out_len += guard_wire_put_varint(out + *out_len, nr);
	}
	return 0;
}

static int pagemap_walk(const uint8_t *buf, size_t len, const char *name,
			struct guard_pm_walk *pw)
{
	size_t off = 8, entries = 0, n_out;
	uint32_t n;

	if (len < 8 || ((const uint32_t *)buf)[1] != CRIU_PAGEMAP_MAGIC)
		goto bad;
	if (pw->out)
		memcpy(pw->out, buf, 8);
	pw->out_len = 8;
	for (; off < len; off += 4 + n) {
		const uint8_t *m = buf + off + 4;
		uint64_t vaddr, nr;
		bool new;

		if (len - off < 4)
			goto bad;
		memcpy(&n, buf + off, 4);
		if (n > len - off - 4)
			goto bad;
		/* The first entry is the head (pages_id): as it is. */
		if (entries++ == 0 || !pw->out) {
			n_out = n;
			if (pw->out)
				memcpy(pw->out + pw->out_len + 4, m, n);
		} else if (pm_entry_compat(m, n, pw->out + pw->out_len + 4,
					   &n_out)) {
			goto bad;
		}
		if (entries > 1 && pm_entry(m, n, &vaddr, &nr, &new))
			goto bad;
		if (entries > 1 && pw->vdso && vaddr < pw->vdso->end &&
		    vaddr + nr * 4096 > pw->vdso->start)
			pw->vdso_has = true;
		pw->new_entries += entries > 1 && new;
		if (pw->out)
			memcpy(pw->out + pw->out_len, &(uint32_t){ n_out }, 4);
		pw->out_len += 4 + n_out;
	}
	return 0;
bad:
	pr_err("%s: not a pagemap image this plugin can read (corrupt?)\n",
	       name);
	return -EINVAL;
}

bool guard_pagemap_name(const char *name)
{
	size_t n = strlen(name);

	return !strncmp(name, "pagemap-", 8) && n > 12 &&
	       !strcmp(name + n - 4, ".img");
}

int guard_pagemap_read(int dirfd, const char *name, bool copy,
		       struct guard_pm_walk *pw)
{
	uint8_t *buf;
	size_t len;
	int ret;

	ret = guard_read_whole(dirfd, name, 8, 8 + CRIU_IMG_MAX_ENTRY, &buf,
			       &len);
	if (ret)
		return ret;
	pw->out = copy ? malloc(3 * len + 64) : NULL;
	ret = copy && !pw->out ? -ENOMEM : pagemap_walk(buf, len, name, pw);
	free(buf);
	if (ret) {
		free(pw->out);
		pw->out = NULL;
	}
	return ret;
}

/* Every pagemap image: the CRIU 4.2 counts, and the tasks' vDSO contents. */
int guard_native_pagemaps_read(int dirfd, struct guard_native *nv)
{
	struct dirent *de;
	DIR *d = guard_dir_open(dirfd);
	int ret = 0;

	if (!d)
		return -EIO;
	while (!ret && (de = readdir(d))) {
		struct guard_native_task *t = NULL;
		struct guard_pm_walk pw = { 0 };
		uint32_t pid;
		char *end;

		if (!guard_pagemap_name(de->d_name))
			continue;
		pid = (uint32_t)strtoul(de->d_name + 8, &end, 10);
		if (!strcmp(end, ".img"))
			t = guard_native_find(nv, pid);
		if (t && t->vdso.end)
			pw.vdso = &t->vdso;
		ret = guard_pagemap_read(dirfd, de->d_name, false, &pw);
		if (t && t->vdso.end)
			t->vdso_missing = !pw.vdso_has;
		nv->pagemaps += pw.new_entries != 0;
	}
	closedir(d);
	return ret;
}
