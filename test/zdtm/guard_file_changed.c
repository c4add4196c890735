// SPDX-License-Identifier: GPL-2.0
/*
 * Guards in a private file mapping whose file was rewritten after it was
 * mapped and guarded.  No page of the mapping was ever written, so every
 * page that is not a guard shows the file's new bytes (the page cache), and
 * CRIU restores them by mapping the file again, not from its images.  The
 * guards sit on pages whose file contents changed under them and must come
 * back on the new mapping; every other page must read the new bytes.
 * guard_file_cow covers a changed file under copy-on-write copies.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guardtst.h"
#include "zdtmtst.h"

const char *test_doc =
	"Guards in a private file mapping whose file changed after mapping";
const char *test_author = "criu-guard";

#define PAGES 16

/*
 * Rewrites the file in place with r's pattern: gt_write_file() truncates,
 * so write a copy and copy its bytes over the mapped file.
 */
static int rewrite(const char *path, struct gt_region *r)
{
	ssize_t len = r->pages * gt_page;
	int in = -1, out = -1, ret = -1;
	char tmp[80], *buf;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	buf = malloc(len);
	if (!buf || gt_write_file(tmp, r, r->pages))
		goto out;
	in = open(tmp, O_RDONLY);
	out = open(path, O_WRONLY);
	if (in >= 0 && out >= 0 && pread(in, buf, len, 0) == len &&
	    pwrite(out, buf, len, 0) == len && !fsync(out))
		ret = 0;
out:
	free(buf);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	unlink(tmp);
	return ret;
}

int main(int argc, char **argv)
{
	struct gt_region *r;
	char path[64];
	int ret;

	test_init(argc, argv);
	snprintf(path, sizeof(path), "/tmp/zdtm-file-changed.%d", getpid());
	r = gt_map_file("file-changed", path, PAGES, MAP_PRIVATE);
	if (!r) {
		fail("can't map %s", path);
		return 1;
	}
	if (gt_guard(r, 0, 1) || gt_guard(r, 4, 3) || gt_guard(r, 10, 1) ||
	    gt_guard(r, 15, 1)) {
		fail("MADV_GUARD_INSTALL");
		return 1;
	}
	/* New bytes in every page of the file, guarded ones included. */
	r->seed += 0x5a;
	if (rewrite(path, r)) {
		fail("can't rewrite %s", path);
		return 1;
	}
	ret = gt_run_with(&r, 1, NULL, NULL);
	unlink(path);
	return ret;
}
