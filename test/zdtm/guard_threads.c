// SPDX-License-Identifier: GPL-2.0
/*
 * Guards installed by several threads: each thread guards its own region
 * and its own pages of a region all threads share.  After restore each
 * thread checks its own region from its own context.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "guardtst.h"
#include "zdtmtst.h"

const char *test_doc = "Guards installed by several threads";
const char *test_author = "criu-guard";

#define NTHREADS 4

struct worker {
	pthread_t thread;
	int idx;
	int go[2];
	struct gt_region *own;
};

static struct worker w[NTHREADS];
static struct gt_region *shared;
static int ready[2];
static char names[NTHREADS][16];

static void *run(void *arg)
{
	struct worker *me = arg;
	size_t i = me->idx;
	char c = 'R';

	if (gt_guard(me->own, i, 1) || gt_guard(me->own, 8 + i, 2) ||
	    gt_guard(shared, 1 + 4 * i, 1 + i % 2))
		c = 'F';
	if (write(ready[1], &c, 1) != 1 || c != 'R')
		return (void *)1L;
	if (read(me->go[0], &c, 1) != 1)
		return (void *)1L;
	/* One at a time: the fault probes are not thread-safe. */
	return (void *)(long)(gt_check(me->own) + gt_check_gu(me->own));
}

static int threads_check(void *arg, bool restored)
{
	int bad = 0;

	if (!restored)
		return 0;
	for (int i = 0; i < NTHREADS; i++) {
		void *ret = NULL;

		if (write(w[i].go[1], "G", 1) != 1 ||
		    pthread_join(w[i].thread, &ret)) {
			test_msg("can't wake and join thread %d\n", i);
			bad++;
			continue;
		}
		if (ret)
			test_msg("thread %d found %ld problems\n", i,
				 (long)ret);
		bad += (int)(long)ret;
	}
	return bad;
}

int main(int argc, char **argv)
{
	struct gt_region *all[NTHREADS + 1];
	sigset_t term, old;
	char c;

	test_init(argc, argv);
	shared = gt_map_anon("shared", 4 * NTHREADS + 2);
	if (!shared || pipe(ready)) {
		fail("mmap");
		return 1;
	}
	gt_fill(shared);
	all[NTHREADS] = shared;
	for (int i = 0; i < NTHREADS; i++) {
		snprintf(names[i], sizeof(names[i]), "thread-%d", i);
		w[i].idx = i;
		w[i].own = all[i] = gt_map_anon(names[i], 13);
		if (!w[i].own || pipe(w[i].go)) {
			fail("mmap");
			return 1;
		}
		gt_fill(w[i].own);
	}
	/* SIGTERM must reach the main thread, which waits for it. */
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &term, &old);
	for (int i = 0; i < NTHREADS; i++) {
		if (pthread_create(&w[i].thread, NULL, run, &w[i])) {
			fail("pthread_create");
			return 1;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	for (int i = 0; i < NTHREADS; i++) {
		if (read(ready[0], &c, 1) != 1 || c != 'R') {
			fail("a thread could not install its guards");
			return 1;
		}
	}
	return gt_run_with(all, NTHREADS + 1, threads_check, NULL);
}
