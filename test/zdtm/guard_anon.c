// SPDX-License-Identifier: GPL-2.0
/*
 * Private anonymous memory with guards at the start, in the middle and at
 * the end of a VMA, plus a second VMA with one guard: the "anon" entry of
 * the backing table (lib/gt_backing.c).
 */
#include "guardtst.h"

GT_BACKING_MAIN("anon", "Guards in private anonymous memory: at the start, "
			"middle and end of a VMA")
