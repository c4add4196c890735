// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>

#include "guard_criu_syms.h"
#include "guard_log.h"

/*
 * Each plugin's lines carry its own prefix: the breakpoint plugin builds
 * this file with GUARD_LOG_PREFIX="guard-hwbp: ".
 */
#ifndef GUARD_LOG_PREFIX
#define GUARD_LOG_PREFIX "guard: "
#endif

static enum guard_log_level stderr_level = GUARD_LOG_WARN;

void guard_log_set_stderr_level(enum guard_log_level level)
{
	stderr_level = level;
}

void guard_log(enum guard_log_level level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	/* Outside criu (unit tests, tools) messages go to stderr. */
	if (guard_criu_print(level, GUARD_LOG_PREFIX, msg))
		return;
	if (level <= stderr_level)
		fprintf(stderr, "%s%s", GUARD_LOG_PREFIX, msg);
}
