/* SPDX-License-Identifier: GPL-2.0 */
/* Test support: CRIU mm images made to order (unit_mm.c). */
#ifndef CRIU_GUARD_UNIT_MM_H
#define CRIU_GUARD_UNIT_MM_H

#include <stddef.h>
#include <stdint.h>

#include "guard_range.h"

#define PG 4096ULL
#define ANON_PRIVATE ((1u << 9) | 1u)

struct unit_vma {
	uint64_t start, end;
	uint32_t status;
};

/* Unsorted on purpose; B touches A, G is a guard range inside A. */
#define UNIT_MM_TASK_N 4
extern const struct unit_vma unit_mm_task[UNIT_MM_TASK_N];

/* An mm image: both magics, then entries of u32 length + MmEntry. */
uint8_t *unit_mm_image(const struct unit_vma *v, size_t n, int entries,
		       size_t *len);

/* r = the ranges [v[0], v[1]), [v[2], v[3]), ... of n values. */
void unit_ranges_of(struct guard_ranges *r, const uint64_t *v, size_t n);

#endif
