/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Everything a guard test uses, after the kernel's
 * tools/testing/selftests/mm/guard-regions.c: a guard page must fault on
 * access and show pagemap bit 58; every other page must read back exactly
 * the bytes written before the dump.  These checks read pagemap, smaps and
 * memory directly, independent of the plugin's code that they judge.
 *
 *   gt_region.h   regions: map, fill, guard, check page by page
 *   gt_probe.h    one page: does it fault, has it pagemap's guard bit
 *   gt_smaps.h    the tests' own smaps reading: VMAs, VmFlags ("gu")
 *   gt_oracle.h   every guard range of a task from pagemap
 *   gt_file.h     file-backed regions
 *   gt_run.h      the life of a test: check, wait for restore, check again
 *   gt_tree.h     process trees in which each task checks itself; zombies
 *   gt_backing.h  one layout over a table of backings
 */
#ifndef GUARDTST_H
#define GUARDTST_H

#include "gt_backing.h"
#include "gt_file.h"
#include "gt_oracle.h"
#include "gt_probe.h"
#include "gt_region.h"
#include "gt_run.h"
#include "gt_smaps.h"
#include "gt_tree.h"

#endif
