// SPDX-License-Identifier: GPL-2.0
/*
 * Guards that move between pre-dumps: each SIGUSR1 installs a guard over a
 * page an earlier pre-dump read and removes another guard (the page is
 * filled again).  After the final dump and restore the region must hold
 * exactly the guards and contents of the last step (flows/zerolift.sh).
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "guardtst.h"
#include "zdtmtst.h"

const char *test_doc = "Guards installed and removed between pre-dumps";
const char *test_author = "criu-guard";

static volatile sig_atomic_t moves;

static void on_usr1(int sig)
{
	moves++;
}

/* Step 1 guards a dumped page and frees one; step 2 frees two, guards one. */
static int move(struct gt_region *r, int step)
{
	if (step == 1)
		return gt_guard(r, 5, 1) || gt_unguard(r, 3, 1);
	if (step == 2)
		return gt_unguard(r, 10, 2) || gt_guard(r, 25, 1);
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	struct gt_region *r;
	int done = 0, bad;

	test_init(argc, argv);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	if (sigaction(SIGUSR1, &sa, NULL)) {
		fail("sigaction");
		return 1;
	}
	r = gt_anon("moving", 32);
	if (!r || GT_GUARDS(r, { 3, 1 }, { 10, 2 }, { 20, 1 }))
		return 1;
	test_daemon();
	while (!test_sigterm_seen()) {
		while (done < moves) {
			if (move(r, ++done)) {
				fail("guard step %d", done);
				return 1;
			}
			test_msg("step %d done\n", done);
		}
		usleep(10000);
	}
	bad = gt_check(r);
	if (bad) {
		fail("%d pages differ after restore", bad);
		return 1;
	}
	pass();
	return 0;
}
