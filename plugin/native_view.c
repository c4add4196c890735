// SPDX-License-Identifier: GPL-2.0
/*
 * The view criu < 4.2 reads a CRIU >= 4.2 dump through
 * (guard_native_view.h).  The user's files are never changed, so either
 * criu can restore the directory again.
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

#include "guard_criu_images.h"
#include "guard_imgdir.h"
#include "guard_log.h"
#include "guard_native_mm.h"
#include "guard_native_pagemap.h"
#include "guard_native_view.h"

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
		if (S_ISREG(st.st_mode) &&
		    !guard_native_mm_pid(de->d_name, &pid) &&
		    !guard_pagemap_name(de->d_name))
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
	DIR *d = guard_dir_open(dirfd);

	if (!d)
		return;
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
	struct guard_pm_walk pw = { 0 };
	int ret = guard_pagemap_read(dirfd, name, true, &pw);

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
	DIR *d = guard_dir_open(dirfd);
	uint32_t pid;
	int ret = 0;

	if (!d)
		return -EIO;
	while (!ret && (de = readdir(d))) {
		const struct guard_native_task *t;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    is_view(de->d_name))
			continue;
		if (guard_native_mm_pid(de->d_name, &pid) &&
		    (t = guard_native_find(nv, pid)) && t->guards.n) {
			ret = view_mm(dirfd, view_fd, de->d_name);
			continue;
		}
		if (guard_pagemap_name(de->d_name) &&
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
