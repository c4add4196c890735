/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tests' own reading of /proc/PID/smaps: VMA bounds and VmFlags.  Not
 * the plugin's parser (plugin/smaps.c): the plugin scans only VMAs whose
 * VmFlags say "gu", and so does the pagemap oracle (gt_oracle.h) for
 * speed; were they to share a parser, a flag it lost would hide the same
 * guards from both, and the tests would pass what they exist to catch.
 */
#ifndef GT_SMAPS_H
#define GT_SMAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "gt_region.h"

struct gt_vma {
	unsigned long long start, end;
	char flags[160]; /* VmFlags text, " rd wr mr mw me gu" */
};

struct gt_vmas {
	struct gt_vma *v;
	size_t n, cap;
};

/* Every VMA of pid (0: this task); free with gt_vmas_free(). */
int gt_read_smaps(pid_t pid, struct gt_vmas *out);
void gt_vmas_free(struct gt_vmas *v);
/* The VMA holding p, or NULL. */
const struct gt_vma *gt_vma_at(const struct gt_vmas *v, const void *p);
/* flag ("gu", "wf", ...) is one of the words of v's VmFlags. */
bool gt_vma_has(const struct gt_vma *v, const char *flag);
/* The same of this task's VMA holding p; false if none does. */
bool gt_vma_has_at(const void *p, const char *flag);

/*
 * Does this kernel show "gu" in smaps at all?  Debian's 6.16-6.18 have
 * guards but not the flag: checks of "gu" apply only where it is shown.
 */
bool gt_kernel_shows_gu(void);
/* Guard pages of r whose VMA lacks "gu" (every one, not just the first). */
int gt_check_gu(struct gt_region *r);

/* VMAs overlapping [addr, addr + len), or -1. */
int gt_count_vmas(const void *addr, size_t len);
/*
 * For gt_run_with()'s checks: 0 if [addr, addr + len) overlaps want VMAs,
 * else 1 with a message naming where (what) and when (restored or not).
 */
int gt_expect_vmas(const void *addr, size_t len, int want, const char *what,
		   bool restored);

#endif
