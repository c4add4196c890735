// SPDX-License-Identifier: GPL-2.0
/*
 * A guarded task that changes its guards on SIGUSR1 after restore: removes
 * the guard on page 8 and installs one on page 12.  criu-guard verify must
 * then name exactly those two pages.  Writes "flipped" when done, and PASS
 * on SIGTERM if its pages still match what it expects.
 */
#include <signal.h>
#include <string.h>

#include "guardtst.h"
#include "zdtmtst.h"

static volatile sig_atomic_t flip;

static void on_usr1(int sig)
{
	flip = 1;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct gt_region *r;
	sigset_t mask, old;

	test_init(argc, argv);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	r = gt_anon("flip", 16);
	if (!r || GT_GUARDS(r, { 2, 2 }, { 8, 1 }))
		return 1;
	/* Both signals wait blocked, so none slips in before sigsuspend. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, &old);
	test_daemon();
	while (!test_sigterm_seen()) {
		sigsuspend(&old);
		if (!flip)
			continue;
		flip = 0;
		if (gt_unguard(r, 8, 1) || gt_guard(r, 12, 1)) {
			fail("flip");
			return 1;
		}
		test_msg("flipped\n");
	}
	if (gt_check(r)) {
		fail("pages differ from what was expected");
		return 1;
	}
	pass();
	return 0;
}
