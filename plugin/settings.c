// SPDX-License-Identifier: GPL-2.0
/*
 * The plugin's settings: environment variables, since CRIU plugins get no
 * command-line options and runc/podman pass criu their environment.
 */
#include "guard_env.h"
#include "guard_plugin.h"

static const struct guard_env_name mode_names[] = {
	{ "auto", GUARD_MODE_AUTO },
	{ "plugin", GUARD_MODE_PLUGIN },
};

static const struct guard_env_name fail_names[] = {
	{ "kill", GUARD_FAIL_KILL },
	{ "continue", GUARD_FAIL_CONTINUE },
};

static const struct guard_env_enum mode_env =
	GUARD_ENV_ENUM("CRIU_GUARD_MODE", mode_names, "auto");

static const struct guard_env_enum fail_env =
	GUARD_ENV_ENUM("CRIU_GUARD_ON_FAILURE", fail_names, "kill");

int guard_settings_load(struct guard_settings *s)
{
	int mode, fail, scan;

	if (guard_env_load(&mode_env, &mode) ||
	    guard_env_load(&fail_env, &fail) ||
	    guard_env_load(&guard_scan_env, &scan))
		return -1;
	s->mode = mode;
	s->on_failure = fail;
	s->scan = scan;
	return 0;
}
