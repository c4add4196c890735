/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Finding guard ranges in a task: PAGEMAP_SCAN, the pagemap-bit fallback,
 * and find/verify over them.  Needs no CRIU.
 */
#ifndef CRIU_GUARD_SCAN_H
#define CRIU_GUARD_SCAN_H

#include <stdint.h>
#include <sys/types.h>

#include "guard_env.h"
#include "guard_features.h"
#include "guard_proc.h"
#include "guard_range.h"

/*
 * "auto" is not a mode of its own: it names the measured default, which is
 * the single scan (bench/scan_bench: one PAGEMAP_SCAN over the address
 * space beat reading smaps first at every size measured).
 */
enum guard_scan_mode {
	GUARD_SCAN_FULL,  /* one PAGEMAP_SCAN over the whole address space */
	GUARD_SCAN_SMAPS, /* smaps "gu" VMAs, then PAGEMAP_SCAN on each */
};

const char *guard_scan_mode_name(enum guard_scan_mode mode);
/*
 * CRIU_GUARD_SCAN's names (guard_env.h): "auto" (unset or "": the
 * default, GUARD_SCAN_FULL), "scan", "smaps".
 */
extern const struct guard_env_enum guard_scan_env;

/* PAGEMAP_SCAN for PAGE_IS_GUARD over [start, end), appended to out. */
int guard_scan_pagemap(int pagemap_fd, uint64_t start, uint64_t end,
		       struct guard_ranges *out);
/* The same from pagemap entry bit 58, for kernels without PAGE_IS_GUARD. */
int guard_scan_pagemap_bits(int pagemap_fd, uint64_t start, uint64_t end,
			    long page_size, struct guard_ranges *out);

/* All guard ranges of pid (0: self), exact, by mode within what f allows. */
int guard_find(pid_t pid, const struct guard_features *f,
	       enum guard_scan_mode mode, struct guard_ranges *out);

/*
 * Rescans pid from the first start to the last end of span and demands
 * exactly expect there: 0, -EIO on any difference (logged with what, e.g.
 * "after lifting"), or the scan's own error.  After lifting or installing,
 * only the pages the plugin touched can have changed, and a scan of their
 * span costs in proportion to them, not to the whole address space.
 */
int guard_verify(pid_t pid, const struct guard_features *f,
		 const struct guard_ranges *span,
		 const struct guard_ranges *expect, const char *what);

/* The same from a hook's snapshot of the task: no file read twice. */
int guard_find_snap(struct guard_proc_snap *snap,
		    const struct guard_features *f, enum guard_scan_mode mode,
		    struct guard_ranges *out);
int guard_verify_snap(struct guard_proc_snap *snap,
		      const struct guard_features *f,
		      const struct guard_ranges *span,
		      const struct guard_ranges *expect, const char *what);

#endif
