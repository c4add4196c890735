// SPDX-License-Identifier: GPL-2.0
/* Helpers every criu-guard command uses. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

int tool_parse_pid(const char *s, pid_t *pid)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v <= 0 || v > INT32_MAX) {
		fprintf(stderr, "criu-guard: '%s' is not a pid\n", s);
		return -EINVAL;
	}
	*pid = (pid_t)v;
	return 0;
}

void tool_read_comm(pid_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(buf, len, "?");
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

int tool_detect(struct guard_features *f)
{
	int ret = guard_detect_features(f);

	if (ret)
		fprintf(stderr, "criu-guard: can't probe the kernel: %s\n",
			strerror(-ret));
	return ret;
}

int tool_open_dir(const char *cmd, const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		fprintf(stderr, "criu-guard %s: %s: %s\n", cmd, path,
			strerror(errno));
	return fd;
}

const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

uint64_t pages_of(const struct guard_ranges *r)
{
	return guard_ranges_bytes(r) / sysconf(_SC_PAGESIZE);
}

void human_ranges(const char *indent, const struct guard_ranges *r)
{
	long page = sysconf(_SC_PAGESIZE);

	for (size_t i = 0; i < r->n; i++) {
		uint64_t pages = (r->v[i].end - r->v[i].start) / page;

		printf("%s%012" PRIx64 "-%012" PRIx64 " %6" PRIu64 " %s\n",
		       indent, r->v[i].start, r->v[i].end, pages,
		       plural(pages, "page", "pages"));
	}
}
