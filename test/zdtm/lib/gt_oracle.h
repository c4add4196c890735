/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tests' oracle: every guard range of a task, from pagemap bit 58 read
 * page by page.  It shares no code with the plugin's finder (PAGEMAP_SCAN,
 * plugin/scan.c) that it judges.
 */
#ifndef GT_ORACLE_H
#define GT_ORACLE_H

#include <sys/types.h>

#include "guard_range.h"

/* This task's pid as /proc names it (differs from getpid() in a pid ns). */
pid_t gt_proc_pid(void);
/* All guard ranges of pid; gt_snapshot(): of this task, in any pid ns. */
int gt_pagemap_snapshot(pid_t pid, struct guard_ranges *out);
int gt_snapshot(struct guard_ranges *out);
void gt_print(const char *label, const struct guard_ranges *r);

#endif
