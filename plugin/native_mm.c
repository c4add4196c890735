// SPDX-License-Identifier: GPL-2.0
/*
 * CRIU >= 4.2's guard ranges in mm-<pid>.img (guard_native_mm.h).  The mm
 * image is CRIU's: whole VMA entries are dropped or added at the protobuf
 * wire level and every other byte kept, so fields the plugin does not know
 * travel unchanged.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "criu_mm.pb-c.h"
#include "guard_criu_images.h"
#include "guard_log.h"
#include "guard_native_mm.h"
#include "guard_protowire.h"

/* images/mm.proto: MmEntry.vmas */
#define MM_FIELD_VMAS 14

/* Where the field starting at *off ends; *drop if it is a guard VMA. */
static int wire_field(const uint8_t *b, size_t len, size_t *off, bool *drop)
{
	struct guard_wire w;

	*drop = false;
	if (guard_wire_next(b, len, off, &w))
		return -EINVAL;
	if (w.field == MM_FIELD_VMAS && w.type == 2) {
		CriuVmaEntry *v =
			criu_vma_entry__unpack(NULL, w.val, b + w.data);

		if (!v)
			return -EINVAL;
		*drop = v->status & CRIU_VMA_AREA_GUARD;
		criu_vma_entry__free_unpacked(v, NULL);
	}
	return 0;
}

/* The message of msg_len bytes at msg, guard VMAs left out, into out. */
static int strip_msg(const uint8_t *msg, size_t msg_len, uint8_t *out,
		     size_t *out_len)
{
	size_t off = 0;

	*out_len = 0;
	while (off < msg_len) {
		size_t start = off;
		bool drop;

		if (wire_field(msg, msg_len, &off, &drop))
			return -EINVAL;
		if (drop)
			continue;
		memcpy(out + *out_len, msg + start, off - start);
		*out_len += off - start;
	}
	return 0;
}

int guard_mm_strip(const uint8_t *buf, size_t len, const char *name,
		   uint8_t **out, size_t *out_len)
{
	struct guard_criu_mm mm;
	uint32_t n, hdr = len >= 8 && *(const uint32_t *)buf ==
						  CRIU_IMG_COMMON_MAGIC ?
				  8 :
				  4;
	size_t msg_len;

	/* The reader's checks first: one entry, every VMA sane. */
	if (guard_criu_mm_decode(buf, len, name, &mm))
		return -EINVAL;
	guard_criu_mm_free(&mm);
	memcpy(&n, buf + hdr, 4);
	*out = malloc(len);
	if (!*out)
		return -ENOMEM;
	memcpy(*out, buf, hdr);
	if (strip_msg(buf + hdr + 4, n, *out + hdr + 4, &msg_len)) {
		pr_err("%s: entry does not parse as protobuf (corrupt)\n",
		       name);
		free(*out);
		*out = NULL;
		return -EINVAL;
	}
	n = (uint32_t)msg_len;
	memcpy(*out + hdr, &n, 4);
	*out_len = hdr + 4 + msg_len;
	return 0;
}

/* One VMA_AREA_GUARD entry as CRIU 4.2 writes it (collect_madv_guards). */
static size_t put_guard_vma(uint8_t *out, uint64_t start, uint64_t end)
{
	uint8_t e[40];
	size_t n = 0, k = 0;

	e[n++] = 1 << 3;
	n += guard_wire_put_varint(e + n, start);
	e[n++] = 2 << 3;
	n += guard_wire_put_varint(e + n, end);
	for (unsigned int f = 3; f <= 6; f++) { /* pgoff shmid prot flags */
		e[n++] = (uint8_t)(f << 3);
		e[n++] = 0;
	}
	e[n++] = 7 << 3;
	n += guard_wire_put_varint(e + n, CRIU_VMA_AREA_GUARD);
	e[n++] = 8 << 3; /* fd: sint64 -1, zigzag 1 */
	e[n++] = 1;
	out[k++] = (MM_FIELD_VMAS << 3) | 2;
	k += guard_wire_put_varint(out + k, n);
	memcpy(out + k, e, n);
	return k + n;
}

/*
 * The entries for g, highest first: criu < 4.2 checks only that VMA
 * starts never go down, so an entry below the one before it makes it
 * refuse the image.  A lone range of two pages or more goes as two.
 */
static size_t put_guard_vmas(uint8_t *out, const struct guard_ranges *g,
			     uint64_t last_start, bool *refused)
{
	size_t k = 0;

	*refused = g->n > 1 || (g->n && g->v[0].start < last_start);
	for (size_t i = g->n; i-- > 0;) {
		const struct guard_range *r = &g->v[i];

		if (g->n == 1 && r->end - r->start >= 2 * 4096) {
			k += put_guard_vma(out + k, r->start + 4096, r->end);
			k += put_guard_vma(out + k, r->start, r->start + 4096);
			*refused = true;
			continue;
		}
		k += put_guard_vma(out + k, r->start, r->end);
	}
	return k;
}

/* The start of the message's last VMA entry, and where that entry ends. */
static int last_vma(const uint8_t *msg, size_t len, uint64_t *start,
		    size_t *end)
{
	size_t off = 0;
	struct guard_wire w;

	*start = 0;
	*end = 0;
	while (off < len) {
		if (guard_wire_next(msg, len, &off, &w))
			return -EINVAL;
		if (w.field == MM_FIELD_VMAS && w.type == 2) {
			CriuVmaEntry *v = criu_vma_entry__unpack(NULL, w.val,
								 msg + w.data);

			if (!v)
				return -EINVAL;
			if (!(v->status & CRIU_VMA_AREA_GUARD))
				*start = v->start;
			criu_vma_entry__free_unpacked(v, NULL);
			*end = w.end;
		}
	}
	return 0;
}

int guard_mm_append(const uint8_t *buf, size_t len, const char *name,
		    const struct guard_ranges *g, uint8_t **out,
		    size_t *out_len, bool *refused)
{
	uint32_t n, hdr = len >= 8 && *(const uint32_t *)buf ==
						  CRIU_IMG_COMMON_MAGIC ?
				  8 :
				  4;
	uint64_t last_start;
	size_t at, add;

	/* The caller decoded buf (guard_criu_mm_decode): only the bounds. */
	if (len < hdr + 4)
		return -EINVAL;
	memcpy(&n, buf + hdr, 4);
	if (n > len - hdr - 4 || last_vma(buf + hdr + 4, n, &last_start, &at) ||
	    !at) {
		pr_err("%s: no VMA entries that parse as protobuf (corrupt)\n",
		       name);
		return -EINVAL;
	}
	/* 24 bytes per entry at most (three 10-byte varints aside): 64. */
	*out = malloc(len + (g->n + 1) * 64);
	if (!*out)
		return -ENOMEM;
	at += hdr + 4;
	memcpy(*out, buf, at);
	add = put_guard_vmas(*out + at, g, last_start, refused);
	memcpy(*out + at + add, buf + at, len - at);
	n += (uint32_t)add;
	memcpy(*out + hdr, &n, 4);
	*out_len = len + add;
	return 0;
}
