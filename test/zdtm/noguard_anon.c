// SPDX-License-Identifier: GPL-2.0
/*
 * Private anonymous memory with no guard at all: the control that runs on
 * every kernel, including those without guard regions (Linux < 6.13, e.g.
 * Debian 13's 6.12), where the plugin must stand aside and the dump and
 * restore must still be exact.
 */
#include "guardtst.h"
#include "zdtmtst.h"

const char *test_doc = "Anonymous memory without guards (runs on any kernel)";
const char *test_author = "criu-guard";

int main(int argc, char **argv)
{
	struct gt_region *r;

	test_init(argc, argv);
	r = gt_anon("noguard", 16);
	if (!r)
		return 1;
	return gt_run(&r, 1);
}
