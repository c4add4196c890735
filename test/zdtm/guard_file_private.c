// SPDX-License-Identifier: GPL-2.0
/*
 * A private file mapping with guards and no page ever written: every page
 * that is not a guard is the file's, so CRIU dumps no page of it and the
 * guards must come back on a fresh mapping of the file.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guardtst.h"
#include "zdtmtst.h"

const char *test_doc =
	"Guards in a private file mapping with no page ever written";
const char *test_author = "criu-guard";

int main(int argc, char **argv)
{
	struct gt_region *r;
	char path[64];
	int ret;

	test_init(argc, argv);
	r = gt_file("file-private", 24, MAP_PRIVATE, path, sizeof(path));
	if (!r)
		return 1;
	if (GT_GUARDS(r, { 0, 1 }, { 8, 2 }, { 23, 1 }))
		return 1;
	ret = gt_run_with(&r, 1, NULL, NULL);
	unlink(path);
	return ret;
}
