// SPDX-License-Identifier: GPL-2.0
/*
 * The tests' own answer to "do x86 hardware breakpoints set with ptrace
 * fire here?", written apart from the plugin's probe (plugin/hwbp.c) so
 * that it can judge it: a forked child, PTRACE_ATTACH from the parent
 * rather than PTRACE_TRACEME, and DR7 armed for DR0 globally.
 *
 * Exit 0: they fire; 1: they never fire (CRIU < 4.2 hangs here); 2: can't
 * tell (not x86, or ptrace refused).
 */
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
static volatile int go;

static void __attribute__((noinline)) target(void)
{
	__asm__ volatile("" ::: "memory");
}

int main(void)
{
	int st, res = 2;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		/* Polls: a pause() would restart after the attach's stop. */
		while (!go)
			usleep(1000);
		target();
		_exit(0);
	}
	if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) ||
	    waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st))
		goto out;
	/* DR7 bit 1: DR0 enabled globally, execute, 1 byte. */
	if (ptrace(PTRACE_POKEUSER, pid, offsetof(struct user, u_debugreg[0]),
		   (void *)target) ||
	    ptrace(PTRACE_POKEUSER, pid, offsetof(struct user, u_debugreg[7]),
		   (void *)2L) ||
	    ptrace(PTRACE_POKEDATA, pid, (void *)&go, (void *)1L) ||
	    ptrace(PTRACE_CONT, pid, NULL, NULL))
		goto out;
	/* A SIGSTOP still queued from the attach may come first: pass it on. */
	while (waitpid(pid, &st, 0) == pid && WIFSTOPPED(st) &&
	       WSTOPSIG(st) != SIGTRAP)
		if (ptrace(PTRACE_CONT, pid, NULL, NULL))
			goto out;
	if (WIFSTOPPED(st) && WSTOPSIG(st) == SIGTRAP)
		res = 0;
	else if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		res = 1;
out:
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	printf("hardware breakpoints: %s\n", res == 0 ? "fire" :
					     res == 1 ? "never fire" :
							"unknown");
	return res;
}
#else
int main(void)
{
	puts("hardware breakpoints: unknown (not x86)");
	return 2;
}
#endif
