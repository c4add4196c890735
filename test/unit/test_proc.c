// SPDX-License-Identifier: GPL-2.0
/*
 * plugin/proc.c's status reader on real tasks: each field the plugin
 * decides by (the pid CRIU's images use, a queued SIGSTOP, mlock, seccomp)
 * set by a child that is made to have it, and the same field clear in a
 * child that isn't.  The snapshot's read-once rule is in test_smaps.c.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>

#include "guard_proc.h"
#include "unit.h"

/* What a child sets up before it waits to be read. */
enum setup {
	PLAIN,
	BLOCK_USR1, /* SIGUSR1 blocked, then raised: pending and blocked */
	MLOCK,	    /* one mlock()ed page */
	SECCOMP,    /* an allow-all filter */
};

static void child_setup(enum setup what)
{
	static struct sock_filter allow[] = {
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = 1, .filter = allow };
	sigset_t set;
	void *p;

	switch (what) {
	case PLAIN:
		break;
	case BLOCK_USR1:
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		if (sigprocmask(SIG_BLOCK, &set, NULL) || raise(SIGUSR1))
			_exit(2);
		break;
	case MLOCK:
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		/* Not mlock(): AddressSanitizer makes it a no-op. */
		if (p == MAP_FAILED || syscall(SYS_mlock, p, 4096))
			_exit(2);
		break;
	case SECCOMP:
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
			_exit(2);
		break;
	}
}

/* A child set up as asked, ready (it wrote a byte) and waiting. */
static pid_t child_start(enum setup what)
{
	int p[2];
	char c;
	pid_t pid;

	ASSERT(!pipe(p));
	pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		child_setup(what);
		if (write(p[1], "r", 1) != 1)
			_exit(2);
		for (;;)
			pause();
	}
	close(p[1]);
	ASSERT_EQ(read(p[0], &c, 1), 1);
	close(p[0]);
	return pid;
}

static void child_end(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void read_child(enum setup what, struct guard_task_status *st)
{
	pid_t pid = child_start(what);

	EXPECT_EQ(guard_task_status_read(pid, st), 0);
	EXPECT(st->has_ns_pid);
	EXPECT_EQ(st->ns_pid, pid); /* no pid namespace between us */
	child_end(pid);
}

static void test_plain(void)
{
	struct guard_task_status st;

	read_child(PLAIN, &st);
	EXPECT(!st.stop_pending);
	EXPECT(!st.stop_only);
	EXPECT(!st.locked);
	EXPECT_EQ(st.sig_pending, 0);
}

static void test_blocked_pending(void)
{
	const unsigned long long usr1 = 1ULL << (SIGUSR1 - 1);
	struct guard_task_status st;

	read_child(BLOCK_USR1, &st);
	EXPECT_EQ(st.sig_pending & usr1, usr1);
	EXPECT_EQ(st.sig_blocked & usr1, usr1);
	EXPECT(!st.stop_pending);
}

static void test_mlock(void)
{
	struct guard_task_status st;

	read_child(MLOCK, &st);
	EXPECT(st.locked);
}

static void test_seccomp(void)
{
	struct guard_task_status st;

	read_child(SECCOMP, &st);
	EXPECT(st.seccomp);
}

/*
 * A SIGSTOP sent to a task in a ptrace stop stays queued: the case
 * plugin/inject.c must re-queue.  Alone it is "stop only"; with another
 * unblocked signal queued beside it, it is not.
 */
static void test_stop_pending(void)
{
	struct guard_task_status st;
	pid_t pid = child_start(PLAIN);
	int status;

	ASSERT_EQ(ptrace(PTRACE_SEIZE, pid, 0, 0), 0);
	ASSERT_EQ(ptrace(PTRACE_INTERRUPT, pid, 0, 0), 0);
	ASSERT_EQ(waitpid(pid, &status, __WALL), pid);
	EXPECT_EQ(guard_task_status_read(pid, &st), 0);
	EXPECT(!st.stop_pending);
	kill(pid, SIGSTOP);
	EXPECT_EQ(guard_task_status_read(pid, &st), 0);
	EXPECT(st.stop_pending);
	EXPECT(st.stop_only);
	kill(pid, SIGUSR2);
	EXPECT_EQ(guard_task_status_read(pid, &st), 0);
	EXPECT(st.stop_pending);
	EXPECT(!st.stop_only);
	child_end(pid);
}

/* CRIU names images by the innermost pid: 1 for a namespace's init. */
static void test_ns_pid(void)
{
	uint32_t ns_pid = 0;
	pid_t pid;

	if (unshare(CLONE_NEWPID)) {
		if (errno == EPERM)
			unit_skip("no CLONE_NEWPID here (not root)");
		ASSERT(0);
	}
	pid = child_start(PLAIN); /* the first child after unshare() */
	EXPECT_EQ(guard_task_ns_pid(pid, &ns_pid), 0);
	EXPECT_EQ(ns_pid, 1);
	child_end(pid);
}

/* A task that is gone reads as gone, not as a task with no signals. */
static void test_vanished(void)
{
	struct guard_task_status st;
	pid_t pid = child_start(PLAIN);

	child_end(pid);
	EXPECT_EQ(guard_task_status_read(pid, &st), -ESRCH);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{ "plain", test_plain },
		{ "blocked_pending", test_blocked_pending },
		{ "mlock", test_mlock },
		{ "seccomp", test_seccomp },
		{ "stop_pending", test_stop_pending },
		{ "ns_pid", test_ns_pid },
		{ "vanished", test_vanished },
	};

	return unit_run("proc", tests, UNIT_ARRAY_SIZE(tests));
}
