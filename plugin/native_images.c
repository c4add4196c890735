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
	qsort(nv->v, nv->n, sizeof(*nv->v), cmp_task);
	return 0;
}

/* Whether an entry of pagemap-<pid>.img overlaps [r->start, r->end). */
static int pagemap_has(int dirfd, uint32_t pid, const struct guard_range *r,
		       bool *has)
{
	size_t off = 8, entries = 0;
	uint8_t *buf;
	char name[64];
	size_t len;
	int ret;

	*has = false;
	snprintf(name, sizeof(name), "pagemap-%u.img", pid);
	ret = guard_read_whole(dirfd, name, 8, 8 + CRIU_IMG_MAX_ENTRY, &buf,
			       &len);
	if (ret)
		return ret;
	if (((uint32_t *)buf)[1] != CRIU_PAGEMAP_MAGIC)
		ret = -EINVAL;
	while (!ret && !*has && off + 4 <= len) {
		CriuPagemapEntry *e;
		uint32_t n;

		memcpy(&n, buf + off, 4);
		if (n > len - off - 4) {
			ret = -EINVAL;
			break;
		}
		/* The first entry is the head (pages_id). */
		e = entries++ ?
			    criu_pagemap_entry__unpack(NULL, n, buf + off + 4) :
			    NULL;
		if (e && e->vaddr < r->end &&
		    e->vaddr + (uint64_t)e->nr_pages * 4096 > r->start)
			*has = true;
		if (e)
			criu_pagemap_entry__free_unpacked(e, NULL);
		else if (entries > 1)
			ret = -EINVAL;
		off += 4 + n;
	}
	if (ret)
		pr_err("%s: not a pagemap image this plugin can read (corrupt?)\n",
		       name);
	free(buf);
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
		if (!ret && mm.vdso.end) {
			bool has;

			ret = pagemap_has(dirfd, t->pid, &mm.vdso, &has);
			t->vdso_missing = !has;
		}
		guard_criu_mm_free(&mm);
		nv->tasks += t->guards.n != 0;
		nv->ranges += t->guards.n;
	}
	return ret;
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

/* Where the field starting at *off ends; *drop if it is a guard VMA. */
static int wire_field(const uint8_t *b, size_t len, size_t *off, bool *drop)
{
	uint64_t key, n;
	size_t start;

	*drop = false;
	if (varint(b, len, off, &key))
		return -EINVAL;
	switch (key & 7) {
	case 0:
		return varint(b, len, off, &n);
	case 1:
	case 5:
		n = (key & 7) == 1 ? 8 : 4;
		break;
	case 2:
		if (varint(b, len, off, &n))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (n > len - *off)
		return -EINVAL;
	start = *off;
	*off += n;
	if ((key >> 3) == MM_FIELD_VMAS && (key & 7) == 2) {
		CriuVmaEntry *v = criu_vma_entry__unpack(NULL, n, b + start);

		if (!v)
			return -EINVAL;
		*drop = v->status & CRIU_VMA_AREA_GUARD;
		criu_vma_entry__free_unpacked(v, NULL);
	}
	return 0;
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

static bool is_view(const char *name)
{
	return !strncmp(name, GUARD_VIEW_PREFIX, strlen(GUARD_VIEW_PREFIX));
}

/*
 * Symlinks and the plugin's mm copies go; any other file is criu's output
 * (stats-restore) and moves to the directory, where criu would have put it.
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
		if (S_ISREG(st.st_mode) && !parse_mm_name(de->d_name, &pid))
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

/* The copy of mm-<pid>.img without criu's guard VMAs, into the view. */
static int view_mm(int dirfd, int view_fd, const char *name)
{
	uint8_t *buf, *out = NULL;
	size_t len, out_len;
	int fd, ret;

	ret = guard_read_whole(dirfd, name, 8, 8 + CRIU_IMG_MAX_ENTRY, &buf,
			       &len);
	if (!ret)
		ret = guard_mm_strip(buf, len, name, &out, &out_len);
	free(buf);
	if (ret)
		return ret;
	errno = EIO;
	fd = openat(view_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0600);
	if (fd < 0 || write(fd, out, out_len) != (ssize_t)out_len) {
		ret = -errno;
		pr_perror("Can't write the view's %s", name);
	}
	if (fd >= 0)
		close(fd);
	free(out);
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

	if (nv->orig_fd < 0)
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
}
