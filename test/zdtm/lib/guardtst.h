/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guard-region assertions for zdtm tests, after the kernel's
 * tools/testing/selftests/mm/guard-regions.c: a guard page must fault on
 * access and show pagemap bit 58; every other page must read back exactly
 * the bytes written before the dump.  These checks read pagemap and touch
 * memory directly, independent of the plugin's PAGEMAP_SCAN code.
 */
#ifndef GUARDTST_H
#define GUARDTST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "guard_range.h"

struct gt_region {
	const char *name;
	char *addr;
	size_t pages;
	unsigned char *guard; /* expected state, one byte a page */
	unsigned int seed;
};

extern long gt_page;

/*
 * Maps pages of private anonymous memory between two PROT_NONE pages, so
 * that the region is a VMA of its own (no merge with neighbours).
 */
struct gt_region *gt_map_anon(const char *name, size_t pages);
/* The same over an existing mapping (file-backed, shared, ...). */
struct gt_region *gt_wrap(const char *name, void *addr, size_t pages);

void gt_fill(struct gt_region *r);
int gt_guard(struct gt_region *r, size_t first, size_t n);

/* gt_map_anon() and gt_fill(); NULL after fail("mmap"). */
struct gt_region *gt_anon(const char *name, size_t pages);

/* n guard pages from page first of a region. */
struct gt_span {
	size_t first, n;
};

/* gt_guard() on every span; -1 after fail("MADV_GUARD_INSTALL"). */
int gt_guard_spans(struct gt_region *r, const struct gt_span *s, size_t n);
#define GT_GUARDS(r, ...)                                                      \
	gt_guard_spans((r), (const struct gt_span[]){ __VA_ARGS__ },           \
		       sizeof((const struct gt_span[]){ __VA_ARGS__ }) /       \
			       sizeof(struct gt_span))
/* Removes guards; the pages then read as zero and are filled again. */
int gt_unguard(struct gt_region *r, size_t first, size_t n);

/* Number of pages that differ from what is expected; each is reported. */
int gt_check(struct gt_region *r);

/* True if reading (write: writing) the byte at p raises SIGSEGV. */
bool gt_faults(volatile char *p, bool write);
bool gt_pagemap_guard(const void *p);
/* smaps VmFlags of the VMA holding p contain "gu". */
bool gt_vma_maybe_guard(const void *p);
/*
 * Does this kernel show "gu" in smaps at all?  Debian's 6.16-6.18 have
 * guards but not the flag: checks of "gu" apply only where it is shown.
 */
bool gt_kernel_shows_gu(void);

/*
 * All guard ranges of a process (of this one: gt_snapshot), from pagemap
 * bit 58 page by page: an oracle independent of the plugin's finder.
 */
int gt_pagemap_snapshot(pid_t pid, struct guard_ranges *out);
int gt_snapshot(struct guard_ranges *out);
void gt_print(const char *label, const struct guard_ranges *r);

#endif

/*
 * The common life of a guard test: check the regions, record the guard
 * ranges, wait to be dumped and restored (SIGTERM), then check the regions
 * again and demand the same ranges, a "gu" flag on every VMA that holds a
 * guard, and data intact.  Writes PASS or FAIL; returns the exit code.
 */
int gt_run(struct gt_region **regions, size_t n);

/* --- Mapping-shape and task-shape tests --- */
#ifndef GUARDTST_SHAPES_H
#define GUARDTST_SHAPES_H

#include <sys/types.h>

#include "guard_smaps.h"
#include "guard_scan.h"

/* This task's pid as /proc names it (differs from getpid() in a pid ns). */
pid_t gt_proc_pid(void);
/* gt_snapshot(), correct inside a child pid namespace too. */
int gt_snapshot_self(struct guard_ranges *out);
/* This task's VMAs from smaps. */
int gt_read_vmas(struct guard_vmas *vmas);
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
/*
 * Maps a new file /tmp/zdtm-NAME.PID (its path in path) as gt_map_file()
 * does; NULL after fail().
 */
struct gt_region *gt_file(const char *name, size_t pages, int flags, char *path,
			  size_t len);
/* pages of address space with a PROT_NONE page on either side, or NULL. */
void *gt_reserve(size_t pages);
/* Writes pages of like's pattern to a new file at path. */
int gt_write_file(const char *path, struct gt_region *like, size_t pages);
/*
 * Creates path holding the region's pattern and maps it, flags MAP_PRIVATE
 * or MAP_SHARED, read-write, between PROT_NONE pages.
 */
struct gt_region *gt_map_file(const char *name, const char *path, size_t pages,
			      int flags);
/*
 * Makes page pg of a private file mapping a copy-on-write copy holding the
 * expected bytes, then overwrites the file's page with other bytes: a copy
 * lost in checkpoint/restore then reads wrong.
 */
int gt_file_cow(struct gt_region *r, const char *path, size_t pg);
/* gt_check() plus gt_check_gu() on every region: number of problems. */
int gt_verify_all(struct gt_region **regions, size_t n);
/*
 * gt_run() with "gu" demanded on every guard page's VMA and an extra check
 * (may be NULL) run before the dump and after restore, returning the number
 * of problems it found.
 */
int gt_run_with(struct gt_region **regions, size_t n,
		int (*extra)(void *arg, bool restored), void *arg);

/*
 * Process trees: every task checks itself.  The root calls gt_tree_init(),
 * any task forks children with gt_tree_fork() (0 in the child, as fork()),
 * every task calls gt_tree_ready() once its children are forked (it waits
 * for their subtrees), the root then test_daemon(), and every task ends in
 * gt_tree_finish(): wait for SIGTERM, pass it down, check own memory and
 * guard ranges, collect the children's results.  Non-root tasks exit there;
 * the root writes the verdict for the whole tree and returns the exit code.
 */
struct gt_kid {
	pid_t pid;
	int fd;
};

struct gt_tree {
	char name[32];
	int up; /* pipe to the parent; -1 in the root */
	struct gt_kid *kids;
	size_t nkids, cap;
	struct gt_region **regions;
	size_t nregions;
	struct guard_ranges before;
};

void gt_tree_init(struct gt_tree *t, const char *name);
pid_t gt_tree_fork(struct gt_tree *t, const char *name);
/* Problems in this subtree before the dump (already reported upwards). */
int gt_tree_ready(struct gt_tree *t, struct gt_region **regions, size_t n);
/* extra (may be NULL): the caller's own checks after restore, problems. */
int gt_tree_finish(struct gt_tree *t, int (*extra)(void *arg), void *arg);
void gt_tree_abort(struct gt_tree *t);

/*
 * The guard layout test of one backing from a table: "anon", "shmem",
 * "file_private" or "file_shared" (guard_backing.c and its named entries).
 * Maps, fills and guards the backing's regions and runs them as gt_run() or
 * gt_run_with() does; returns the exit code.
 */
int gt_backing_run(const char *name);

/* Forks a child that exits with code and is left unreaped; its pid. */
pid_t gt_zombie(int code);
/* Still an unreaped child that exited with code: 0, else 1. */
int gt_zombie_check(pid_t pid, int code);

#endif
