// SPDX-License-Identifier: GPL-2.0
/*
 * criu-guard-hwbp: the hardware-breakpoint workaround for CRIU < 4.2, a
 * plugin of its own because it concerns every criu run, guards or not.
 * Where x86 breakpoints never fire, criu 4.0/4.1 waits forever for a task
 * to trap at the end of each dump and restore; this plugin's init() makes
 * it single-step instead, as CRIU_FAULT=130 does (criu reads fi_strategy
 * only after every plugin's init).  It registers no hooks and writes no
 * inventory entry: a dump restores whether or not it is loaded.
 */
#include <stdlib.h>

#include <criu-plugin.h>

#include "guard_criu_syms.h"
#include "guard_hwbp.h"
#include "guard_log.h"

/* Built with hidden visibility: criu needs to see only the descriptor. */
extern cr_plugin_desc_t CR_PLUGIN_DESC __attribute__((visibility("default")));

static void report(enum guard_hwbp_verdict v, const char *why, int fault)
{
	switch (v) {
	case GUARD_HWBP_LEAVE:
		pr_info("CRIU_GUARD_HWBP=off: criu's breakpoints left alone\n");
		break;
	case GUARD_HWBP_CRIU_STEPS:
		pr_info("criu probes hardware breakpoints itself (>= 4.2): nothing to do\n");
		break;
	case GUARD_HWBP_SWITCH:
		pr_warn("%s: criu single-steps tasks instead, as with CRIU_FAULT=%d (CRIU_GUARD_HWBP=off leaves criu alone)\n",
			why, GUARD_FI_NO_BREAKPOINTS);
		break;
	case GUARD_HWBP_FAULT_STEPS:
		pr_info("%s: CRIU_FAULT=%d makes criu single-step already\n",
			why, GUARD_FI_NO_BREAKPOINTS);
		break;
	case GUARD_HWBP_HANG_FAULT:
		pr_warn("%s, and CRIU_FAULT=%d replaces criu's no-breakpoints switch (%d): criu will hang waiting for a task to trap\n",
			why, fault, GUARD_FI_NO_BREAKPOINTS);
		break;
	case GUARD_HWBP_HANG_NO_SWITCH:
		pr_warn("%s, but this criu exports no fi_strategy: it will hang waiting for a task to trap; run it with CRIU_FAULT=%d\n",
			why, GUARD_FI_NO_BREAKPOINTS);
		break;
	default:
		break;
	}
}

static int hwbp_init(int stage)
{
	int *fi_strategy = guard_criu_fi_strategy();
	const char *fault = getenv("CRIU_FAULT");
	struct guard_hwbp_facts f = {
		.state = GUARD_HWBP_UNPROBED,
		/* 4.2's guard support came with its breakpoint probe. */
		.criu_probes = guard_criu_native(),
		.criu_fault =
			fi_strategy ? *fi_strategy : (fault ? atoi(fault) : 0),
		.plugin = true,
		.fi_strategy = fi_strategy != NULL,
	};
	enum guard_hwbp_verdict v;
	int policy = GUARD_HWBP_AUTO;
	uint64_t t0;

	if (guard_env_load(&guard_hwbp_env, &policy))
		return -1;
	f.policy = policy;
	v = guard_hwbp_decide(&f);
	if (v == GUARD_HWBP_NEED_PROBE) {
		t0 = guard_now_us();
		f.state = guard_hwbp_probe();
		pr_info("hardware breakpoints: %s (probe %lluus)\n",
			guard_hwbp_state_name(f.state),
			(unsigned long long)(guard_now_us() - t0));
		v = guard_hwbp_decide(&f);
	}
	if (v == GUARD_HWBP_SWITCH)
		*fi_strategy = GUARD_FI_NO_BREAKPOINTS;
	report(v,
	       f.policy == GUARD_HWBP_BROKEN ?
		       "CRIU_GUARD_HWBP=broken: hardware breakpoints taken as broken" :
		       "hardware breakpoints don't fire on this host",
	       f.criu_fault);
	return 0;
}

static void hwbp_exit(int stage, int ret)
{
}

CR_PLUGIN_REGISTER(GUARD_HWBP_PLUGIN_NAME, hwbp_init, hwbp_exit)
