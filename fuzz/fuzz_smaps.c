// SPDX-License-Identifier: GPL-2.0
/*
 * smaps/maps parser.  The first byte picks a chunk size: lines split
 * anywhere across feed calls must parse exactly as the whole text in one
 * call, and whatever is accepted must be sorted, non-empty VMAs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guard_log.h"
#include "guard_smaps.h"
#include "guard_scan.h"
#include "unit_smaps.h"

/* Feeds text in chunks; what finish says (it reports feed errors too). */
static int parse(const char *text, size_t len, size_t chunk,
		 struct guard_vmas *out)
{
	int fed;

	return unit_smaps_parse(text, len, chunk, out, &fed);
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool vma_eq(const struct guard_vma *a, const struct guard_vma *b)
{
	return a->start == b->start && a->end == b->end &&
	       a->maybe_guard == b->maybe_guard && a->exec == b->exec &&
	       a->special == b->special && a->offset == b->offset &&
	       !memcmp(a->perms, b->perms, sizeof(a->perms)) &&
	       str_eq(a->name, b->name) && str_eq(a->vmflags, b->vmflags);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct guard_vmas whole, split;
	size_t chunk;
	int r1, r2;

	guard_log_set_stderr_level(0);
	if (!size)
		return 0;
	chunk = data[0] % 64 + 1;
	data++;
	size--;
	r1 = parse((const char *)data, size, size ? size : 1, &whole);
	r2 = parse((const char *)data, size, chunk, &split);
	if (r1 != r2)
		abort();
	if (!r1) {
		if (whole.n != split.n)
			abort();
		for (size_t i = 0; i < whole.n; i++) {
			const struct guard_vma *v = &whole.v[i];

			if (!vma_eq(v, &split.v[i]) || v->start >= v->end ||
			    (i && v->start < whole.v[i - 1].end) ||
			    v->perms[4] != '\0')
				abort();
		}
	}
	guard_vmas_free(&whole);
	guard_vmas_free(&split);
	return 0;
}
