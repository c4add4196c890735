/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one growable array: ranges, VMAs, tasks, pids all double their
 * capacity the same way.
 */
#ifndef CRIU_GUARD_ARRAY_H
#define CRIU_GUARD_ARRAY_H

#include <stddef.h>

/*
 * Makes room for element n of the array at *arrp (a pointer to the
 * array's pointer) of elements elem bytes long, *cap of them allocated:
 * doubles *cap, starting at first.  0, or -ENOMEM with the array as it was.
 */
int guard_array_grow(void *arrp, size_t *cap, size_t n, size_t elem,
		     size_t first);

#define GUARD_ARRAY_GROW(v, n, cap, first)                                     \
	guard_array_grow(&(v), &(cap), (n), sizeof(*(v)), (first))

#endif
