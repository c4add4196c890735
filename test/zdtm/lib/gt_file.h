/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Regions backed by files: a file written with a region's pattern, mapped
 * private or shared, and a private mapping's copy-on-write page whose file
 * page then changes under it.
 */
#ifndef GT_FILE_H
#define GT_FILE_H

#include <stddef.h>

#include "gt_region.h"

/* Writes pages of like's pattern to a new file at path. */
int gt_write_file(const char *path, struct gt_region *like, size_t pages);
/*
 * Creates path holding the region's pattern and maps it, flags MAP_PRIVATE
 * or MAP_SHARED, read-write, between PROT_NONE pages.
 */
struct gt_region *gt_map_file(const char *name, const char *path, size_t pages,
			      int flags);
/*
 * Maps a new file /tmp/zdtm-NAME.PID (its path in path) as gt_map_file()
 * does; NULL after fail().
 */
struct gt_region *gt_file(const char *name, size_t pages, int flags, char *path,
			  size_t len);
/*
 * Makes page pg of a private file mapping a copy-on-write copy holding the
 * expected bytes, then overwrites the file's page with other bytes: a copy
 * lost in checkpoint/restore then reads wrong.
 */
int gt_file_cow(struct gt_region *r, const char *path, size_t pg);

#endif
