/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hardware breakpoints.  CRIU stops a task at the parasite's (dump) or the
 * restorer's (restore) last sigreturn with an x86 debug-register
 * breakpoint.  On some hosts (Firecracker guests among them) such a
 * breakpoint never fires and CRIU 4.0/4.1 waits for it forever; 4.2 probes
 * this itself.  The probe here tells which kind of host this is, and the
 * switch makes criu single-step instead, as CRIU_FAULT=130 does.
 */
#ifndef CRIU_GUARD_HWBP_H
#define CRIU_GUARD_HWBP_H

#include <stdbool.h>

#include "guard_env.h"

/* CRIU's FI_NO_BREAKPOINTS (criu/include/fault-injection.h, 4.0 to 4.2). */
#define GUARD_FI_NO_BREAKPOINTS 130

enum guard_hwbp_policy {
	GUARD_HWBP_AUTO,   /* probe where criu doesn't, switch if broken */
	GUARD_HWBP_OFF,	   /* leave criu's breakpoints alone */
	GUARD_HWBP_BROKEN, /* act as if they never fire (tests that path) */
};

enum guard_hwbp_state {
	GUARD_HWBP_FIRE,    /* a breakpoint set with ptrace fired */
	GUARD_HWBP_SILENT,  /* it did not: criu < 4.2 would hang */
	GUARD_HWBP_UNKNOWN, /* not x86, or the probe could not run */
	GUARD_HWBP_UNPROBED /* not probed (yet) */
};

/*
 * Sets a breakpoint with ptrace in a child of the caller and reaps it; a
 * SIGCHLD the probe causes is consumed, so the caller's child handling
 * sees nothing.  Never blocks on a child that can't stop.
 */
enum guard_hwbp_state guard_hwbp_probe(void);

const char *guard_hwbp_state_name(enum guard_hwbp_state s);

/*
 * CRIU_GUARD_HWBP's names: auto (unset or ""), off, broken, parsed into an
 * enum guard_hwbp_policy with guard_env_parse() or guard_env_load().
 */
extern const struct guard_env_enum guard_hwbp_env;

/* What one criu run is like, as far as its breakpoints go. */
struct guard_hwbp_facts {
	enum guard_hwbp_policy policy; /* CRIU_GUARD_HWBP */
	enum guard_hwbp_state state;   /* the probe's answer, or UNPROBED */
	bool criu_probes; /* criu >= 4.2: probes and single-steps itself */
	int criu_fault;	  /* fi_strategy as criu starts (CRIU_FAULT), or 0 */
	bool plugin;	  /* the breakpoint plugin runs in this criu */
	bool fi_strategy; /* ... and criu exports the switch it sets */
};

enum guard_hwbp_verdict {
	GUARD_HWBP_NEED_PROBE,	/* the answer depends on the probe: run it */
	GUARD_HWBP_LEAVE,	/* CRIU_GUARD_HWBP=off, not probed: hands off */
	GUARD_HWBP_WORKS,	/* breakpoints fire: criu as usual */
	GUARD_HWBP_CANT_TELL,	/* unknown: criu as usual */
	GUARD_HWBP_CRIU_STEPS,	/* criu >= 4.2 single-steps by itself */
	GUARD_HWBP_FAULT_STEPS, /* CRIU_FAULT=130 already does */
	GUARD_HWBP_SWITCH,	/* the plugin sets fi_strategy to 130 */
	GUARD_HWBP_HANG_FAULT,	/* another CRIU_FAULT replaces the switch */
	GUARD_HWBP_HANG_NO_PLUGIN, /* nothing loaded that would switch */
	GUARD_HWBP_HANG_NO_SWITCH, /* the plugin runs, criu has no fi_strategy */
	GUARD_HWBP_HANG_OFF, /* CRIU_GUARD_HWBP=off keeps the plugin out */
};

/*
 * The breakpoint policy, asked by the plugin (which probes only when told
 * GUARD_HWBP_NEED_PROBE, then asks again) and by criu-guard check (which
 * probes first).  Every GUARD_HWBP_HANG_* means criu < 4.2 hangs at the
 * end of each dump and restore.
 */
enum guard_hwbp_verdict guard_hwbp_decide(const struct guard_hwbp_facts *f);

/* The HANG_* verdicts come last. */
static inline bool guard_hwbp_hangs(enum guard_hwbp_verdict v)
{
	return v >= GUARD_HWBP_HANG_FAULT;
}

#endif
