// SPDX-License-Identifier: GPL-2.0
/*
 * Shared anonymous memory (shmem) with guards.  CRIU dumps shmem contents
 * apart from the task's private pages; the guards must come back on the
 * restored shmem mapping.  The "shmem" entry of the backing table
 * (lib/gt_backing.c).
 */
#include "guardtst.h"

GT_BACKING_MAIN("shmem", "Guards in shared anonymous memory (shmem)")
