// SPDX-License-Identifier: GPL-2.0
/*
 * CRIU-internal symbols, resolved weakly against the criu binary that
 * loads the plugin.  See guard_criu_syms.h for why they live here.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guard_criu_syms.h"

/* criu/log.c */
extern void print_on_level(unsigned int loglevel, const char *format, ...)
	__attribute__((weak, format(printf, 2, 3)));
/* criu/image.c (CRIU >= 4.0) */
extern int add_inventory_plugin(const char *name) __attribute__((weak));
extern bool check_and_remove_inventory_plugin(const char *name, size_t n)
	__attribute__((weak));
/* criu/fault-injection.c: an enum faults, int-sized */
extern int fi_strategy __attribute__((weak));
/* criu/mem.c (CRIU >= 4.2); only its address is taken */
extern void collect_madv_guards(void) __attribute__((weak));

bool guard_criu_present(void)
{
	return print_on_level != NULL;
}

bool guard_criu_print(unsigned int level, const char *prefix, const char *msg)
{
	if (!print_on_level)
		return false;
	print_on_level(level, "%s%s", prefix, msg);
	return true;
}

int guard_criu_add_inventory(void)
{
	if (!add_inventory_plugin)
		return -ENOSYS;
	return add_inventory_plugin(GUARD_PLUGIN_NAME) ? -EIO : 0;
}

int guard_criu_claim_inventory(void)
{
	if (!check_and_remove_inventory_plugin)
		return -ENOSYS;
	/* n covers the terminating NUL: criu compares with strncmp(). */
	return check_and_remove_inventory_plugin(GUARD_PLUGIN_NAME,
						 sizeof(GUARD_PLUGIN_NAME));
}

int *guard_criu_fi_strategy(void)
{
	return &fi_strategy;
}

bool guard_criu_native(void)
{
	return collect_madv_guards != NULL;
}

/* criu/img-streamer.c: the socket criu-image-streamer listens on. */
#define STREAMER_CAPTURE_SOCK "streamer-capture.sock"

static bool cmdline_has(const char *arg)
{
	char buf[4096];
	ssize_t n;
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (char *p = buf; p < buf + n; p += strlen(p) + 1)
		if (!strcmp(p, arg))
			return true;
	return false;
}

bool guard_criu_streaming(int dirfd)
{
	struct stat st;

	if (cmdline_has("--stream"))
		return true;
	return !fstatat(dirfd, STREAMER_CAPTURE_SOCK, &st, 0) &&
	       S_ISSOCK(st.st_mode);
}
