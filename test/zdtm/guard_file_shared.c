// SPDX-License-Identifier: GPL-2.0
/*
 * A shared file mapping with guards: the pages live in the file, which CRIU
 * maps again at restore; the guards must come back on that mapping and the
 * data written through the mapping must be there.  The "file_shared" entry
 * of the backing table (lib/gt_backing.c).
 */
#include "guardtst.h"

GT_BACKING_MAIN("file_shared", "Guards in a shared file mapping")
