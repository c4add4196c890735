/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the criu-guard commands share: options, exit codes, and the few
 * output and argument helpers every command uses.  The answers themselves
 * come from the plugin's modules.
 */
#ifndef CRIU_GUARD_TOOL_H
#define CRIU_GUARD_TOOL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "guard_features.h"
#include "guard_hwbp.h"
#include "guard_range.h"

#define EXIT_NO 1
#define EXIT_ERR 2

struct opts {
	bool json;
	bool all;	  /* scan: every VMA, not only those with guards */
	const char *criu; /* check: criu binary, else "criu" from PATH */
	const char *plugin_dir; /* check: where criu loads plugins from */
	enum guard_hwbp_policy hwbp_policy; /* CRIU_GUARD_HWBP */
	char **args; /* positional arguments after the command */
	int nargs;
};

int cmd_check(const struct opts *o);
int cmd_scan(const struct opts *o);
int cmd_show(const struct opts *o);
int cmd_verify(const struct opts *o);

/* The kernel's features as the plugin probes them; says why not. */
int tool_detect(struct guard_features *f);
int tool_parse_pid(const char *s, pid_t *pid);
/* An image directory; says why not, as "criu-guard CMD: PATH: why". */
int tool_open_dir(const char *cmd, const char *path);
/* /proc/PID/comm without its newline, "?" if unreadable. */
void tool_read_comm(pid_t pid, char *buf, size_t len);

const char *plural(uint64_t n, const char *one, const char *many);
uint64_t pages_of(const struct guard_ranges *r);
void human_ranges(const char *indent, const struct guard_ranges *r);

#endif
