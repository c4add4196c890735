// SPDX-License-Identifier: GPL-2.0
/*
 * The dumpee of the cross-version matrix (test/travel/run): a tree of two
 * tasks whose root runs threads that guard memory of their own, with
 * guards in private anonymous memory, shared anonymous memory, and
 * private and shared file mappings.  Built static, so that the same binary
 * runs in either root file system; the files live in --dir, which both
 * sides see at the same path.
 *
 *   guard_travel --dir=DIR --pidfile=PATH --outfile=PATH
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guardtst.h"
#include "zdtmtst.h"

const char *test_doc = "Threads, shmem and file guards for the version matrix";
const char *test_author = "criu-guard";

#define NTHREADS 2

static struct gt_tree tree;
static struct gt_region *anon, *shm, *fpriv, *fshared, *own[NTHREADS];
static int ready[2];

static void *thread_run(void *arg)
{
	struct gt_region *r = arg;
	char c = gt_guard(r, 2, 1) || gt_guard(r, 5, 2) ? 'F' : 'R';

	if (write(ready[1], &c, 1) != 1)
		return NULL;
	for (;;)
		pause();
}

static int start_threads(void)
{
	sigset_t term, old;
	char name[16], c;
	pthread_t th;

	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &term, &old);
	for (int i = 0; i < NTHREADS; i++) {
		snprintf(name, sizeof(name), "thread-%d", i);
		own[i] = gt_anon(strdup(name), 8);
		if (!own[i] || pthread_create(&th, NULL, thread_run, own[i]))
			return -1;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	for (int i = 0; i < NTHREADS; i++)
		if (read(ready[0], &c, 1) != 1 || c != 'R')
			return -1;
	return 0;
}

static int child(void)
{
	struct gt_region *r[4] = { anon, shm, fpriv, fshared };

	/* Its own guards in inherited memory, one inherited guard gone. */
	if (gt_guard(anon, 10, 1) || gt_unguard(anon, 1, 1) ||
	    gt_guard(fpriv, 6, 1))
		_exit(1);
	gt_tree_ready(&tree, r, 4);
	return gt_tree_finish(&tree, NULL, NULL);
}

static int map_all(const char *dir)
{
	char path[2][256];
	char *p = gt_reserve(8);

	snprintf(path[0], sizeof(path[0]), "%s/travel-private.%d", dir,
		 getpid());
	snprintf(path[1], sizeof(path[1]), "%s/travel-shared.%d", dir,
		 getpid());
	anon = gt_anon("anon", 16);
	if (p)
		p = mmap(p, 8 * gt_page, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	shm = p && p != MAP_FAILED ? gt_wrap("shmem", p, 8) : NULL;
	fpriv = gt_map_file("file-private", path[0], 8, MAP_PRIVATE);
	fshared = gt_map_file("file-shared", path[1], 8, MAP_SHARED);
	if (!anon || !shm || !fpriv || !fshared)
		return -1;
	gt_fill(shm);
	return gt_guard(anon, 1, 1) || gt_guard(anon, 7, 3) ||
			       gt_guard(shm, 3, 1) || gt_guard(fpriv, 0, 1) ||
			       gt_guard(fpriv, 4, 2) ||
			       gt_guard(fshared, 2, 1) ?
		       -1 :
		       0;
}

int main(int argc, char **argv)
{
	struct gt_region *r[4 + NTHREADS];
	const char *dir = "/tmp";
	int n = 1;

	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--dir=", 6))
			dir = argv[i] + 6;
		else
			argv[n++] = argv[i];
	}
	argv[n] = NULL;
	test_init(n, argv);
	gt_tree_init(&tree, "root");
	if (pipe(ready) || map_all(dir)) {
		fail("mmap or MADV_GUARD_INSTALL");
		return 1;
	}
	if (gt_tree_fork(&tree, "child") == 0)
		return child();
	if (start_threads()) {
		fail("threads");
		gt_tree_abort(&tree);
		return 1;
	}
	r[0] = anon;
	r[1] = shm;
	r[2] = fpriv;
	r[3] = fshared;
	for (int i = 0; i < NTHREADS; i++)
		r[4 + i] = own[i];
	if (gt_tree_ready(&tree, r, 4 + NTHREADS)) {
		fail("the tree is wrong before the dump");
		gt_tree_abort(&tree);
		return 1;
	}
	test_daemon();
	return gt_tree_finish(&tree, NULL, NULL);
}
