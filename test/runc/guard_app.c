// SPDX-License-Identifier: GPL-2.0
/*
 * The process inside the test container (runs as the container's pid 1,
 * linked statically: the bundle holds only busybox and this program).
 *
 * Installs guards in private and shared anonymous memory, forks a child
 * that inherits them, records the guard ranges and writes DIR/guard-ready.
 * Then waits for SIGTERM (runc kill) or the file DIR/guard-go, and checks
 * in both processes that the guard ranges are the recorded ones, that guard
 * pages fault and that every other page holds its data.  The verdict goes
 * to DIR/guard-result (the child's details to DIR/guard-result-child): the
 * container's stdio is a pipe whose reader may be gone after a migration,
 * while the bundle's rootfs travels with the container.
 *
 *   guard_app [--dir=DIR] [--no-guards] [--mem=MIB]
 *
 * DIR defaults to /.  --no-guards maps and checks the same memory without
 * guards: the baseline that stock CRIU can checkpoint, for timing.  --mem
 * adds a region of MIB MiB with a guard page every 2 MiB, so that timings
 * see a process of some size.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guard_range.h"
#include "guardtst.h"
#include "zdtmtst.h"

#define MAX_REGIONS 4

static volatile sig_atomic_t got_sigterm;
static const char *dir = "/";
static bool no_guards;
static size_t big_pages;
static int n_regions = 3;

static void on_sigterm(int sig)
{
	got_sigterm = 1;
}

static char *path(const char *name)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s/%s", dir, name);
	return buf;
}

/* Later output (details, verdict) goes to a file in the rootfs. */
static int redirect_output(const char *name)
{
	int fd = open(path(name), O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return -1;
	fflush(stdout);
	if (dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0)
		return -1;
	close(fd);
	setvbuf(stdout, NULL, _IOLBF, 0);
	return 0;
}

static int setup(struct gt_region **r)
{
	char *shared;

	r[0] = gt_map_anon("anon", 32);
	r[1] = gt_map_anon("anon-small", 8);
	shared = mmap(NULL, 16 * gt_page, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	r[2] = shared == MAP_FAILED ? NULL : gt_wrap("shared", shared, 16);
	if (big_pages) {
		r[3] = gt_map_anon("big", big_pages);
		n_regions = r[3] ? 4 : 0;
	}
	if (!r[0] || !r[1] || !r[2] || !n_regions) {
		fail("mmap");
		return -1;
	}
	for (int i = 0; i < n_regions; i++)
		gt_fill(r[i]);
	if (no_guards)
		return 0;
	for (size_t pg = 256; pg < big_pages; pg += 512)
		if (gt_guard(r[3], pg, 1)) {
			fail("MADV_GUARD_INSTALL");
			return -1;
		}
	if (GT_GUARDS(r[0], { 0, 1 }, { 10, 3 }, { 31, 1 }) ||
	    GT_GUARDS(r[1], { 4, 1 }) || GT_GUARDS(r[2], { 5, 2 }))
		return -1;
	return 0;
}

/* Checks after the wait; returns 0 if everything is as recorded. */
static int verify(struct gt_region **r, const struct guard_ranges *before,
		  const char *who)
{
	struct guard_ranges after;
	int bad, ret = 1;

	guard_ranges_init(&after);
	if (gt_snapshot(&after)) {
		test_msg("%s: can't scan own guard ranges\n", who);
		return 1;
	}
	gt_print(who, &after);
	bad = gt_verify_all(r, n_regions);
	if (bad)
		test_msg("%s: %d pages wrong\n", who, bad);
	else if (!guard_ranges_equal(before, &after))
		test_msg("%s: guard ranges differ: %zu recorded, %zu now\n",
			 who, before->n, after.n);
	else
		ret = 0;
	guard_ranges_free(&after);
	return ret;
}

static int write_ready(const struct guard_ranges *before, pid_t child)
{
	char tmp[4096 + 8];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path("guard-ready"));
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "pid %d child %d ranges %zu\n", (int)getpid(), (int)child,
		before->n);
	for (size_t i = 0; i < before->n; i++)
		fprintf(f, "%#llx-%#llx\n",
			(unsigned long long)before->v[i].start,
			(unsigned long long)before->v[i].end);
	if (fclose(f))
		return -1;
	/* Renamed, so that a reader never sees half a file. */
	return rename(tmp, path("guard-ready"));
}

static void wait_trigger(bool watch_file)
{
	while (!got_sigterm) {
		if (watch_file && !access(path("guard-go"), F_OK))
			return;
		usleep(20000);
	}
}

static int child_main(struct gt_region **r, const struct guard_ranges *before)
{
	int ret;

	wait_trigger(false);
	if (redirect_output("guard-result-child"))
		return 1;
	ret = verify(r, before, "child");
	if (ret)
		fail("child");
	else
		pass();
	return ret;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_sigterm };
	struct gt_region *r[MAX_REGIONS];
	struct guard_ranges before;
	int status, bad = 0;
	pid_t child;

	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--dir=", 6)) {
			dir = argv[i] + 6;
		} else if (!strcmp(argv[i], "--no-guards")) {
			no_guards = true;
		} else if (!strncmp(argv[i], "--mem=", 6)) {
			big_pages = strtoul(argv[i] + 6, NULL, 10) << 20;
			big_pages /= sysconf(_SC_PAGESIZE);
		} else {
			fprintf(stderr,
				"usage: %s [--dir=DIR] [--no-guards] "
				"[--mem=MIB]\n",
				argv[0]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigemptyset(&sa.sa_mask);
	/* pid 1 of a pid namespace gets only the signals it handles. */
	if (sigaction(SIGTERM, &sa, NULL))
		return 1;
	if (setup(r))
		return 1;
	if (gt_verify_all(r, n_regions)) {
		fail("regions wrong before the checkpoint");
		return 1;
	}
	guard_ranges_init(&before);
	if (gt_snapshot(&before)) {
		fail("can't scan own guard ranges");
		return 1;
	}
	gt_print("before", &before);
	/* The child inherits the guards (fork copies them). */
	child = fork();
	if (child < 0) {
		fail("fork: %s", strerror(errno));
		return 1;
	}
	if (child == 0)
		return child_main(r, &before);
	if (write_ready(&before, child)) {
		fail("can't write %s: %s", path("guard-ready"),
		     strerror(errno));
		kill(child, SIGKILL);
		return 1;
	}
	wait_trigger(true);
	if (redirect_output("guard-result"))
		return 1;
	kill(child, SIGTERM);
	bad = verify(r, &before, "init");
	if (waitpid(child, &status, 0) != child) {
		test_msg("child lost: %s\n", strerror(errno));
		bad++;
	} else if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		test_msg("child failed (status %#x, see guard-result-child)\n",
			 status);
		bad++;
	}
	if (bad) {
		fail("guard regions not intact");
		return 1;
	}
	pass();
	return 0;
}
