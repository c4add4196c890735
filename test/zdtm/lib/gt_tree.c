// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guard_array.h"
#include "gt_run.h"
#include "gt_tree.h"
#include "gt_oracle.h"
#include "zdtmtst.h"

void gt_tree_init(struct gt_tree *t, const char *name)
{
	memset(t, 0, sizeof(*t));
	t->up = -1;
	snprintf(t->name, sizeof(t->name), "%s", name);
	guard_ranges_init(&t->before);
}

static int tree_push(struct gt_tree *t, pid_t pid, int fd)
{
	if (GUARD_ARRAY_GROW(t->kids, t->nkids, t->cap, 8))
		return -1;
	t->kids[t->nkids].pid = pid;
	t->kids[t->nkids].fd = fd;
	t->nkids++;
	return 0;
}

pid_t gt_tree_fork(struct gt_tree *t, const char *name)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid > 0) {
		close(p[1]);
		if (tree_push(t, pid, p[0])) {
			kill(pid, SIGKILL);
			return -1;
		}
		return pid;
	}
	/* The child leaves its siblings' pipes and its parent's state. */
	close(p[0]);
	for (size_t i = 0; i < t->nkids; i++)
		close(t->kids[i].fd);
	if (t->up >= 0)
		close(t->up);
	free(t->kids);
	guard_ranges_free(&t->before);
	gt_tree_init(t, name);
	t->up = p[1];
	return 0;
}

static int report(struct gt_tree *t, int bad)
{
	if (t->up < 0)
		return 0;
	return write(t->up, &bad, sizeof(bad)) == sizeof(bad) ? 0 : -1;
}

/* Sums one int from every child; a child that can't say counts as bad. */
static int gather(struct gt_tree *t, const char *phase)
{
	int total = 0;

	for (size_t i = 0; i < t->nkids; i++) {
		int bad;

		if (read(t->kids[i].fd, &bad, sizeof(bad)) != sizeof(bad)) {
			test_msg("%s: child %d sent no report %s\n", t->name,
				 (int)t->kids[i].pid, phase);
			bad = 1;
		}
		total += bad;
	}
	return total;
}

int gt_tree_ready(struct gt_tree *t, struct gt_region **regions, size_t n)
{
	int bad;

	t->regions = regions;
	t->nregions = n;
	bad = gt_verify_all(regions, n);
	if (gt_snapshot(&t->before)) {
		test_msg("%s: can't scan own guard ranges\n", t->name);
		bad++;
	}
	if (bad)
		test_msg("%s: %d problems before the dump\n", t->name, bad);
	bad += gather(t, "before the dump");
	if (report(t, bad))
		bad++;
	return bad;
}

static int verify_self(struct gt_tree *t)
{
	struct guard_ranges after;
	int bad;

	guard_ranges_init(&after);
	bad = gt_verify_all(t->regions, t->nregions);
	if (gt_snapshot(&after)) {
		test_msg("%s: can't scan own guard ranges after restore\n",
			 t->name);
		bad++;
	} else if (!guard_ranges_equal(&t->before, &after)) {
		gt_print(t->name, &t->before);
		gt_print("  after restore", &after);
		test_msg("%s: guard ranges differ: %zu before, %zu after\n",
			 t->name, t->before.n, after.n);
		bad++;
	}
	guard_ranges_free(&after);
	return bad;
}

int gt_tree_finish(struct gt_tree *t, int (*extra)(void *arg), void *arg)
{
	int bad, status;

	test_waitsig();
	for (size_t i = 0; i < t->nkids; i++)
		kill(t->kids[i].pid, SIGTERM);
	bad = verify_self(t);
	if (extra)
		bad += extra(arg);
	if (bad)
		test_msg("%s (pid %d): %d problems after restore\n", t->name,
			 (int)getpid(), bad);
	bad += gather(t, "after restore");
	for (size_t i = 0; i < t->nkids; i++) {
		if (waitpid(t->kids[i].pid, &status, 0) != t->kids[i].pid ||
		    !WIFEXITED(status) || WEXITSTATUS(status)) {
			test_msg("%s: child %d did not exit cleanly\n", t->name,
				 (int)t->kids[i].pid);
			bad++;
		}
	}
	if (t->up >= 0) {
		report(t, bad);
		_exit(0);
	}
	if (bad)
		fail("%d problems in the tree after restore", bad);
	else
		pass();
	return bad ? 1 : 0;
}

void gt_tree_abort(struct gt_tree *t)
{
	for (size_t i = 0; i < t->nkids; i++)
		kill(t->kids[i].pid, SIGKILL);
}

struct gt_region *gt_tree_own(const char *name, size_t pages)
{
	struct gt_region *r = gt_map_anon(name, pages);

	/* The parent counts a child that sent no report as a problem. */
	if (!r)
		exit(1);
	gt_fill(r);
	return r;
}

int gt_tree_member(struct gt_tree *t, struct gt_region **regions, size_t n)
{
	gt_tree_ready(t, regions, n);
	return gt_tree_finish(t, NULL, NULL);
}

int gt_tree_root(struct gt_tree *t, struct gt_region **regions, size_t n,
		 int (*extra)(void *arg), void *arg)
{
	if (gt_tree_ready(t, regions, n) || (extra && extra(arg))) {
		fail("the tree is wrong before the dump");
		gt_tree_abort(t);
		return 1;
	}
	test_daemon();
	return gt_tree_finish(t, extra, arg);
}

pid_t gt_zombie(int code)
{
	siginfo_t si;
	pid_t pid = fork();

	if (pid == 0)
		_exit(code);
	if (pid < 0)
		return -1;
	/* Wait for the exit without reaping it. */
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, pid, &si, WEXITED | WNOWAIT))
		return -1;
	return pid;
}

int gt_zombie_check(pid_t pid, int code)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT)) {
		test_msg("zombie %d: waitid: %s\n", (int)pid, strerror(errno));
		return 1;
	}
	if (si.si_pid != pid || si.si_code != CLD_EXITED ||
	    si.si_status != code) {
		test_msg("zombie %d: pid %d code %d status %d, expected an "
			 "exit with %d\n",
			 (int)pid, (int)si.si_pid, si.si_code, si.si_status,
			 code);
		return 1;
	}
	return 0;
}
