// SPDX-License-Identifier: GPL-2.0
/*
 * Every single-bit flip of one file of a dump's image directory, judged by
 * the decision the plugin's init(RESTORE) makes (guard_dump_decide, then
 * the index and guard-binding.img): thousands of flips in a second, where
 * a criu restore each would take minutes.  flows/adversary.sh runs real
 * criu restores for the flips this does not refuse, and a sample of the
 * rest.  Only inventory.img and guard-binding.img are flipped: the rest of
 * the init's checks (task images against mm images, the kernel) read
 * files no flip touches.
 *
 *   flipcheck DIR FILE   one line per flip: OFFSET BIT VERDICT CLASS
 *
 * VERDICT: "refused" (an error message names FILE), "refused-unnamed"
 * (refused, FILE not named: the first error follows), "bound" (the init
 * would restore the guards: criu must restore them exactly) or "unguarded"
 * (the init would restore without the guards: silent loss).  CLASS, for
 * inventory.img: "names" (it still decodes and names the plugin),
 * "unnamed" (decodes without naming it: the case the binding must catch),
 * "bad" (does not decode); "-" for other files.  Exit 1 on any unguarded
 * or refused-unnamed flip.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guard_binding.h"
#include "guard_criu_images.h"
#include "guard_image.h"
#include "guard_log.h"

/* The init's decision: 0 with the guards bound, 1 without, or -errno. */
static int decide(int dirfd)
{
	enum guard_dump_kind kind;
	struct guard_index idx;
	int ret;

	ret = guard_dump_decide(dirfd, &kind);
	if (ret)
		return ret;
	if (kind != GUARD_DUMP_OURS)
		return 1;
	ret = guard_index_read(dirfd, &idx);
	if (!ret)
		ret = guard_binding_check(dirfd, &idx);
	guard_index_free(&idx);
	return ret;
}

static const char *inventory_class(int dirfd, const char *file)
{
	struct guard_criu_inventory inv;

	if (strcmp(file, CRIU_INVENTORY_NAME))
		return "-";
	if (guard_criu_inventory_read(dirfd, &inv))
		return "bad";
	return inv.names_plugin ? "names" : "unnamed";
}

static int put(int dirfd, const char *file, const uint8_t *buf, size_t len)
{
	int fd = openat(dirfd, file, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

/* The log of one decision, from the memfd stderr points at. */
static void take_log(int log, char *out, size_t size)
{
	ssize_t n = pread(log, out, size - 1, 0);

	out[n > 0 ? n : 0] = 0;
	if (ftruncate(log, 0))
		out[0] = 0;
	lseek(log, 0, SEEK_SET);
}

static int flip_all(int dirfd, const char *file, int log)
{
	static char msg[65536];
	uint8_t *buf;
	size_t len;
	int bad = 0;

	if (guard_read_whole(dirfd, file, 1, 1 << 20, &buf, &len))
		return 2;
	for (size_t off = 0; off < len; off++) {
		for (int bit = 0; bit < 8; bit++) {
			const char *verdict, *class;
			int ret;

			buf[off] ^= 1u << bit;
			if (put(dirfd, file, buf, len))
				return 2;
			ret = decide(dirfd);
			class = inventory_class(dirfd, file);
			buf[off] ^= 1u << bit;
			take_log(log, msg, sizeof(msg));
			if (ret == 0)
				verdict = "bound";
			else if (ret == 1)
				verdict = "unguarded";
			else if (strstr(msg, file))
				verdict = "refused";
			else
				verdict = "refused-unnamed";
			bad += ret == 1 || verdict[7] == '-';
			printf("%zu %d %s %s", off, bit, verdict, class);
			if (verdict[7] == '-')
				printf(" %.*s", (int)strcspn(msg, "\n"), msg);
			printf("\n");
		}
	}
	if (put(dirfd, file, buf, len))
		return 2;
	free(buf);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	int dirfd, log, ret;

	if (argc != 3) {
		fprintf(stderr, "usage: flipcheck DIR FILE\n");
		return 2;
	}
	dirfd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	log = memfd_create("flipcheck-log", MFD_CLOEXEC);
	if (dirfd < 0 || log < 0 || dup2(log, STDERR_FILENO) < 0) {
		perror("flipcheck");
		return 2;
	}
	guard_log_set_stderr_level(GUARD_LOG_ERROR);
	/* The pristine directory must restore with its guards. */
	if (decide(dirfd)) {
		dprintf(STDOUT_FILENO,
			"flipcheck: %s does not bind unflipped\n", argv[1]);
		return 2;
	}
	take_log(log, (char[2]){ 0 }, 2);
	ret = flip_all(dirfd, argv[2], log);
	fflush(stdout);
	return ret;
}
