// SPDX-License-Identifier: GPL-2.0
/*
 * A private file mapping with guards next to copy-on-write copies: the file
 * holds other bytes under every copied page, so a copy lost in dump or
 * restore reads wrong.  One guard sits on a page that had been copied (the
 * guard drops the copy).
 */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guardtst.h"
#include "zdtmtst.h"

const char *test_doc =
	"Guards in a private file mapping next to copy-on-write copies of a changed file";
const char *test_author = "criu-guard";

int main(int argc, char **argv)
{
	static const size_t cow[] = { 1, 2, 5, 6, 11, 15 };
	struct gt_region *r;
	char path[64];
	int ret;

	test_init(argc, argv);
	r = gt_file("file-cow", 16, MAP_PRIVATE, path, sizeof(path));
	if (!r)
		return 1;
	for (size_t i = 0; i < sizeof(cow) / sizeof(cow[0]); i++) {
		if (gt_file_cow(r, path, cow[i])) {
			fail("can't make page %zu a private copy", cow[i]);
			return 1;
		}
	}
	/* 3-4: next to copies; 6: on a copy; 12-14: between copies. */
	if (GT_GUARDS(r, { 3, 2 }, { 6, 1 }, { 12, 3 }))
		return 1;
	ret = gt_run_with(&r, 1, NULL, NULL);
	unlink(path);
	return ret;
}
