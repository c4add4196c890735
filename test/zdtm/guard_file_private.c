// SPDX-License-Identifier: GPL-2.0
/*
 * A private file mapping with guards and no page ever written: every page
 * that is not a guard is the file's, so CRIU dumps no page of it and the
 * guards must come back on a fresh mapping of the file.
 *
 * The layout and checks are the "file_private" entry of the backing table in
 * lib/guardtst.c (gt_backing_run); guard_backing --backing=file_private runs the same.
 */
#include "guardtst.h"
#include "zdtmtst.h"

const char *test_doc =
	"Guards in a private file mapping with no page ever written";
const char *test_author = "criu-guard";

int main(int argc, char **argv)
{
	test_init(argc, argv);
	return gt_backing_run("file_private");
}
