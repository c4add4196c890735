/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading an image directory by fd (criu's, or a tool's): listing it and
 * reading one whole file with bounds checked first.
 */
#ifndef CRIU_GUARD_IMGDIR_H
#define CRIU_GUARD_IMGDIR_H

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A stream over the directory behind dirfd, from its first entry; dirfd
 * stays open and unmoved.  NULL with errno set.  closedir() it.
 */
DIR *guard_dir_open(int dirfd);

/*
 * Reads a whole file of the image directory whose size must lie in
 * [min, max]; the caller frees *buf.  0, -ENOENT, or -EINVAL/-EIO with a
 * message naming the file.
 */
int guard_read_whole(int dirfd, const char *name, size_t min, size_t max,
		     uint8_t **buf, size_t *len);

#endif
