// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

static const char *pidfile, *outfile;
static int ready_fd = -1;
static volatile sig_atomic_t got_sigterm;

static void on_sigterm(int sig)
{
	got_sigterm = 1;
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s --pidfile=PATH --outfile=PATH\n", prog);
	exit(2);
}

/* The parent only reports the test's pid once the test is ready. */
static void parent(pid_t child, int rfd)
{
	char c;
	FILE *f;
	int status;

	if (read(rfd, &c, 1) != 1) {
		waitpid(child, &status, 0);
		fprintf(stderr, "test exited before test_daemon()\n");
		exit(1);
	}
	f = fopen(pidfile, "w");
	if (!f || fprintf(f, "%d\n", child) < 0 || fclose(f)) {
		perror(pidfile);
		kill(child, SIGKILL);
		exit(1);
	}
	exit(0);
}

/*
 * ZDTM_PID=N: the test is to run as pid N (flows that dump two runs at one
 * pid).  ns_last_pid is set just below N right before the fork, so only a
 * fork elsewhere in this pid namespace in that instant can take N; the
 * runner sees the pid it got and retries.
 */
static pid_t fork_test(void)
{
	const char *want = getenv("ZDTM_PID");
	int fd;

	if (!want)
		return fork();
	fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || dprintf(fd, "%ld", strtol(want, NULL, 10) - 1) < 0) {
		perror("ns_last_pid");
		exit(1);
	}
	close(fd);
	return fork();
}

void test_init(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_sigterm };
	int p[2], fd;
	pid_t pid;

	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--pidfile=", 10))
			pidfile = argv[i] + 10;
		else if (!strncmp(argv[i], "--outfile=", 10))
			outfile = argv[i] + 10;
		else
			usage(argv[0]);
	}
	if (!pidfile || !outfile)
		usage(argv[0]);
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL))
		exit(1);
	if (pipe(p))
		exit(1);
	pid = fork_test();
	if (pid < 0)
		exit(1);
	if (pid > 0) {
		close(p[1]);
		parent(pid, p[0]);
	}
	close(p[0]);
	ready_fd = p[1];
	/* CRIU dumps a tree whose root leads its session (no --shell-job). */
	if (setsid() < 0)
		exit(1);
	/* Messages and the verdict go to the outfile, as in CRIU's zdtm. */
	fd = open(outfile, O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, 0644);
	if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 ||
	    dup2(fd, STDERR_FILENO) < 0)
		exit(1);
	close(fd);
	setvbuf(stdout, NULL, _IOLBF, 0);
}

void test_daemon(void)
{
	if (write(ready_fd, "R", 1) != 1)
		exit(1);
	close(ready_fd);
	ready_fd = -1;
}

void test_waitsig(void)
{
	sigset_t mask, old;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, &old);
	while (!got_sigterm)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

bool test_sigterm_seen(void)
{
	return got_sigterm;
}

void test_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

void pass(void)
{
	printf("PASS\n");
	fflush(stdout);
}

void fail(const char *fmt, ...)
{
	va_list ap;

	printf("FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}
