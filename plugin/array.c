// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guard_array.h"

int guard_array_grow(void *arrp, size_t *cap, size_t n, size_t elem,
		     size_t first)
{
	size_t ncap = *cap ? *cap * 2 : first;
	void *v, *nv;

	if (n < *cap)
		return 0;
	if (ncap <= n || ncap > SIZE_MAX / elem)
		return -ENOMEM;
	/* Through memcpy: the caller's pointer is of another type. */
	memcpy(&v, arrp, sizeof(v));
	nv = realloc(v, ncap * elem);
	if (!nv)
		return -ENOMEM;
	memcpy(arrp, &nv, sizeof(nv));
	*cap = ncap;
	return 0;
}
