/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A child process holding guard regions of every kind the plugin meets,
 * for test_scan and test_remote.  Both derive what to expect from the same
 * layout, so a change here changes both tests' expectations.
 *
 *   X  exec private anon   4 pages  guards 0-1 (the task's lowest exec VMA,
 *                                   so a naive syscall_ip lands on a guard)
 *   A  private anon       16 pages  guards 0, 7-8, 15 (start, middle, end)
 *   B  shared anon         8 pages  guards 0, 4, 7
 *   C  private file        8 pages  guards 0, 3-4, 7
 *   D  private anon        4 pages  guards 1-2 installed, then removed
 *   E  private anon        4 pages  never guarded
 *   F  private anon     5000 pages  guard on every 8th page from page 3:
 *                                   625 ranges, more than one PAGEMAP_SCAN
 *                                   vector (512) and one pagemap read chunk
 *                                   (4096 pages)
 *
 * A to F sit in one block with an unmapped page between neighbours, so no
 * two VMAs merge.  Non-guard pages of X, A, B, C hold a known byte.
 */
#ifndef CRIU_GUARD_UNIT_CHILD_H
#define CRIU_GUARD_UNIT_CHILD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "guard_features.h"
#include "guard_range.h"

enum unit_region { R_X, R_A, R_B, R_C, R_D, R_E, R_F, R_NR };

struct unit_child {
	pid_t pid;
	long page;
	uint64_t base[R_NR];
	size_t pages[R_NR];
	/*
	 * The unmapped page between D and E: no guard touches it, so a range
	 * list holding it cannot merge it with a guard range.
	 */
	uint64_t hole;
	struct guard_ranges expect;
};

/* Forks the child and waits until its guards are in place. */
int unit_child_start(struct unit_child *c);

/*
 * What test_scan and test_remote start with: the kernel's features with
 * nothing masked, a skip (exit 77) where the kernel has no guards, and the
 * child with its guards in place (exit 1 if it can't start); stop runs
 * at exit.
 */
void unit_child_setup(struct unit_child *c, struct guard_features *f,
		      void (*stop)(void));

/* SIGKILLs and reaps the child (idempotent). */
void unit_child_stop(struct unit_child *c);

bool unit_child_is_guard(enum unit_region r, size_t page);
const char *unit_region_name(enum unit_region r);

/*
 * Reads the child's X, A, B, C through /proc/PID/mem.  guarded: guard pages
 * must refuse the read; else they must read as they do after
 * MADV_GUARD_REMOVE (zero, or the file's data for C).  Other pages must
 * hold their byte.  Returns the number of wrong pages (and prints them).
 */
int unit_child_check_memory(const struct unit_child *c, bool guarded);

/* True if SIGSTOP is pending for pid (SigPnd or ShdPnd). */
bool unit_sigstop_pending(pid_t pid);

/* The State: letter of /proc/PID/status, or '?'. */
char unit_task_state(pid_t pid);

#endif
