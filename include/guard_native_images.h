/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Dumps by CRIU >= 4.2, read where CRIU is older.  4.2 records guard ranges
 * as fake VMAs (VMA_AREA_GUARD) appended to mm-<pid>.img; CRIU 4.1 refuses
 * such an image ("VMA-s are not sorted"), and 4.2 counts the pages of a
 * pagemap entry in a new 64-bit field, leaving the old one zero, which
 * 4.1 reads as no pages.  The plugin takes the guard ranges as its own and
 * lets criu read the directory through a view: a subdirectory
 * GUARD_VIEW_PREFIX<criu pid> (guard_native_view.h) of relative symlinks to every entry, where
 * each mm image holding guards is a copy without them and each such
 * pagemap image a copy with the count in the old field as well.  The
 * user's files are never changed, so either CRIU can restore the directory
 * again; the view goes at exit(RESTORE), one a crash left behind at the
 * next restore from the directory.  This module reads the dump
 * (mm images here, pagemap images in guard_native_pagemap.h); the edits
 * are guard_native_mm.h's, the view guard_native_view.h's.
 */
#ifndef CRIU_GUARD_NATIVE_IMAGES_H
#define CRIU_GUARD_NATIVE_IMAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guard_range.h"

struct guard_native_task {
	uint32_t pid;		    /* as in mm-<pid>.img */
	struct guard_ranges guards; /* criu's VMA_AREA_GUARD entries */
	/*
	 * The vDSO has no contents in pagemap-<pid>.img: CRIU >= 4.2 leaves
	 * them out, and the restorer of CRIU < 4.2 reads them.
	 */
	bool vdso_missing;
	struct guard_range vdso; /* the task's vDSO VMA, if any */
};

struct guard_native {
	struct guard_native_task *v; /* every mm image, pids ascending */
	size_t n, cap;
	size_t tasks, ranges; /* tasks with guards, and their ranges */
	size_t pagemaps;      /* pagemap images counting pages the 4.2 way */
	int img_fd;	      /* criu's image directory fd; -1: no view */
	int orig_fd;	      /* the user's directory, while the view is up */
	char view[48];	      /* the view's name in the directory */
	uint64_t view_dev, view_ino;
};

void guard_native_init(struct guard_native *nv);
void guard_native_free(struct guard_native *nv);

/*
 * Reads every mm-<pid>.img of the directory (checked as the restore
 * checks them: guards inside the task's mappings).  0, or an error with a
 * message naming the file.
 */
int guard_native_read(int dirfd, struct guard_native *nv);

/* The task of mm-<pid>.img in nv, or NULL. */
struct guard_native_task *guard_native_find(const struct guard_native *nv,
					    uint32_t pid);

/* True if name is mm-<pid>.img (set in *pid). */
bool guard_native_mm_pid(const char *name, uint32_t *pid);

#endif
