// SPDX-License-Identifier: GPL-2.0
/*
 * The breakpoint probe: its answer matches the tests' own probe
 * (test/zdtm/hwbp_probe, passed as argv[1]), and running it inside a
 * process leaves that process's children and SIGCHLD handling as they
 * were, as criu needs.
 */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guard_hwbp.h"
#include "unit.h"

static const char *oracle;
static volatile sig_atomic_t sigchld_seen;

static void on_sigchld(int sig)
{
	sigchld_seen++;
}

static void test_agrees_with_oracle(void)
{
	enum guard_hwbp_state want, got;
	char cmd[4096];
	int st;

	snprintf(cmd, sizeof(cmd), "timeout 10 %s >/dev/null", oracle);
	st = system(cmd);
	ASSERT(st != -1 && WIFEXITED(st));
	want = WEXITSTATUS(st) == 0 ? GUARD_HWBP_FIRE :
	       WEXITSTATUS(st) == 1 ? GUARD_HWBP_SILENT :
				      GUARD_HWBP_UNKNOWN;
	got = guard_hwbp_probe();
	EXPECT_MSG(got == want, "probe says %s, the tests' probe %s",
		   guard_hwbp_state_name(got), guard_hwbp_state_name(want));
	/* Both answers stay the same from one call to the next. */
	EXPECT_EQ(guard_hwbp_probe(), got);
}

static void test_leaves_children_alone(void)
{
	struct sigaction sa = { .sa_handler = on_sigchld }, old;
	sigset_t mask, before;
	pid_t kid;
	int st;

	ASSERT(!sigaction(SIGCHLD, &sa, &old));
	sigprocmask(SIG_SETMASK, NULL, &before);
	kid = fork();
	ASSERT(kid >= 0);
	if (kid == 0) {
		pause();
		_exit(0);
	}
	sigchld_seen = 0;
	guard_hwbp_probe();
	/* Nothing for the caller's handler, nothing left to reap ... */
	EXPECT_EQ(sigchld_seen, 0);
	EXPECT_EQ(waitpid(-1, &st, WNOHANG), 0);
	/* ... its own child still there, and the signal mask as it was. */
	sigprocmask(SIG_SETMASK, NULL, &mask);
	EXPECT(sigismember(&mask, SIGCHLD) == sigismember(&before, SIGCHLD));
	kill(kid, SIGKILL);
	EXPECT_EQ(waitpid(kid, &st, 0), kid);
	EXPECT_EQ(waitpid(-1, &st, WNOHANG), -1);
	sigaction(SIGCHLD, &old, NULL);
}

/*
 * The policy both the breakpoint plugin and criu-guard check ask, over
 * each case that decides something.
 */
static void test_decide(void)
{
/* policy, probe, criu probes, CRIU_FAULT, plugin loaded, fi_strategy */
#define FACTS(pol, st, probes, fault, plugin, fi)                              \
	{                                                                      \
		GUARD_HWBP_##pol, GUARD_HWBP_##st, probes, fault, plugin, fi   \
	}
	static const struct {
		struct guard_hwbp_facts f;
		enum guard_hwbp_verdict want;
		const char *why;
	} cases[] = {
		/* Not probed yet: probe only where the answer depends on it. */
		{ FACTS(AUTO, UNPROBED, false, 0, true, true),
		  GUARD_HWBP_NEED_PROBE, "auto on criu 4.1 probes" },
		{ FACTS(AUTO, UNPROBED, true, 0, true, true),
		  GUARD_HWBP_CRIU_STEPS, "criu 4.2 probes itself" },
		{ FACTS(OFF, UNPROBED, false, 0, true, true), GUARD_HWBP_LEAVE,
		  "off: no probe" },
		{ FACTS(BROKEN, UNPROBED, false, 0, true, true),
		  GUARD_HWBP_SWITCH, "broken needs no probe" },
		{ FACTS(BROKEN, UNPROBED, true, 0, true, true),
		  GUARD_HWBP_CRIU_STEPS, "broken on criu 4.2" },
		/* Probed. */
		{ FACTS(AUTO, FIRE, false, 0, true, true), GUARD_HWBP_WORKS,
		  "they fire" },
		{ FACTS(AUTO, UNKNOWN, false, 0, true, true),
		  GUARD_HWBP_CANT_TELL, "can't tell: hands off" },
		{ FACTS(AUTO, SILENT, false, 0, true, true), GUARD_HWBP_SWITCH,
		  "silent: switch" },
		{ FACTS(BROKEN, FIRE, false, 0, true, true), GUARD_HWBP_SWITCH,
		  "broken overrides the probe" },
		{ FACTS(AUTO, SILENT, true, 0, true, true),
		  GUARD_HWBP_CRIU_STEPS, "silent on criu 4.2" },
		{ FACTS(AUTO, SILENT, false, 130, true, true),
		  GUARD_HWBP_FAULT_STEPS, "CRIU_FAULT=130 already" },
		{ FACTS(AUTO, SILENT, false, 130, false, false),
		  GUARD_HWBP_FAULT_STEPS, "CRIU_FAULT=130, no plugin" },
		{ FACTS(AUTO, SILENT, false, 3, true, true),
		  GUARD_HWBP_HANG_FAULT, "another fault replaces 130" },
		{ FACTS(AUTO, SILENT, false, 0, false, true),
		  GUARD_HWBP_HANG_NO_PLUGIN, "no plugin" },
		{ FACTS(AUTO, SILENT, false, 0, true, false),
		  GUARD_HWBP_HANG_NO_SWITCH, "no fi_strategy" },
		{ FACTS(OFF, SILENT, false, 0, true, true), GUARD_HWBP_HANG_OFF,
		  "off where they never fire" },
		{ FACTS(OFF, FIRE, false, 0, true, true), GUARD_HWBP_WORKS,
		  "off where they fire" },
	};
#undef FACTS

	for (size_t i = 0; i < UNIT_ARRAY_SIZE(cases); i++) {
		enum guard_hwbp_verdict got = guard_hwbp_decide(&cases[i].f);

		EXPECT_MSG(got == cases[i].want, "%s: got %d, want %d",
			   cases[i].why, got, cases[i].want);
	}
	/* Only the HANG_* verdicts count as a hang. */
	EXPECT(!guard_hwbp_hangs(GUARD_HWBP_SWITCH));
	EXPECT(!guard_hwbp_hangs(GUARD_HWBP_FAULT_STEPS));
	EXPECT(guard_hwbp_hangs(GUARD_HWBP_HANG_FAULT));
	EXPECT(guard_hwbp_hangs(GUARD_HWBP_HANG_OFF));
}

int main(int argc, char **argv)
{
	static const struct unit_test tests[] = {
		{ "agrees_with_oracle", test_agrees_with_oracle },
		{ "leaves_children_alone", test_leaves_children_alone },
		{ "decide", test_decide },
	};

	if (argc < 2) {
		fprintf(stderr, "usage: %s HWBP_PROBE\n", argv[0]);
		return 2;
	}
	oracle = argv[1];
	return unit_run("hwbp", tests, UNIT_ARRAY_SIZE(tests));
}
