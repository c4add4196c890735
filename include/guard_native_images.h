/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Dumps by CRIU >= 4.2, read where CRIU is older.  4.2 records guard ranges
 * as fake VMAs (VMA_AREA_GUARD) appended to mm-<pid>.img; CRIU 4.1 refuses
 * such an image ("VMA-s are not sorted"), and 4.2 counts the pages of a
 * pagemap entry in a new 64-bit field, leaving the old one zero, which
 * 4.1 reads as no pages.  The plugin takes the guard ranges as its own and
 * lets criu read the directory through a view: a subdirectory
 * GUARD_VIEW_PREFIX<criu pid> of relative symlinks to every entry, where
 * each mm image holding guards is a copy without them and each such
 * pagemap image a copy with the count in the old field as well.  The
 * user's files are never changed, so either CRIU can restore the directory
 * again; the view goes at exit(RESTORE), one a crash left behind at the
 * next restore from the directory.
 */
#ifndef CRIU_GUARD_NATIVE_IMAGES_H
#define CRIU_GUARD_NATIVE_IMAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guard_range.h"

#define GUARD_VIEW_PREFIX ".criu-guard-view."

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

/*
 * The mm image in buf without its VMA_AREA_GUARD entries, byte for byte
 * otherwise (every other field and VMA as criu wrote it).  *out is the
 * caller's to free.  0, or -EINVAL/-ENOMEM with a message naming name.
 */
int guard_mm_strip(const uint8_t *buf, size_t len, const char *name,
		   uint8_t **out, size_t *out_len);

/*
 * The mm image in buf with g added as VMA_AREA_GUARD entries after its
 * VMAs, as CRIU >= 4.2 records guards, so that a criu that does not load
 * the plugin restores them (4.2) or refuses the image (4.1: "VMA-s are
 * not sorted"; *refused false where it would not: one page-sized range
 * at or above the task's last VMA).  buf is an image guard_criu_mm_decode()
 * accepted (the caller needs its guards anyway; it is not decoded again).
 * *out is the caller's to free.
 */
int guard_mm_append(const uint8_t *buf, size_t len, const char *name,
		    const struct guard_ranges *g, uint8_t **out,
		    size_t *out_len, bool *refused);

/*
 * Builds the view of the directory behind img_fd and points img_fd at it
 * (dup3: criu's own descriptor, inherited by the tasks it forks).  Views
 * whose criu is gone are removed first.  0, or an error with a message;
 * on error the directory and img_fd are as they were.
 */
int guard_native_view_up(int img_fd, struct guard_native *nv);

/*
 * Points img_fd back at the user's directory and removes the view; files
 * criu wrote into it (stats-restore) move to the directory.
 */
void guard_native_view_down(struct guard_native *nv);

#endif
