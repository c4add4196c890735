// SPDX-License-Identifier: GPL-2.0
/*
 * A shared file mapping with guards: the pages live in the file, which CRIU
 * maps again at restore; the guards must come back on that mapping and the
 * data written through the mapping must be there.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guardtst.h"
#include "zdtmtst.h"

const char *test_doc = "Guards in a shared file mapping";
const char *test_author = "criu-guard";

int main(int argc, char **argv)
{
	struct gt_region *r;
	char path[64];
	int ret;

	test_init(argc, argv);
	r = gt_file("file-shared", 20, MAP_SHARED, path, sizeof(path));
	if (!r)
		return 1;
	/* Written through the mapping: the file gets the same bytes. */
	gt_fill(r);
	if (GT_GUARDS(r, { 0, 2 }, { 10, 1 }, { 19, 1 }))
		return 1;
	ret = gt_run_with(&r, 1, NULL, NULL);
	unlink(path);
	return ret;
}
