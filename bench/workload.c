// SPDX-License-Identifier: GPL-2.0
/*
 * A process tree for the benchmark: resident anonymous memory split into a
 * number of VMAs, guard ranges, and a number of tasks.  It daemonizes like
 * the zdtm tests (setsid, pidfile written once everything is in place) and
 * then sleeps until killed.
 *
 *   workload --pidfile=F [--rss=MIB] [--vmas=N] [--guards=N] [--dry]
 *            [--tasks=N] [--own] [--guards-max=N]
 *
 * --rss     resident memory in MiB, every page written (default 0)
 * --vmas    split that memory into N VMAs of alternating protection
 * --guards  N guard ranges of one page, every other page of their own area
 * --dry     lay out the guard area but install no guard: the same memory for
 *           CRIU without the plugin, which can't dump guards
 * --tasks   N tasks in all, forked as a binary tree after the set-up, so
 *           every task inherits the memory and the guards
 * --own     every task maps its own guard area after the fork instead, as
 *           the processes of a container do
 * --guards-max  with --own: task i of N gets round(M^(i/(N-1))) guards,
 *           from 1 to M, spread geometrically (implies --own)
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif

struct opts {
	const char *pidfile;
	size_t rss_mib;
	size_t vmas;
	size_t guards;
	bool dry;
	size_t tasks;
	bool own;
	size_t guards_max;
};

static void usage(void)
{
	fprintf(stderr, "usage: workload --pidfile=F [--rss=MIB] [--vmas=N] "
			"[--guards=N] [--dry] [--tasks=N] [--own] "
			"[--guards-max=N]\n");
	exit(2);
}

static size_t num(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (*s == '\0' || *end != '\0')
		usage();
	return v;
}

static void parse(int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->tasks = 1;
	o->vmas = 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strncmp(a, "--pidfile=", 10))
			o->pidfile = a + 10;
		else if (!strncmp(a, "--rss=", 6))
			o->rss_mib = num(a + 6);
		else if (!strncmp(a, "--vmas=", 7))
			o->vmas = num(a + 7);
		else if (!strncmp(a, "--guards=", 9))
			o->guards = num(a + 9);
		else if (!strcmp(a, "--dry"))
			o->dry = true;
		else if (!strncmp(a, "--tasks=", 8))
			o->tasks = num(a + 8);
		else if (!strcmp(a, "--own"))
			o->own = true;
		else if (!strncmp(a, "--guards-max=", 13))
			o->guards_max = num(a + 13);
		else
			usage();
	}
	if (!o->pidfile || !o->tasks || !o->vmas)
		usage();
	if (o->guards_max)
		o->own = true;
}

/* Guards of task idx: --guards, or 1 to --guards-max geometrically. */
static size_t guards_of(const struct opts *o, size_t idx)
{
	if (!o->guards_max)
		return o->guards;
	if (o->tasks == 1)
		return o->guards_max;
	return (size_t)(pow((double)o->guards_max,
			    (double)idx / (double)(o->tasks - 1)) +
			0.5);
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/*
 * Neighbouring chunks differ in protection, so the kernel can't merge
 * them back into one VMA.
 */
static void make_rss(const struct opts *o, long pg)
{
	size_t pages = o->rss_mib * (1024 * 1024 / pg), chunk;
	char *p;

	if (!pages)
		return;
	if (o->vmas > pages) {
		fprintf(stderr, "more VMAs than pages\n");
		exit(1);
	}
	p = mmap(NULL, pages * pg, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap rss");
	/* Distinct bytes: CRIU must not see zero pages it could skip. */
	for (size_t i = 0; i < pages; i++)
		memset(p + i * pg, (int)(i % 251) + 1, pg);
	chunk = pages / o->vmas;
	for (size_t v = 1; v < o->vmas; v += 2)
		if (mprotect(p + v * chunk * pg, chunk * pg, PROT_READ))
			die("mprotect");
}

static void make_guards(const struct opts *o, size_t guards, long pg)
{
	size_t pages = 2 * guards + 1;
	char *p;

	if (!guards)
		return;
	p = mmap(NULL, pages * pg, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap guards");
	for (size_t i = 0; i < pages; i += 2)
		p[i * pg] = 1;
	if (o->dry)
		return;
	for (size_t i = 0; i < guards; i++)
		if (madvise(p + (2 * i + 1) * pg, pg, MADV_GUARD_INSTALL))
			die("madvise(MADV_GUARD_INSTALL)");
}

/*
 * Task idx forks 2idx+1 and 2idx+2; a child starts over as its own index.
 * Each task reports once on ready, then sleeps until killed.
 */
static void __attribute__((noreturn))
run_tree(const struct opts *o, long pg, int ready)
{
	size_t idx = 0, c = 1, total = o->tasks;

	while (c <= 2 * idx + 2 && c < total) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			idx = c;
			c = 2 * idx + 1;
			continue;
		}
		c++;
	}
	if (o->own)
		make_guards(o, guards_of(o, idx), pg);
	if (write(ready, "r", 1) != 1)
		die("write ready");
	close(ready);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct opts o;
	int p[2], fd;
	size_t got = 0;
	pid_t pid;
	FILE *f;
	char c;

	parse(argc, argv, &o);
	if (pipe(p))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(p[0]);
		/* CRIU dumps a tree whose root leads its session. */
		if (setsid() < 0)
			die("setsid");
		fd = open("/dev/null", O_RDWR);
		if (fd < 0)
			die("/dev/null");
		make_rss(&o, pg);
		if (!o.own)
			make_guards(&o, o.guards, pg);
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
		run_tree(&o, pg, p[1]);
	}
	close(p[1]);
	while (got < o.tasks && read(p[0], &c, 1) == 1)
		got++;
	if (got < o.tasks) {
		fprintf(stderr, "workload: %zu of %zu tasks ready\n", got,
			o.tasks);
		kill(-pid, SIGKILL);
		return 1;
	}
	f = fopen(o.pidfile, "w");
	if (!f || fprintf(f, "%d\n", pid) < 0 || fclose(f))
		die(o.pidfile);
	return 0;
}
