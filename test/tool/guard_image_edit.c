// SPDX-License-Identifier: GPL-2.0
/*
 * Rewrites a task image without its first guard range, through the
 * plugin's own writer: a valid image that no longer matches the task, for
 * criu-guard verify to catch.
 *
 *   guard_image_edit DIR NSPID
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guard_image.h"
#include "guard_scan.h"

int main(int argc, char **argv)
{
	struct guard_ranges r, rest;
	struct guard_features f;
	uint32_t pid;
	int dirfd, ret = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: %s DIR NSPID\n", argv[0]);
		return 2;
	}
	pid = strtoul(argv[2], NULL, 10);
	dirfd = open(argv[1], O_RDONLY | O_DIRECTORY);
	if (dirfd < 0 || guard_detect_features(&f))
		return 2;
	guard_ranges_init(&r);
	guard_ranges_init(&rest);
	if (guard_task_image_read(dirfd, pid, f.task_size, &r) || !r.n)
		goto out;
	for (size_t i = 1; i < r.n; i++)
		if (guard_ranges_add(&rest, r.v[i].start, r.v[i].end))
			goto out;
	if (guard_task_image_write(dirfd, pid, &rest))
		goto out;
	printf("%#llx-%#llx\n", (unsigned long long)r.v[0].start,
	       (unsigned long long)r.v[0].end);
	ret = 0;
out:
	guard_ranges_free(&r);
	guard_ranges_free(&rest);
	close(dirfd);
	return ret;
}
