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

/* CRIU's FI_NO_BREAKPOINTS (criu/include/fault-injection.h, 4.0 to 4.2). */
#define GUARD_FI_NO_BREAKPOINTS 130

enum guard_hwbp_policy {
	GUARD_HWBP_AUTO,   /* probe where criu doesn't, switch if broken */
	GUARD_HWBP_OFF,	   /* leave criu's breakpoints alone */
	GUARD_HWBP_BROKEN, /* act as if they never fire (tests that path) */
};

enum guard_hwbp_state {
	GUARD_HWBP_FIRE,   /* a breakpoint set with ptrace fired */
	GUARD_HWBP_SILENT, /* it did not: criu < 4.2 would hang */
	GUARD_HWBP_UNKNOWN /* not x86, or the probe could not run */
};

/*
 * Sets a breakpoint with ptrace in a child of the caller and reaps it; a
 * SIGCHLD the probe causes is consumed, so the caller's child handling
 * sees nothing.  Never blocks on a child that can't stop.
 */
enum guard_hwbp_state guard_hwbp_probe(void);

const char *guard_hwbp_state_name(enum guard_hwbp_state s);

/* CRIU_GUARD_HWBP: NULL or "" is auto; -EINVAL for an unknown value. */
int guard_hwbp_policy_parse(const char *s, enum guard_hwbp_policy *p);

#endif
