// SPDX-License-Identifier: GPL-2.0
/*
 * A thread on a stack of its own (pthread_attr_setstack) whose lowest page
 * the thread made a guard, as stack-overflow protection does.  After
 * restore the guard is back, the rest of the stack holds its data, and the
 * thread still runs on that stack.
 */
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "guardtst.h"
#include "zdtmtst.h"

const char *test_doc = "A thread stack whose lowest page is a guard";
const char *test_author = "criu-guard";

#define STACK_PAGES 64
/* The top pages are the thread's live stack and TLS; not checked. */
#define CHECKED_PAGES 48

static struct gt_region *stack;
static int go[2], ready[2];
static pthread_t thread;

static long deep(int n)
{
	volatile char pad[256];

	pad[0] = (char)n;
	return n ? deep(n - 1) + pad[0] : 0;
}

static void *run(void *arg)
{
	char c = gt_guard(stack, 0, 1) ? 'F' : 'R';

	if (write(ready[1], &c, 1) != 1 || c != 'R')
		return NULL;
	if (read(go[0], &c, 1) != 1)
		return NULL;
	/* Uses a few KiB of the restored stack before answering. */
	return (void *)deep(16);
}

static int thread_alive(void *arg, bool restored)
{
	void *ret = NULL;

	if (!restored)
		return 0;
	if (write(go[1], "G", 1) != 1 || pthread_join(thread, &ret)) {
		test_msg("can't wake and join the thread\n");
		return 1;
	}
	if ((long)ret != deep(16)) {
		test_msg("thread returned %ld, expected %ld\n", (long)ret,
			 deep(16));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	pthread_attr_t attr;
	sigset_t term, old;
	char c;

	test_init(argc, argv);
	stack = gt_map_anon("thread-stack", STACK_PAGES);
	if (!stack || pipe(go) || pipe(ready)) {
		fail("mmap or pipe");
		return 1;
	}
	stack->pages = CHECKED_PAGES;
	gt_fill(stack);
	/* SIGTERM must reach the main thread, which waits for it. */
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &term, &old);
	if (pthread_attr_init(&attr) ||
	    pthread_attr_setstack(&attr, stack->addr, STACK_PAGES * gt_page) ||
	    pthread_create(&thread, &attr, run, NULL)) {
		fail("pthread_create");
		return 1;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (read(ready[0], &c, 1) != 1 || c != 'R') {
		fail("the thread could not guard its stack");
		return 1;
	}
	return gt_run_with(&stack, 1, thread_alive, NULL);
}
