/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The dump's lift: which calls remove a task's guards, given how
 * remote.c applies advice.  The policy is the dump's; remote.c only
 * applies the ranges it is handed.
 */
#ifndef CRIU_GUARD_LIFT_H
#define CRIU_GUARD_LIFT_H

#include "guard_range.h"
#include "guard_remote.h"

/*
 * Removes every guard in ranges.  Ranges close together are joined into
 * one call (MADV_GUARD_REMOVE leaves the pages between alone); if that
 * fails, the ranges are lifted one by one.  On failure, which ranges are
 * lifted is not known exactly: reinstall them all.
 */
int guard_lift(struct guard_remote_task *t, const struct guard_ranges *ranges);

#endif
