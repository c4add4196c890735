/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel ABI for guard regions.  Debian 12 and 13 headers predate
 * MADV_GUARD_* and PAGE_IS_GUARD (and Debian 12 predates PAGEMAP_SCAN), so
 * the values are carried here, each only where the headers lack it.
 */
#ifndef CRIU_GUARD_KERNEL_H
#define CRIU_GUARD_KERNEL_H

#include <linux/fs.h>
#include <linux/ioctl.h>
#include <linux/types.h>
#include <sys/mman.h>

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif
#ifndef MADV_GUARD_REMOVE
#define MADV_GUARD_REMOVE 103
#endif

#ifndef PAGEMAP_SCAN
#define PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)
#define PAGE_IS_WPALLOWED (1 << 0)
#define PAGE_IS_WRITTEN (1 << 1)
#define PAGE_IS_FILE (1 << 2)
#define PAGE_IS_PRESENT (1 << 3)
#define PAGE_IS_SWAPPED (1 << 4)
#define PAGE_IS_PFNZERO (1 << 5)
#define PAGE_IS_HUGE (1 << 6)
#define PAGE_IS_SOFT_DIRTY (1 << 7)

struct page_region {
	__u64 start;
	__u64 end;
	__u64 categories;
};

struct pm_scan_arg {
	__u64 size;
	__u64 flags;
	__u64 start;
	__u64 end;
	__u64 walk_end;
	__u64 vec;
	__u64 vec_len;
	__u64 max_pages;
	__u64 category_inverted;
	__u64 category_mask;
	__u64 category_anyof_mask;
	__u64 return_mask;
};
#endif

#ifndef PAGE_IS_GUARD
#define PAGE_IS_GUARD (1 << 8)
#endif

/* process_madvise() on the caller itself without a pidfd (Linux 6.15+). */
#ifndef PIDFD_SELF
#define PIDFD_SELF (-10000)
#endif

/* /proc/PID/pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst). */
#define PM_GUARD_REGION_BIT 58
#define PM_SWAP_BIT 62

#endif
