// SPDX-License-Identifier: GPL-2.0
/*
 * A shared file mapping with guards: the pages live in the file, which CRIU
 * maps again at restore; the guards must come back on that mapping and the
 * data written through the mapping must be there.
 *
 * The layout and checks are the "file_shared" entry of the backing table in
 * lib/guardtst.c (gt_backing_run); guard_backing --backing=file_shared runs the same.
 */
#include "guardtst.h"
#include "zdtmtst.h"

const char *test_doc = "Guards in a shared file mapping";
const char *test_author = "criu-guard";

int main(int argc, char **argv)
{
	test_init(argc, argv);
	return gt_backing_run("file_shared");
}
