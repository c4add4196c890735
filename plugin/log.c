// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>

#include "guard_log.h"

/*
 * Exported by criu; weak so that the same modules link into unit tests and
 * tools, where it is absent and messages go to stderr.
 */
extern void print_on_level(unsigned int loglevel, const char *format, ...)
	__attribute__((weak, format(printf, 2, 3)));

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

	if (print_on_level) {
		print_on_level(level, "guard: %s", msg);
		return;
	}
	if (level <= stderr_level)
		fprintf(stderr, "guard: %s", msg);
}
