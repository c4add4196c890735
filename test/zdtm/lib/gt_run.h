/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The common life of a guard test: check the regions, record the guard
 * ranges (gt_oracle.h), wait to be dumped and restored (SIGTERM), then
 * check the regions again and demand the same ranges, a "gu" flag on every
 * guard page's VMA where the kernel shows it, and data intact.
 */
#ifndef GT_RUN_H
#define GT_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "gt_region.h"

/* gt_check() plus gt_check_gu() on every region: number of problems. */
int gt_verify_all(struct gt_region **regions, size_t n);
/*
 * The life above, with an extra check (may be NULL) run before the dump
 * and after restore, returning the number of problems it found.  Writes
 * PASS or FAIL; returns the exit code.
 */
int gt_run_with(struct gt_region **regions, size_t n,
		int (*extra)(void *arg, bool restored), void *arg);
/* gt_run_with() with no extra check. */
int gt_run(struct gt_region **regions, size_t n);

#endif
