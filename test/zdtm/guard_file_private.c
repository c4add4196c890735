// SPDX-License-Identifier: GPL-2.0
/*
 * A private file mapping with guards and no page ever written: every page
 * that is not a guard is the file's, so CRIU dumps no page of it and the
 * guards must come back on a fresh mapping of the file.  The
 * "file_private" entry of the backing table (lib/gt_backing.c).
 */
#include "guardtst.h"

GT_BACKING_MAIN("file_private",
		"Guards in a private file mapping with no page ever written")
