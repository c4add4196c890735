// SPDX-License-Identifier: GPL-2.0
/*
 * What to do about criu's breakpoints: one answer for the breakpoint
 * plugin, which acts on it, and for criu-guard check, which reports it.
 */
#include <errno.h>

#include "guard_hwbp.h"

static const struct guard_env_name hwbp_names[] = {
	{ "auto", GUARD_HWBP_AUTO },
	{ "off", GUARD_HWBP_OFF },
	{ "broken", GUARD_HWBP_BROKEN },
};

const struct guard_env_enum guard_hwbp_env =
	GUARD_ENV_ENUM("CRIU_GUARD_HWBP", hwbp_names, "auto");

/* Breakpoints that never fire, and nothing criu does about it itself. */
static enum guard_hwbp_verdict silent(const struct guard_hwbp_facts *f)
{
	if (f->criu_probes)
		return GUARD_HWBP_CRIU_STEPS;
	if (f->criu_fault == GUARD_FI_NO_BREAKPOINTS)
		return GUARD_HWBP_FAULT_STEPS;
	if (f->criu_fault)
		return GUARD_HWBP_HANG_FAULT;
	if (!f->plugin)
		return GUARD_HWBP_HANG_NO_PLUGIN;
	if (f->policy == GUARD_HWBP_OFF)
		return GUARD_HWBP_HANG_OFF;
	if (!f->fi_strategy)
		return GUARD_HWBP_HANG_NO_SWITCH;
	return GUARD_HWBP_SWITCH;
}

enum guard_hwbp_verdict guard_hwbp_decide(const struct guard_hwbp_facts *f)
{
	enum guard_hwbp_state st = f->state;

	/* Taken as never firing: the probe has nothing to add. */
	if (f->policy == GUARD_HWBP_BROKEN)
		st = GUARD_HWBP_SILENT;
	switch (st) {
	case GUARD_HWBP_UNPROBED:
		/* A probe costs a clone and two stops: only where it matters. */
		if (f->policy == GUARD_HWBP_OFF)
			return GUARD_HWBP_LEAVE;
		if (f->criu_probes)
			return GUARD_HWBP_CRIU_STEPS;
		return GUARD_HWBP_NEED_PROBE;
	case GUARD_HWBP_FIRE:
		return GUARD_HWBP_WORKS;
	case GUARD_HWBP_SILENT:
		return silent(f);
	default:
		return GUARD_HWBP_CANT_TELL;
	}
}
