// SPDX-License-Identifier: GPL-2.0
/*
 * The protobuf wire format, read and written by hand where the plugin
 * must keep every byte of a message it does not fully know (criu's mm and
 * pagemap images): unpacking and packing again would drop unknown fields
 * and reorder the rest.
 */
#include <errno.h>

#include "guard_protowire.h"

/* A protobuf varint at *off, which must end before len. */
static int varint(const uint8_t *b, size_t len, size_t *off, uint64_t *v)
{
	*v = 0;
	for (unsigned int shift = 0; *off < len && shift < 64; shift += 7) {
		uint8_t c = b[(*off)++];

		*v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return 0;
	}
	return -EINVAL;
}

size_t guard_wire_put_varint(uint8_t *out, uint64_t v)
{
	size_t n = 0;

	do {
		out[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	return n;
}

int guard_wire_next(const uint8_t *b, size_t len, size_t *off,
		    struct guard_wire *w)
{
	uint64_t key;

	w->start = *off;
	if (varint(b, len, off, &key))
		return -EINVAL;
	w->field = key >> 3;
	w->type = key & 7;
	switch (w->type) {
	case 0:
		if (varint(b, len, off, &w->val))
			return -EINVAL;
		w->data = w->end = *off;
		return 0;
	case 1:
	case 5:
		w->val = w->type == 1 ? 8 : 4;
		break;
	case 2:
		if (varint(b, len, off, &w->val))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (w->val > len - *off)
		return -EINVAL;
	w->data = *off;
	*off += w->val;
	w->end = *off;
	return 0;
}
