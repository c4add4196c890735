// SPDX-License-Identifier: GPL-2.0
/*
 * Private anonymous memory with guards at the start, in the middle and at
 * the end of a VMA, plus a second VMA with one guard.
 *
 * The layout and checks are the "anon" entry of the backing table in
 * lib/guardtst.c (gt_backing_run); guard_backing --backing=anon runs the same.
 */
#include "guardtst.h"
#include "zdtmtst.h"

const char *test_doc =
	"Guards in private anonymous memory: at the start, middle and end of a VMA";
const char *test_author = "criu-guard";

int main(int argc, char **argv)
{
	test_init(argc, argv);
	return gt_backing_run("anon");
}
