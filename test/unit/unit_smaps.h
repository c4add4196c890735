/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Feeding smaps/maps text to the parser in chunks, for test_smaps and
 * fuzz_smaps: both demand that a line split anywhere parses as the whole.
 * Header-only, so the fuzz build (fuzz/run) takes it without a library.
 */
#ifndef CRIU_GUARD_UNIT_SMAPS_H
#define CRIU_GUARD_UNIT_SMAPS_H

#include <string.h>

#include "guard_smaps.h"

/*
 * Parses text into out, chunk bytes per feed (0: all at once).  Returns
 * what finish said; *fed, what the feeds said (the first error stops
 * them).
 */
static inline int unit_smaps_parse(const char *text, size_t len, size_t chunk,
				   struct guard_vmas *out, int *fed)
{
	struct guard_smaps_parser p;

	*fed = 0;
	memset(out, 0, sizeof(*out));
	guard_smaps_parser_init(&p, out);
	if (!chunk)
		chunk = len ? len : 1;
	for (size_t off = 0; off < len && !*fed; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;

		*fed = guard_smaps_parser_feed(&p, text + off, n);
	}
	return guard_smaps_parser_finish(&p);
}

#endif
