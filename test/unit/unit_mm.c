// SPDX-License-Identifier: GPL-2.0
/*
 * CRIU mm images built with the field numbers CRIU uses, for the tests of
 * the modules that read them (test_criu_images) and edit them
 * (test_native).
 */
#include <stdlib.h>
#include <string.h>

#include "criu_mm.pb-c.h"
#include "guard_criu_images.h"
#include "unit.h"
#include "unit_mm.h"

/* Unsorted on purpose; B touches A, G is a guard range inside A. */
const struct unit_vma unit_mm_task[UNIT_MM_TASK_N] = {
	{ 0x10 * PG, 0x12 * PG, ANON_PRIVATE },
	{ 5 * PG, 8 * PG, ANON_PRIVATE },
	{ 1 * PG, 5 * PG, ANON_PRIVATE },
	{ 2 * PG, 3 * PG, CRIU_VMA_AREA_GUARD },
};

/* An mm image: both magics, then entries of u32 length + MmEntry. */
uint8_t *unit_mm_image(const struct unit_vma *v, size_t n, int entries,
		       size_t *len)
{
	CriuMmEntry e = CRIU_MM_ENTRY__INIT;
	CriuVmaEntry *ve = calloc(n + 1, sizeof(*ve));
	CriuVmaEntry **vp = calloc(n + 1, sizeof(*vp));
	uint32_t hdr[2] = { CRIU_IMG_COMMON_MAGIC, CRIU_MM_MAGIC }, sz;
	uint8_t *buf;
	size_t off = 8;

	ASSERT(ve && vp);
	for (size_t i = 0; i < n; i++) {
		criu_vma_entry__init(&ve[i]);
		ve[i].start = v[i].start;
		ve[i].end = v[i].end;
		ve[i].status = v[i].status;
		vp[i] = &ve[i];
	}
	e.n_vmas = n;
	e.vmas = vp;
	sz = criu_mm_entry__get_packed_size(&e);
	buf = malloc(8 + entries * (4 + sz));
	ASSERT(buf);
	memcpy(buf, hdr, 8);
	for (int i = 0; i < entries; i++) {
		memcpy(buf + off, &sz, 4);
		criu_mm_entry__pack(&e, buf + off + 4);
		off += 4 + sz;
	}
	*len = off;
	free(ve);
	free(vp);
	return buf;
}

void unit_ranges_of(struct guard_ranges *r, const uint64_t *v, size_t n)
{
	guard_ranges_init(r);
	for (size_t i = 0; i < n; i += 2)
		ASSERT_EQ(guard_ranges_add(r, v[i], v[i + 1]), 0);
}
