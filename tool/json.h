/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The JSON writer of --json output: values straight to stdout, one object
 * per command, no document kept in memory.
 */
#ifndef CRIU_GUARD_TOOL_JSON_H
#define CRIU_GUARD_TOOL_JSON_H

#include <stdint.h>

#include "guard_range.h"

/* A string, or null for NULL; bytes that are not UTF-8 stay readable. */
void json_str(const char *s);
/* Addresses go out as hex strings: they exceed what JSON numbers carry. */
void json_hex(uint64_t v);
/* [{"start":"0x..","end":"0x..","pages":N}, ...] */
void json_ranges(const struct guard_ranges *r);

#endif
