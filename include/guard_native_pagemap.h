/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pagemap images of a CRIU >= 4.2 dump: 4.2 counts an entry's pages in a
 * new 64-bit field and leaves the old one zero, which criu < 4.2 reads as
 * no pages, and leaves the vDSO's contents out, which the restorer of
 * criu < 4.2 reads.  Walking an image finds both; a copy for the view
 * (guard_native_view.h) carries the count in the old field as well.
 */
#ifndef CRIU_GUARD_NATIVE_PAGEMAP_H
#define CRIU_GUARD_NATIVE_PAGEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guard_native_images.h"
#include "guard_range.h"

/*
 * What a walk over a pagemap image found: whether an entry overlaps vdso
 * (if given), how many entries count their pages the CRIU 4.2 way, and,
 * if out is set (room for 3 * len + 64 bytes), the image for criu < 4.2.
 */
struct guard_pm_walk {
	const struct guard_range *vdso;
	bool vdso_has;
	size_t new_entries;
	uint8_t *out;
	size_t out_len;
};

/* pagemap-*.img: the images this module reads and the view copies. */
bool guard_pagemap_name(const char *name);

/*
 * Reads pagemap image name and walks it; with copy, pw->out is allocated
 * (the caller frees it) and holds the image for criu < 4.2.  0, or an
 * error with a message naming the file.
 */
int guard_pagemap_read(int dirfd, const char *name, bool copy,
		       struct guard_pm_walk *pw);

/* Every pagemap image: nv's CRIU 4.2 counts, and its tasks' vDSO contents. */
int guard_native_pagemaps_read(int dirfd, struct guard_native *nv);

#endif
