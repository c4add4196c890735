// SPDX-License-Identifier: GPL-2.0
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gt_file.h"
#include "zdtmtst.h"

int gt_write_file(const char *path, struct gt_region *like, size_t pages)
{
	char *buf = malloc(gt_page);
	int fd, ret = 0;

	if (!buf)
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		free(buf);
		return -1;
	}
	for (size_t pg = 0; pg < pages && !ret; pg++) {
		for (long i = 0; i < gt_page; i++)
			buf[i] = (char)gt_pattern(like, pg, i);
		if (pwrite(fd, buf, gt_page, pg * gt_page) != gt_page)
			ret = -1;
	}
	free(buf);
	close(fd);
	return ret;
}

struct gt_region *gt_map_file(const char *name, const char *path, size_t pages,
			      int flags)
{
	struct gt_region *r;
	char *at = gt_reserve(pages), *p;
	int fd;

	if (!at)
		return NULL;
	/* The region object only lends its name-derived seed to the file. */
	r = gt_wrap(name, at, pages);
	if (!r || gt_write_file(path, r, pages))
		return NULL;
	fd = open(path, O_RDWR);
	if (fd < 0)
		return NULL;
	p = mmap(at, pages * gt_page, PROT_READ | PROT_WRITE, flags | MAP_FIXED,
		 fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : r;
}

struct gt_region *gt_file(const char *name, size_t pages, int flags, char *path,
			  size_t len)
{
	struct gt_region *r;

	snprintf(path, len, "/tmp/zdtm-%s.%d", name, getpid());
	r = gt_map_file(name, path, pages, flags);
	if (!r)
		fail("can't map %s", path);
	return r;
}

int gt_file_cow(struct gt_region *r, const char *path, size_t pg)
{
	char *junk = malloc(gt_page);
	int fd, ret = -1;

	if (!junk)
		return -1;
	/* Our copy gets the expected bytes, the file other ones. */
	gt_fill_page(r, pg);
	memset(junk, 0xee, gt_page);
	fd = open(path, O_WRONLY);
	if (fd >= 0 && pwrite(fd, junk, gt_page, pg * gt_page) == gt_page)
		ret = 0;
	if (fd >= 0)
		close(fd);
	free(junk);
	return ret;
}
