// SPDX-License-Identifier: GPL-2.0
/*
 * CRIU-internal symbols, resolved weakly against the criu binary that
 * loads the plugin.  See guard_criu_syms.h for why they live here.
 */
#include <errno.h>
#include <string.h>

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

bool guard_criu_print(unsigned int level, const char *msg)
{
	if (!print_on_level)
		return false;
	print_on_level(level, "guard: %s", msg);
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
