// SPDX-License-Identifier: GPL-2.0
/* The guarded child of test_scan and test_remote (see unit_child.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guard_kernel.h"
#include "guard_proc.h"
#include "unit.h"
#include "unit_child.h"

/* Low and fixed, below a PIE's text and the libraries. */
#define X_ADDR 0x10000000UL

static const size_t region_pages[R_NR] = { 4, 16, 8, 8, 4, 4, 5000 };

void unit_child_setup(struct unit_child *c, struct guard_features *f,
		      void (*stop)(void))
{
	int ret;

	unsetenv("CRIU_GUARD_DISABLE");
	ASSERT_EQ(guard_detect_features(f), 0);
	if (!f->madv_guard)
		unit_skip(
			"this kernel has no MADV_GUARD_INSTALL (Linux 6.13+)");
	ret = unit_child_start(c);
	if (ret) {
		fprintf(stderr, "can't start the guarded child: %s\n",
			strerror(-ret));
		exit(1);
	}
	atexit(stop);
}

const char *unit_region_name(enum unit_region r)
{
	static const char *const names[R_NR] = { "X", "A", "B", "C",
						 "D", "E", "F" };

	return r < R_NR ? names[r] : "?";
}

bool unit_child_is_guard(enum unit_region r, size_t p)
{
	switch (r) {
	case R_X:
		return p < 2;
	case R_A:
		return p == 0 || p == 7 || p == 8 || p == 15;
	case R_B:
		return p == 0 || p == 4 || p == 7;
	case R_C:
		return p == 0 || p == 3 || p == 4 || p == 7;
	case R_F:
		return p % 8 == 3;
	default:
		return false;
	}
}

/* Nonzero, so that a page read back as zero is told from one intact. */
static unsigned char tag(enum unit_region r, size_t p)
{
	return (unsigned char)(0x10 * (r + 1) + p % 16);
}

/* One madvise per run of guard pages: runs of 1 and 2 pages both occur. */
static int install_guards(char *base, enum unit_region r, long pg)
{
	size_t n = region_pages[r];

	for (size_t p = 0; p < n; p++) {
		size_t q = p;

		if (!unit_child_is_guard(r, p))
			continue;
		while (q + 1 < n && unit_child_is_guard(r, q + 1))
			q++;
		if (madvise(base + p * pg, (q - p + 1) * pg,
			    MADV_GUARD_INSTALL))
			return -errno;
		p = q;
	}
	return 0;
}

static char *map_file(size_t pages, long pg, enum unit_region r)
{
	char path[] = "/tmp/unit-child-XXXXXX";
	unsigned char *buf = malloc(pg);
	char *p = MAP_FAILED;
	int fd;

	fd = mkstemp(path);
	if (fd < 0 || !buf)
		goto out;
	unlink(path);
	for (size_t i = 0; i < pages; i++) {
		memset(buf, tag(r, i), pg);
		if (write(fd, buf, pg) != pg)
			goto out;
	}
	p = mmap(NULL, pages * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return p;
}

/* Places a mapping over part of the reserved block. */
static char *place(char *at, size_t pages, long pg, int prot, int flags,
		   char *src)
{
	if (src) {
		/* Move the file mapping into the block: mremap keeps it one VMA. */
		return mremap(src, pages * pg, pages * pg,
			      MREMAP_MAYMOVE | MREMAP_FIXED, at);
	}
	return mmap(at, pages * pg, prot, flags | MAP_FIXED, -1, 0);
}

/* Runs in the child: builds the layout, reports it, and waits to die. */
static void child_main(int wfd, long pg)
{
	struct unit_child c = { .page = pg };
	size_t total = 1, off;
	char *blk, *p, *file;
	int err = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	memcpy(c.pages, region_pages, sizeof(c.pages));

	p = mmap((void *)X_ADDR, c.pages[R_X] * pg, PROT_READ | PROT_EXEC,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED)
		goto fail;
	c.base[R_X] = (uintptr_t)p;

	for (int r = R_A; r < R_NR; r++)
		total += c.pages[r] + 1;
	blk = mmap(NULL, total * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		   0);
	file = map_file(c.pages[R_C], pg, R_C);
	if (blk == MAP_FAILED || file == MAP_FAILED)
		goto fail;
	off = 1;
	for (int r = R_A; r < R_NR; r++) {
		int flags = r == R_B ? MAP_SHARED | MAP_ANONYMOUS :
				       MAP_PRIVATE | MAP_ANONYMOUS;

		p = place(blk + off * pg, c.pages[r], pg,
			  PROT_READ | PROT_WRITE, flags,
			  r == R_C ? file : NULL);
		if (p == MAP_FAILED)
			goto fail;
		c.base[r] = (uintptr_t)p;
		off += c.pages[r] + 1;
	}
	/* Punch the gaps: unmapped pages keep neighbours apart. */
	off = 0;
	for (int r = R_A; r <= R_NR; r++) {
		if (munmap(blk + off * pg, pg))
			goto fail;
		if (r < R_NR)
			off += c.pages[r] + 1;
	}
	c.hole = c.base[R_D] + c.pages[R_D] * pg;

	for (int r = 0; r < R_NR; r++) {
		err = install_guards((char *)(uintptr_t)c.base[r], r, pg);
		if (err)
			goto fail;
	}
	p = (char *)(uintptr_t)c.base[R_D];
	if (madvise(p + pg, 2 * pg, MADV_GUARD_INSTALL) ||
	    madvise(p + pg, 2 * pg, MADV_GUARD_REMOVE))
		goto fail;
	/* C keeps its file data: only the anonymous ones are written. */
	for (int r = R_A; r <= R_B; r++) {
		p = (char *)(uintptr_t)c.base[r];
		for (size_t i = 0; i < c.pages[r]; i++)
			if (!unit_child_is_guard(r, i))
				memset(p + i * pg, tag(r, i), pg);
	}
	/* X is not writable: the parent reads it back as zero pages. */

	if (write(wfd, &c, sizeof(c)) != sizeof(c))
		_exit(2);
	close(wfd);
	for (;;)
		pause();
fail:
	if (!err)
		err = -errno;
	fprintf(stderr, "unit child: setup failed: %s\n", strerror(-err));
	c.pid = err; /* negative: the parent reads a failure */
	if (write(wfd, &c, sizeof(c)) != sizeof(c))
		_exit(2);
	_exit(1);
}

int unit_child_start(struct unit_child *c)
{
	long pg = sysconf(_SC_PAGESIZE);
	int fds[2], ret;
	pid_t pid;

	memset(c, 0, sizeof(*c));
	guard_ranges_init(&c->expect);
	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(fds[0]);
		close(fds[1]);
		return ret;
	}
	if (!pid) {
		close(fds[0]);
		child_main(fds[1], pg);
		_exit(3);
	}
	close(fds[1]);
	c->pid = pid;
	ret = read(fds[0], c, sizeof(*c)) == sizeof(*c) ? 0 : -EIO;
	close(fds[0]);
	if (!ret && c->pid < 0)
		ret = c->pid;
	c->pid = pid;
	guard_ranges_init(&c->expect); /* the child's copy is not ours */
	if (ret) {
		unit_child_stop(c);
		return ret;
	}
	/* X is below the block; the block's regions ascend. */
	for (int r = 0; r < R_NR && !ret; r++)
		for (size_t i = 0; i < c->pages[r] && !ret; i++)
			if (unit_child_is_guard(r, i))
				ret = guard_ranges_add(
					&c->expect, c->base[r] + i * pg,
					c->base[r] + (i + 1) * pg);
	if (ret)
		unit_child_stop(c);
	return ret;
}

void unit_child_stop(struct unit_child *c)
{
	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		while (waitpid(c->pid, NULL, __WALL) < 0 && errno == EINTR)
			;
		c->pid = 0;
	}
	guard_ranges_free(&c->expect);
}

int unit_child_check_memory(const struct unit_child *c, bool guarded)
{
	static const enum unit_region regions[] = { R_X, R_A, R_B, R_C };
	long pg = c->page;
	unsigned char *buf = malloc(pg);
	char path[64];
	int fd, bad = 0;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)c->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !buf) {
		fprintf(stderr, "     can't open %s: %s\n", path,
			strerror(errno));
		free(buf);
		return -1;
	}
	for (size_t k = 0; k < sizeof(regions) / sizeof(regions[0]); k++) {
		enum unit_region r = regions[k];

		for (size_t i = 0; i < c->pages[r]; i++) {
			uint64_t addr = c->base[r] + i * pg;
			bool g = unit_child_is_guard(r, i);
			ssize_t n = pread(fd, buf, pg, (off_t)addr);
			unsigned char want;
			const char *why = NULL;

			if (g && guarded) {
				if (n >= 0)
					why = "guard page readable";
			} else if (n != pg) {
				why = "unreadable";
			} else {
				/* Lifted guards read as fresh pages. */
				want = g && r != R_C ? 0 : tag(r, i);
				if (r == R_X)
					want = 0;
				for (long j = 0; j < pg && !why; j++)
					if (buf[j] != want)
						why = "wrong data";
			}
			if (why && bad++ < 8)
				fprintf(stderr,
					"     %s page %zu (%#llx): %s\n",
					unit_region_name(r), i,
					(unsigned long long)addr, why);
		}
	}
	close(fd);
	free(buf);
	return bad;
}

/* plugin/proc.c's reader, tested on its own in test_proc.c. */
bool unit_sigstop_pending(pid_t pid)
{
	struct guard_task_status st;

	return !guard_task_status_read(pid, &st) && st.stop_pending;
}

char unit_task_state(pid_t pid)
{
	char path[64], line[256], state = '?';
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return state;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "State: %c", &state) == 1)
			break;
	fclose(f);
	return state;
}
