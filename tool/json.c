// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

#include "json.h"

/* Length of the valid UTF-8 sequence at p, or 0. */
static size_t utf8_len(const unsigned char *p)
{
	size_t n = 0;

	if (*p >= 0xc2 && *p <= 0xdf)
		n = 2;
	else if (*p >= 0xe0 && *p <= 0xef)
		n = 3;
	else if (*p >= 0xf0 && *p <= 0xf4)
		n = 4;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/*
 * Paths are bytes, JSON is UTF-8: a byte that is not part of valid UTF-8
 * goes out as the code point of the same value, so the output always
 * parses.
 */
void json_str(const char *s)
{
	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		size_t n;

		if (*p == '"' || *p == '\\') {
			printf("\\%c", *p);
		} else if (*p < 0x20 || *p == 0x7f) {
			printf("\\u%04x", *p);
		} else if (*p < 0x80) {
			putchar(*p);
		} else if ((n = utf8_len(p))) {
			fwrite(p, 1, n, stdout);
			p += n - 1;
		} else {
			printf("\\u%04x", *p);
		}
	}
	putchar('"');
}

void json_hex(uint64_t v)
{
	printf("\"0x%" PRIx64 "\"", v);
}
void json_ranges(const struct guard_ranges *r)
{
	long page = sysconf(_SC_PAGESIZE);

	putchar('[');
	for (size_t i = 0; i < r->n; i++) {
		printf("%s{\"start\":", i ? "," : "");
		json_hex(r->v[i].start);
		printf(",\"end\":");
		json_hex(r->v[i].end);
		printf(",\"pages\":%" PRIu64 "}",
		       (r->v[i].end - r->v[i].start) / page);
	}
	putchar(']');
}
