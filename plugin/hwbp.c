// SPDX-License-Identifier: GPL-2.0
/*
 * Does an x86 hardware breakpoint set through ptrace fire on this host?
 * The probe sets one the way criu does (DR0 + DR7 via PTRACE_POKEUSER) on a
 * function its own child is about to call: a SIGTRAP stop means it fired,
 * the child's plain exit means it ran straight past.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guard_hwbp.h"
#include "guard_log.h"

const char *guard_hwbp_state_name(enum guard_hwbp_state s)
{
	switch (s) {
	case GUARD_HWBP_FIRE:
		return "fire";
	case GUARD_HWBP_SILENT:
		return "never fire";
	case GUARD_HWBP_UNPROBED:
		return "not probed";
	default:
		return "unknown";
	}
}

#if defined(__x86_64__) || defined(__i386__)

#define HWBP_STACK (64 << 10)

static void __attribute__((noinline, used)) hwbp_target(void)
{
	__asm__ volatile("nop" ::: "memory");
}

/*
 * Runs in a child that shares the caller's memory (CLONE_VM: no page
 * tables to copy, which is most of a fork's cost in criu) and its TLS, so
 * it makes raw system calls only: libc's raise() would signal the caller.
 */
static int hwbp_child(void *arg)
{
	if (syscall(SYS_ptrace, PTRACE_TRACEME, 0, NULL, NULL))
		syscall(SYS_exit, 2);
	syscall(SYS_kill, syscall(SYS_getpid), SIGSTOP);
	hwbp_target();
	syscall(SYS_exit, 0);
	return 0;
}

static int arm(pid_t pid)
{
	long dr0 = offsetof(struct user, u_debugreg[0]);
	long dr7 = offsetof(struct user, u_debugreg[7]);

	/* DR7 bit 0: DR0 enabled locally, as an execute breakpoint of 1 byte */
	if (ptrace(PTRACE_POKEUSER, pid, (void *)dr0, (void *)hwbp_target) ||
	    ptrace(PTRACE_POKEUSER, pid, (void *)dr7, (void *)1L))
		return -errno;
	if (ptrace(PTRACE_CONT, pid, NULL, NULL))
		return -errno;
	return 0;
}

/*
 * WUNTRACED: a child whose PTRACE_TRACEME failed stops untraced, and that
 * stop must be seen rather than waited past.
 */
static int wait_child(pid_t pid, int *status)
{
	while (waitpid(pid, status, __WALL | WUNTRACED) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

static enum guard_hwbp_state run_probe(pid_t pid)
{
	enum guard_hwbp_state res = GUARD_HWBP_UNKNOWN;
	int st, ret;

	ret = wait_child(pid, &st);
	if (ret || !WIFSTOPPED(st) || WSTOPSIG(st) != SIGSTOP)
		goto out;
	ret = arm(pid);
	if (ret) {
		pr_debug("hwbp probe: can't set a breakpoint: %s\n",
			 strerror(-ret));
		goto out;
	}
	if (wait_child(pid, &st))
		goto out;
	if (WIFSTOPPED(st) && WSTOPSIG(st) == SIGTRAP)
		res = GUARD_HWBP_FIRE;
	else if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		res = GUARD_HWBP_SILENT;
out:
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, __WALL) >= 0 || errno == EINTR)
		;
	return res;
}

enum guard_hwbp_state guard_hwbp_probe(void)
{
	enum guard_hwbp_state res = GUARD_HWBP_UNKNOWN;
	struct timespec zero = { 0, 0 };
	sigset_t chld, old, pending;
	bool was_pending;
	char *stack;
	pid_t pid;

	stack = mmap(NULL, HWBP_STACK, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return GUARD_HWBP_UNKNOWN;

	/*
	 * criu may wait for its own children from a SIGCHLD handler: keep
	 * the probe child's SIGCHLDs away from it and consume them here.
	 */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGCHLD);
	pid = clone(hwbp_child, stack + HWBP_STACK, CLONE_VM | SIGCHLD, NULL);
	if (pid > 0)
		res = run_probe(pid);
	else
		pr_debug("hwbp probe: clone: %s\n", strerror(errno));
	if (!was_pending)
		while (sigtimedwait(&chld, NULL, &zero) == SIGCHLD)
			;
	sigprocmask(SIG_SETMASK, &old, NULL);
	munmap(stack, HWBP_STACK);
	return res;
}

#else

enum guard_hwbp_state guard_hwbp_probe(void)
{
	return GUARD_HWBP_UNKNOWN;
}

#endif
