// SPDX-License-Identifier: GPL-2.0
/*
 * CRIU >= 4.2's guard ranges in mm-<pid>.img, read and hidden from an older
 * criu (guard_native_images.h).  The mm image is CRIU's: the copy in the
 * view drops whole VMA entries at the protobuf wire level and keeps every
 * other byte, so fields the plugin does not know travel unchanged.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "criu_mm.pb-c.h"
#include "guard_array.h"
#include "guard_criu_images.h"
#include "guard_image.h"
#include "guard_log.h"
#include "guard_native_images.h"

#define MM_FIELD_VMAS 14
/* images/pagemap.proto: PagemapEntry */
#define PM_FIELD_VADDR 1
#define PM_FIELD_NR_PAGES 2
#define PM_FIELD_NR_PAGES64 5

void guard_native_init(struct guard_native *nv)
{
	memset(nv, 0, sizeof(*nv));
	nv->img_fd = -1;
	nv->orig_fd = -1;
}

void guard_native_free(struct guard_native *nv)
{
	for (size_t i = 0; i < nv->n; i++)
		guard_ranges_free(&nv->v[i].guards);
	free(nv->v);
	nv->v = NULL;
	nv->n = nv->cap = nv->tasks = nv->ranges = 0;
}

static bool parse_mm_name(const char *name, uint32_t *pid)
{
	char *end;
	unsigned long v;

	if (strncmp(name, "mm-", 3) || name[3] < '0' || name[3] > '9')
		return false;
	errno = 0;
	v = strtoul(name + 3, &end, 10);
	if (errno || v > UINT32_MAX || strcmp(end, ".img"))
		return false;
	*pid = (uint32_t)v;
	return true;
}

static int cmp_task(const void *a, const void *b)
{
	const struct guard_native_task *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static int list_mm(int dirfd, struct guard_native *nv)
{
	struct dirent *de;
	int fd = dup(dirfd);
	DIR *d;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		pr_perror("Can't list the images directory");
		return -EIO;
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		uint32_t pid;

		if (!parse_mm_name(de->d_name, &pid))
			continue;
		if (GUARD_ARRAY_GROW(nv->v, nv->n, nv->cap, 16)) {
			closedir(d);
			return -ENOMEM;
		}
		nv->v[nv->n].pid = pid;
		guard_ranges_init(&nv->v[nv->n++].guards);
	}
	closedir(d);
	if (nv->n)
		qsort(nv->v, nv->n, sizeof(*nv->v), cmp_task);
	return 0;
}

/* A protobuf varint at *off, which must end before len. */
static int varint(const uint8_t *b, size_t len, size_t *off, uint64_t *v)
{
	*v = 0;
	for (unsigned int shift = 0; *off < len && shift < 64; shift += 7) {
		uint8_t c = b[(*off)++];

		*v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return 0;
	}
	return -EINVAL;
}

static size_t put_varint(uint8_t *out, uint64_t v)
{
	size_t n = 0;

	do {
		out[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	return n;
}

/* One protobuf field on the wire. */
struct wire {
	uint64_t field, type;
	uint64_t val;		 /* a varint's value, or a payload's length */
	size_t start, data, end; /* the field, its payload, its end */
};

static int wire_next(const uint8_t *b, size_t len, size_t *off, struct wire *w)
{
	uint64_t key;

	w->start = *off;
	if (varint(b, len, off, &key))
		return -EINVAL;
	w->field = key >> 3;
	w->type = key & 7;
	switch (w->type) {
	case 0:
		if (varint(b, len, off, &w->val))
			return -EINVAL;
		w->data = w->end = *off;
		return 0;
	case 1:
	case 5:
		w->val = w->type == 1 ? 8 : 4;
		break;
	case 2:
		if (varint(b, len, off, &w->val))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (w->val > len - *off)
		return -EINVAL;
	w->data = *off;
	*off += w->val;
	w->end = *off;
	return 0;
}

/* Where the field starting at *off ends; *drop if it is a guard VMA. */
static int wire_field(const uint8_t *b, size_t len, size_t *off, bool *drop)
{
	struct wire w;

	*drop = false;
	if (wire_next(b, len, off, &w))
		return -EINVAL;
	if (w.field == MM_FIELD_VMAS && w.type == 2) {
		CriuVmaEntry *v =
			criu_vma_entry__unpack(NULL, w.val, b + w.data);

		if (!v)
			return -EINVAL;
		*drop = v->status & CRIU_VMA_AREA_GUARD;
		criu_vma_entry__free_unpacked(v, NULL);
	}
	return 0;
}

/*
 * A PagemapEntry's vaddr and page count.  CRIU >= 4.2 writes the count in
 * a 64-bit field (5) and leaves the old one (2) zero: *new says so.
 */
static int pm_entry(const uint8_t *m, size_t n, uint64_t *vaddr, uint64_t *nr,
		    bool *new)
{
	size_t off = 0;
	struct wire w;

	*vaddr = *nr = 0;
	*new = false;
	while (off < n) {
		if (wire_next(m, n, &off, &w))
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
	struct wire w;
	bool new;

	if (pm_entry(m, n, &vaddr, &nr, &new) || nr > UINT32_MAX)
		return -EINVAL;
	*out_len = 0;
	while (off < n) {
		wire_next(m, n, &off, &w);
		if (new &&w.field == PM_FIELD_NR_PAGES)
			continue;
		memcpy(out + *out_len, m + w.start, w.end - w.start);
		*out_len += w.end - w.start;
	}
	if (new) {
		out[(*out_len)++] = PM_FIELD_NR_PAGES << 3;
		*out_len += put_varint(out + *out_len, nr);
	}
	return 0;
}

/*
 * What a walk over a pagemap image found: whether an entry overlaps vdso
 * (if given), how many entries count their pages the CRIU 4.2 way, and,
 * if out is set (room for 3 * len + 64 bytes), the image for criu < 4.2.
 */
struct pm_walk {
	const struct guard_range *vdso;
	bool vdso_has;
	size_t new_entries;
	uint8_t *out;
	size_t out_len;
};

static int pagemap_walk(const uint8_t *buf, size_t len, const char *name,
			struct pm_walk *pw)
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

static bool is_pagemap(const char *name)
{
	size_t n = strlen(name);

	return !strncmp(name, "pagemap-", 8) && n > 12 &&
	       !strcmp(name + n - 4, ".img");
}

/* Reads a pagemap image and walks it; pw->out, if wanted, is allocated. */
static int pagemap_read(int dirfd, const char *name, bool copy,
			struct pm_walk *pw)
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

static const struct guard_native_task *find(const struct guard_native *nv,
					    uint32_t pid);

/* Every pagemap image: the CRIU 4.2 counts, and the tasks' vDSO contents. */
static int pagemaps_read(int dirfd, struct guard_native *nv)
{
	struct dirent *de;
	int fd = dup(dirfd), ret = 0;
	DIR *d;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return -EIO;
	}
	rewinddir(d);
	while (!ret && (de = readdir(d))) {
		struct guard_native_task *t = NULL;
		struct pm_walk pw = { 0 };
		uint32_t pid;
		char *end;

		if (!is_pagemap(de->d_name))
			continue;
		pid = (uint32_t)strtoul(de->d_name + 8, &end, 10);
		if (!strcmp(end, ".img"))
			t = (struct guard_native_task *)find(nv, pid);
		if (t && t->vdso.end)
			pw.vdso = &t->vdso;
		ret = pagemap_read(dirfd, de->d_name, false, &pw);
		if (t && t->vdso.end)
			t->vdso_missing = !pw.vdso_has;
		nv->pagemaps += pw.new_entries != 0;
	}
	closedir(d);
	return ret;
}

int guard_native_read(int dirfd, struct guard_native *nv)
{
	int ret = list_mm(dirfd, nv);

	for (size_t i = 0; !ret && i < nv->n; i++) {
		struct guard_native_task *t = &nv->v[i];
		struct guard_criu_mm mm;
		char name[64];

		ret = guard_criu_mm_read(dirfd, t->pid, &mm);
		if (ret)
			break;
		guard_criu_mm_name(name, sizeof(name), t->pid);
		ret = guard_criu_mm_check(&mm, name, &mm.guards);
		t->guards = mm.guards;
		guard_ranges_init(&mm.guards);
		t->vdso = mm.vdso;
		guard_criu_mm_free(&mm);
		nv->tasks += t->guards.n != 0;
		nv->ranges += t->guards.n;
	}
	return ret ? ret : pagemaps_read(dirfd, nv);
}

/* The message of msg_len bytes at msg, guard VMAs left out, into out. */
static int strip_msg(const uint8_t *msg, size_t msg_len, uint8_t *out,
		     size_t *out_len)
{
	size_t off = 0;

	*out_len = 0;
	while (off < msg_len) {
		size_t start = off;
		bool drop;

		if (wire_field(msg, msg_len, &off, &drop))
			return -EINVAL;
		if (drop)
			continue;
		memcpy(out + *out_len, msg + start, off - start);
		*out_len += off - start;
	}
	return 0;
}

int guard_mm_strip(const uint8_t *buf, size_t len, const char *name,
		   uint8_t **out, size_t *out_len)
{
	struct guard_criu_mm mm;
	uint32_t n, hdr = len >= 8 && *(const uint32_t *)buf ==
						  CRIU_IMG_COMMON_MAGIC ?
				  8 :
				  4;
	size_t msg_len;

	/* The reader's checks first: one entry, every VMA sane. */
	if (guard_criu_mm_decode(buf, len, name, &mm))
		return -EINVAL;
	guard_criu_mm_free(&mm);
	memcpy(&n, buf + hdr, 4);
	*out = malloc(len);
	if (!*out)
		return -ENOMEM;
	memcpy(*out, buf, hdr);
	if (strip_msg(buf + hdr + 4, n, *out + hdr + 4, &msg_len)) {
		pr_err("%s: entry does not parse as protobuf (corrupt)\n",
		       name);
		free(*out);
		*out = NULL;
		return -EINVAL;
	}
	n = (uint32_t)msg_len;
	memcpy(*out + hdr, &n, 4);
	*out_len = hdr + 4 + msg_len;
	return 0;
}

/* One VMA_AREA_GUARD entry as CRIU 4.2 writes it (collect_madv_guards). */
static size_t put_guard_vma(uint8_t *out, uint64_t start, uint64_t end)
{
	uint8_t e[40];
	size_t n = 0, k = 0;

	e[n++] = 1 << 3;
	n += put_varint(e + n, start);
	e[n++] = 2 << 3;
	n += put_varint(e + n, end);
	for (unsigned int f = 3; f <= 6; f++) { /* pgoff shmid prot flags */
		e[n++] = (uint8_t)(f << 3);
		e[n++] = 0;
	}
	e[n++] = 7 << 3;
	n += put_varint(e + n, CRIU_VMA_AREA_GUARD);
	e[n++] = 8 << 3; /* fd: sint64 -1, zigzag 1 */
	e[n++] = 1;
	out[k++] = (MM_FIELD_VMAS << 3) | 2;
	k += put_varint(out + k, n);
	memcpy(out + k, e, n);
	return k + n;
}

/*
 * The entries for g, highest first: criu < 4.2 checks only that VMA
 * starts never go down, so an entry below the one before it makes it
 * refuse the image.  A lone range of two pages or more goes as two.
 */
static size_t put_guard_vmas(uint8_t *out, const struct guard_ranges *g,
			     uint64_t last_start, bool *refused)
{
	size_t k = 0;

	*refused = g->n > 1 || (g->n && g->v[0].start < last_start);
	for (size_t i = g->n; i-- > 0;) {
		const struct guard_range *r = &g->v[i];

		if (g->n == 1 && r->end - r->start >= 2 * 4096) {
			k += put_guard_vma(out + k, r->start + 4096, r->end);
			k += put_guard_vma(out + k, r->start, r->start + 4096);
			*refused = true;
			continue;
		}
		k += put_guard_vma(out + k, r->start, r->end);
	}
	return k;
}

/* The start of the message's last VMA entry, and where that entry ends. */
static int last_vma(const uint8_t *msg, size_t len, uint64_t *start,
		    size_t *end)
{
	size_t off = 0;
	struct wire w;

	*start = 0;
	*end = 0;
	while (off < len) {
		if (wire_next(msg, len, &off, &w))
			return -EINVAL;
		if (w.field == MM_FIELD_VMAS && w.type == 2) {
			CriuVmaEntry *v = criu_vma_entry__unpack(NULL, w.val,
								 msg + w.data);

			if (!v)
				return -EINVAL;
			if (!(v->status & CRIU_VMA_AREA_GUARD))
				*start = v->start;
			criu_vma_entry__free_unpacked(v, NULL);
			*end = w.end;
		}
	}
	return 0;
}

int guard_mm_append(const uint8_t *buf, size_t len, const char *name,
		    const struct guard_ranges *g, uint8_t **out,
		    size_t *out_len, bool *refused)
{
	uint32_t n, hdr = len >= 8 && *(const uint32_t *)buf ==
						  CRIU_IMG_COMMON_MAGIC ?
				  8 :
				  4;
	uint64_t last_start;
	size_t at, add;

	/* The caller decoded buf (guard_criu_mm_decode): only the bounds. */
	if (len < hdr + 4)
		return -EINVAL;
	memcpy(&n, buf + hdr, 4);
	if (n > len - hdr - 4 || last_vma(buf + hdr + 4, n, &last_start, &at) ||
	    !at) {
		pr_err("%s: no VMA entries that parse as protobuf (corrupt)\n",
		       name);
		return -EINVAL;
	}
	/* 24 bytes per entry at most (three 10-byte varints aside): 64. */
	*out = malloc(len + (g->n + 1) * 64);
	if (!*out)
		return -ENOMEM;
	at += hdr + 4;
	memcpy(*out, buf, at);
	add = put_guard_vmas(*out + at, g, last_start, refused);
	memcpy(*out + at + add, buf + at, len - at);
	n += (uint32_t)add;
	memcpy(*out + hdr, &n, 4);
	*out_len = len + add;
	return 0;
}

static bool is_view(const char *name)
{
	return !strncmp(name, GUARD_VIEW_PREFIX, strlen(GUARD_VIEW_PREFIX));
}

/*
 * Symlinks and the plugin's copies (mm and pagemap images) go; any other
 * file is criu's output (stats-restore) and moves to the directory, where
 * criu would have put it.
 */
static void view_remove(int dirfd, const char *view)
{
	struct dirent *de;
	int fd = openat(dirfd, view, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	uint32_t pid;
	DIR *d;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d))) {
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		if (S_ISREG(st.st_mode) && !parse_mm_name(de->d_name, &pid) &&
		    !is_pagemap(de->d_name))
			renameat(fd, de->d_name, dirfd, de->d_name);
		else
			unlinkat(fd, de->d_name, 0);
	}
	closedir(d);
	if (unlinkat(dirfd, view, AT_REMOVEDIR))
		pr_warn("Can't remove %s from the images directory: %s\n", view,
			strerror(errno));
}

/* Views whose criu is gone (killed mid-restore): no other reader left. */
static void views_stale_remove(int dirfd)
{
	char names[16][48];
	struct dirent *de;
	size_t n = 0;
	int fd = dup(dirfd);
	DIR *d;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	rewinddir(d);
	while (n < 16 && (de = readdir(d))) {
		long pid;

		if (!is_view(de->d_name) ||
		    strlen(de->d_name) >= sizeof(names[0]))
			continue;
		pid = strtol(de->d_name + strlen(GUARD_VIEW_PREFIX), NULL, 10);
		if (pid > 0 && pid != getpid() && !kill(pid, 0))
			continue;
		memcpy(names[n++], de->d_name, strlen(de->d_name) + 1);
	}
	closedir(d);
	for (size_t i = 0; i < n; i++) {
		pr_info("removing %s, a view a restore left behind\n",
			names[i]);
		view_remove(dirfd, names[i]);
	}
}

static const struct guard_native_task *find(const struct guard_native *nv,
					    uint32_t pid)
{
	struct guard_native_task key = { .pid = pid };

	return bsearch(&key, nv->v, nv->n, sizeof(*nv->v), cmp_task);
}

static int view_write(int view_fd, const char *name, const uint8_t *b,
		      size_t len)
{
	int fd, ret = 0;

	errno = EIO;
	fd = openat(view_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0600);
	if (fd < 0 || write(fd, b, len) != (ssize_t)len) {
		ret = -errno;
		pr_perror("Can't write the view's %s", name);
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

/* The copy of mm-<pid>.img without criu's guard VMAs, into the view. */
static int view_mm(int dirfd, int view_fd, const char *name)
{
	uint8_t *buf, *out = NULL;
	size_t len, out_len;
	int ret;

	ret = guard_read_whole(dirfd, name, 8, 8 + CRIU_IMG_MAX_ENTRY, &buf,
			       &len);
	if (!ret)
		ret = guard_mm_strip(buf, len, name, &out, &out_len);
	free(buf);
	if (!ret)
		ret = view_write(view_fd, name, out, out_len);
	free(out);
	return ret;
}

/* A pagemap image with CRIU 4.2's counts in the old field; 1: as it is. */
static int view_pagemap(int dirfd, int view_fd, const char *name)
{
	struct pm_walk pw = { 0 };
	int ret = pagemap_read(dirfd, name, true, &pw);

	if (!ret && pw.new_entries)
		ret = view_write(view_fd, name, pw.out, pw.out_len);
	else if (!ret)
		ret = 1;
	free(pw.out);
	return ret;
}

static int view_fill(int dirfd, int view_fd, const struct guard_native *nv)
{
	struct dirent *de;
	char target[300];
	int fd = dup(dirfd), ret = 0;
	uint32_t pid;
	DIR *d;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return -EIO;
	}
	rewinddir(d);
	while (!ret && (de = readdir(d))) {
		const struct guard_native_task *t;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    is_view(de->d_name))
			continue;
		if (parse_mm_name(de->d_name, &pid) && (t = find(nv, pid)) &&
		    t->guards.n) {
			ret = view_mm(dirfd, view_fd, de->d_name);
			continue;
		}
		if (is_pagemap(de->d_name) &&
		    (ret = view_pagemap(dirfd, view_fd, de->d_name)) <= 0)
			continue;
		ret = 0;
		snprintf(target, sizeof(target), "../%s", de->d_name);
		if (symlinkat(target, view_fd, de->d_name)) {
			ret = -errno;
			pr_perror("Can't link %s into the view", de->d_name);
		}
	}
	closedir(d);
	return ret;
}

/* img_fd now reads the view; orig_fd keeps the user's directory. */
static int view_swap(int img_fd, int view_fd, struct guard_native *nv)
{
	int flags = fcntl(img_fd, F_GETFD);
	struct stat st;

	nv->orig_fd = fcntl(img_fd, F_DUPFD_CLOEXEC, 0);
	if (flags < 0 || nv->orig_fd < 0 || fstat(view_fd, &st) ||
	    dup3(view_fd, img_fd, flags & FD_CLOEXEC ? O_CLOEXEC : 0) < 0) {
		pr_perror("Can't point criu's image directory at the view");
		if (nv->orig_fd >= 0)
			close(nv->orig_fd);
		nv->orig_fd = -1;
		return -EIO;
	}
	nv->view_dev = st.st_dev;
	nv->view_ino = st.st_ino;
	nv->img_fd = img_fd;
	return 0;
}

int guard_native_view_up(int img_fd, struct guard_native *nv)
{
	int view_fd, ret;

	views_stale_remove(img_fd);
	snprintf(nv->view, sizeof(nv->view), "%s%d", GUARD_VIEW_PREFIX,
		 (int)getpid());
	if (mkdirat(img_fd, nv->view, 0700)) {
		ret = -errno;
		pr_err("Can't create %s in the images directory (%s): criu < 4.2 reads a CRIU 4.2 dump's images through it, leaving the directory's files as they are\n",
		       nv->view, strerror(errno));
		return ret;
	}
	view_fd = openat(img_fd, nv->view, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ret = view_fd < 0 ? -errno : view_fill(img_fd, view_fd, nv);
	if (!ret)
		ret = view_swap(img_fd, view_fd, nv);
	if (view_fd >= 0)
		close(view_fd);
	if (ret)
		view_remove(img_fd, nv->view);
	return ret;
}

void guard_native_view_down(struct guard_native *nv)
{
	struct stat st;
	int flags;

	/* Up only with a name (a zeroed struct has fd 0, criu's stdin). */
	if (nv->orig_fd < 0 || !nv->view[0])
		return;
	/* Only if criu's descriptor still is the view: it may be gone. */
	flags = fcntl(nv->img_fd, F_GETFD);
	if (flags >= 0 && !fstat(nv->img_fd, &st) &&
	    st.st_dev == nv->view_dev && st.st_ino == nv->view_ino)
		dup3(nv->orig_fd, nv->img_fd,
		     flags & FD_CLOEXEC ? O_CLOEXEC : 0);
	view_remove(nv->orig_fd, nv->view);
	close(nv->orig_fd);
	nv->orig_fd = nv->img_fd = -1;
	nv->view[0] = '\0';
}
