/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Messages go to CRIU's log when running inside criu (criu exports
 * print_on_level) and to stderr otherwise (unit tests, tools).
 */
#ifndef CRIU_GUARD_LOG_H
#define CRIU_GUARD_LOG_H

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

enum guard_log_level {
	GUARD_LOG_ERROR = 1,
	GUARD_LOG_WARN = 2,
	GUARD_LOG_INFO = 3,
	GUARD_LOG_DEBUG = 4,
};

void guard_log(enum guard_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Lowest level that reaches stderr when not inside criu. */
void guard_log_set_stderr_level(enum guard_log_level level);

#define pr_err(fmt, ...) guard_log(GUARD_LOG_ERROR, fmt, ##__VA_ARGS__)
#define pr_warn(fmt, ...) guard_log(GUARD_LOG_WARN, fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...) guard_log(GUARD_LOG_INFO, fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...) guard_log(GUARD_LOG_DEBUG, fmt, ##__VA_ARGS__)
#define pr_perror(fmt, ...)                                                    \
	guard_log(GUARD_LOG_ERROR, fmt ": %s\n", ##__VA_ARGS__, strerror(errno))

/* Microseconds on the monotonic clock, for the "timing" lines. */
static inline uint64_t guard_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

#endif
