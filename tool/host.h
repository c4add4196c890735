/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What criu-guard check asks of the host beyond guard support: the CRIU
 * features that dump and restore modes depend on, and the verdict on
 * whether a dump of a guarded process will work here.
 */
#ifndef CRIU_GUARD_TOOL_HOST_H
#define CRIU_GUARD_TOOL_HOST_H

#include <stdbool.h>

#include "guard_hwbp.h"

/* Soft-dirty page tracking (CONFIG_MEM_SOFT_DIRTY): criu pre-dump. */
bool host_soft_dirty(void);

/* userfaultfd(2): criu lazy pages (restore --lazy-pages). */
bool host_userfaultfd(void);

/* "4.1.1" -> 4, 1; false if the string starts with no version. */
bool host_criu_version(const char *s, int *major, int *minor);

struct host_facts {
	bool guards;   /* the kernel installs guards */
	bool findable; /* ... and reports them (scan or pagemap) */
	bool criu_found;
	int criu_major, criu_minor; /* 0.0 if unknown */
	int criu_native;	    /* 1 native guards, 0 not, <0 unknown */
	bool plugin_installed;
	bool hwbp_plugin_installed; /* guard_hwbp.so beside it */
	int criu_fi_strategy;	    /* criu exports fi_strategy: 1, 0, <0 ? */
	enum guard_hwbp_state hwbp;
	enum guard_hwbp_policy hwbp_policy; /* CRIU_GUARD_HWBP */
	int criu_fault;			    /* CRIU_FAULT, 0 if unset */
};

/*
 * Will criu dump (and restore) a process with guard regions here?  NULL
 * if yes, else why not, with the remedy.
 */
const char *host_guarded_dump_blocker(const struct host_facts *h);

/*
 * What this criu does where breakpoints never fire, for the report: the
 * breakpoint plugin's own policy (guard_hwbp_decide) over these facts.
 */
const char *host_hwbp_outcome(const struct host_facts *h);

#endif
