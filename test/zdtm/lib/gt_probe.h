/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One page's state, asked two ways that share nothing with the plugin:
 * touch it (does it fault?) and read its pagemap entry (bit 58, the
 * kernel's guard bit).
 */
#ifndef GT_PROBE_H
#define GT_PROBE_H

#include <stdbool.h>

/* True if reading (write: writing) the byte at p raises SIGSEGV. */
bool gt_faults(volatile char *p, bool write);
/* p's page has the guard bit in /proc/self/pagemap. */
bool gt_pagemap_guard(const void *p);

#endif
