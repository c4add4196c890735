// SPDX-License-Identifier: GPL-2.0
/*
 * One guard layout test over a table of backings (lib/gt_backing.c):
 *
 *   guard_backing --backing=anon|shmem|file_private|file_shared
 *	--pidfile=PATH --outfile=PATH
 *
 * guard_anon, guard_shmem, guard_file_private and guard_file_shared are the
 * same test under the names CRIU's zdtm.py and the flows know.
 */
#include <stdio.h>
#include <string.h>

#include "guardtst.h"
#include "zdtmtst.h"

const char *test_doc = "Guards in one backing from a table (--backing=NAME)";
const char *test_author = "criu-guard";

int main(int argc, char **argv)
{
	const char *backing = NULL;
	int i, n = 1;

	/* test_init() knows only --pidfile and --outfile: take --backing out. */
	for (i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--backing=", 10))
			backing = argv[i] + 10;
		else
			argv[n++] = argv[i];
	}
	argv[n] = NULL;
	if (!backing) {
		fprintf(stderr,
			"usage: %s --backing=NAME --pidfile=PATH --outfile=PATH\n",
			argv[0]);
		return 2;
	}
	test_init(n, argv);
	return gt_backing_run(backing);
}
