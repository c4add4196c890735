/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Protobuf fields on the wire, one at a time, for editing criu's images
 * in place (native_mm.c, native_pagemap.c): every byte not edited stays.
 */
#ifndef CRIU_GUARD_PROTOWIRE_H
#define CRIU_GUARD_PROTOWIRE_H

#include <stddef.h>
#include <stdint.h>

/* One protobuf field on the wire. */
struct guard_wire {
	uint64_t field, type;
	uint64_t val;		 /* a varint's value, or a payload's length */
	size_t start, data, end; /* the field, its payload, its end */
};

/* The field at *off in b[0, len), *off moved past it; -EINVAL if bad. */
int guard_wire_next(const uint8_t *b, size_t len, size_t *off,
		    struct guard_wire *w);

/* Writes v as a varint at out (at most 10 bytes); returns its length. */
size_t guard_wire_put_varint(uint8_t *out, uint64_t v);

#endif
