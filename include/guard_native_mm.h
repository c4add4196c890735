/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mm-<pid>.img with and without CRIU 4.2's VMA_AREA_GUARD entries: the
 * view's copy for criu < 4.2 drops them, and a dump on criu < 4.2 adds
 * them so that a criu without the plugin sees the guards (native_dump.c).
 */
#ifndef CRIU_GUARD_NATIVE_MM_H
#define CRIU_GUARD_NATIVE_MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guard_range.h"

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

#endif
