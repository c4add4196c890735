// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gt_backing.h"
#include "gt_file.h"
#include "gt_run.h"

#define GT_BACKING_REGIONS 2
#define GT_BACKING_SPANS 3

/* A region of pages with guards at spans (up to the first of n 0). */
struct gt_backing_region {
	const char *name;
	size_t pages;
	struct gt_span spans[GT_BACKING_SPANS];
};

struct gt_backing {
	const char *name;
	int flags;  /* MAP_PRIVATE or MAP_SHARED, | MAP_ANONYMOUS or a file */
	bool write; /* write the pattern through the mapping */
	struct gt_backing_region regions[GT_BACKING_REGIONS];
};

static const struct gt_backing backings[] = {
	{ "anon",
	  MAP_PRIVATE | MAP_ANONYMOUS,
	  true,
	  { { "anon", 32, { { 0, 1 }, { 10, 3 }, { 31, 1 } } },
	    { "anon-small", 8, { { 4, 1 } } } } },
	{ "shmem",
	  MAP_SHARED | MAP_ANONYMOUS,
	  true,
	  { { "shmem", 24, { { 0, 1 }, { 7, 4 }, { 23, 1 } } } } },
	/* No page ever written: CRIU dumps no page of the mapping. */
	{ "file_private",
	  MAP_PRIVATE,
	  false,
	  { { "file-private", 24, { { 0, 1 }, { 8, 2 }, { 23, 1 } } } } },
	/* Written through the mapping: the file gets the same bytes. */
	{ "file_shared",
	  MAP_SHARED,
	  true,
	  { { "file-shared", 20, { { 0, 2 }, { 10, 1 }, { 19, 1 } } } } },
};

static struct gt_region *map(const struct gt_backing *b,
			     const struct gt_backing_region *br, char *path,
			     size_t len)
{
	struct gt_region *r = NULL;
	char *at;

	if (!(b->flags & MAP_ANONYMOUS))
		return gt_file(br->name, br->pages, b->flags, path, len);
	if (b->flags & MAP_PRIVATE) {
		r = gt_map_anon(br->name, br->pages);
	} else if ((at = gt_reserve(br->pages))) {
		/* Its own VMA between PROT_NONE pages, as gt_map_anon()'s. */
		at = mmap(at, br->pages * gt_page, PROT_READ | PROT_WRITE,
			  b->flags | MAP_FIXED, -1, 0);
		if (at != MAP_FAILED)
			r = gt_wrap(br->name, at, br->pages);
	}
	if (!r)
		fail("mmap");
	return r;
}

int gt_backing_run(const char *name)
{
	char paths[GT_BACKING_REGIONS][64] = { "" };
	struct gt_region *r[GT_BACKING_REGIONS];
	const struct gt_backing *b = NULL;
	size_t i, n;
	int ret;

	for (i = 0; i < sizeof(backings) / sizeof(backings[0]); i++)
		if (!strcmp(backings[i].name, name))
			b = &backings[i];
	if (!b) {
		fail("no backing %s (anon, shmem, file_private, file_shared)",
		     name);
		return 1;
	}
	for (n = 0; n < GT_BACKING_REGIONS && b->regions[n].name; n++) {
		r[n] = map(b, &b->regions[n], paths[n], sizeof(paths[n]));
		if (!r[n])
			return 1;
		if (b->write)
			gt_fill(r[n]);
	}
	for (i = 0; i < n; i++) {
		const struct gt_span *s = b->regions[i].spans;

		for (size_t k = 0; k < GT_BACKING_SPANS && s[k].n; k++)
			if (gt_guard_spans(r[i], &s[k], 1))
				return 1;
	}
	ret = gt_run(r, n);
	for (i = 0; i < n; i++)
		if (paths[i][0])
			unlink(paths[i]);
	return ret;
}
