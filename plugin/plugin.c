// SPDX-License-Identifier: GPL-2.0
/*
 * Registration, settings and the per-stage entry points.  Hooks return
 * -ENOTSUP when they are done: CRIU stops calling a hook's plugins at the
 * first one that returns anything else, and other plugins (CUDA, amdgpu)
 * need CHECKPOINT_DEVICES and RESUME_DEVICES_LATE too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criu-plugin.h>
#include <version.h>

#include "guard_criu_syms.h"
#include "guard_hwbp.h"
#include "guard_log.h"
#include "guard_plugin.h"

#if CRIU_VERSION_MAJOR < 4
#error "criu-guard needs CRIU >= 4.0 plugin headers (CHECKPOINT_DEVICES, RESUME_DEVICES_LATE)"
#endif

/* Built with hidden visibility: criu needs to see only the descriptor. */
extern cr_plugin_desc_t CR_PLUGIN_DESC __attribute__((visibility("default")));

static int stage = -1;

static int parse_enum(const char *var, const char *const *names, int n,
		      int *out)
{
	const char *v = getenv(var);

	if (!v || !*v)
		return 0;
	for (int i = 0; i < n; i++) {
		if (!strcmp(v, names[i])) {
			*out = i;
			return 0;
		}
	}
	pr_err("%s=%s is not a known value\n", var, v);
	return -EINVAL;
}

int guard_settings_load(struct guard_settings *s)
{
	static const char *const modes[] = { "auto", "plugin" };
	static const char *const fails[] = { "kill", "continue" };
	int mode = GUARD_MODE_AUTO, fail = GUARD_FAIL_KILL;

	if (parse_enum("CRIU_GUARD_MODE", modes, 2, &mode) ||
	    parse_enum("CRIU_GUARD_ON_FAILURE", fails, 2, &fail))
		return -EINVAL;
	if (guard_hwbp_policy_parse(getenv("CRIU_GUARD_HWBP"), &s->hwbp)) {
		pr_err("CRIU_GUARD_HWBP=%s is not auto, off or broken\n",
		       getenv("CRIU_GUARD_HWBP"));
		return -EINVAL;
	}
	if (guard_scan_mode_parse(getenv("CRIU_GUARD_SCAN"), &s->scan)) {
		pr_err("CRIU_GUARD_SCAN=%s is not auto, scan or smaps\n",
		       getenv("CRIU_GUARD_SCAN"));
		return -EINVAL;
	}
	s->mode = mode;
	s->on_failure = fail;
	return 0;
}

/*
 * CRIU 4.2 probes breakpoints itself (kerndat) and came with native guard
 * support: its marker symbol stands for both.
 */
static bool criu_probes_breakpoints(void)
{
	return guard_criu_native();
}

static void single_step(const char *why)
{
	int *fi_strategy = guard_criu_fi_strategy();

	if (!fi_strategy) {
		pr_warn("%s, but this criu exports no fi_strategy: it will hang waiting for a task to trap; run it with CRIU_FAULT=%d\n",
			why, GUARD_FI_NO_BREAKPOINTS);
		return;
	}
	if (*fi_strategy == GUARD_FI_NO_BREAKPOINTS)
		return;
	if (*fi_strategy) {
		pr_warn("%s, and CRIU_FAULT=%d replaces criu's no-breakpoints switch (%d): criu will hang waiting for a task to trap\n",
			why, *fi_strategy, GUARD_FI_NO_BREAKPOINTS);
		return;
	}
	*fi_strategy = GUARD_FI_NO_BREAKPOINTS;
	pr_warn("%s: criu single-steps tasks instead, as with CRIU_FAULT=%d (CRIU_GUARD_HWBP=off leaves criu alone)\n",
		why, GUARD_FI_NO_BREAKPOINTS);
}

/*
 * Runs for every dump, pre-dump and restore, guards or not: on a host
 * whose breakpoints never fire, CRIU 4.0/4.1 hangs at the end of each.
 */
static void check_breakpoints(const struct guard_settings *s)
{
	enum guard_hwbp_state hw;
	uint64_t t0;

	if (s->hwbp == GUARD_HWBP_OFF)
		return;
	if (s->hwbp == GUARD_HWBP_BROKEN) {
		single_step(
			"CRIU_GUARD_HWBP=broken: hardware breakpoints taken as broken");
		return;
	}
	if (criu_probes_breakpoints())
		return;
	t0 = guard_now_us();
	hw = guard_hwbp_probe();
	pr_info("hardware breakpoints: %s (probe %lluus)\n",
		guard_hwbp_state_name(hw),
		(unsigned long long)(guard_now_us() - t0));
	if (hw == GUARD_HWBP_SILENT)
		single_step("hardware breakpoints don't fire on this host");
}

static int guard_init(int st)
{
	struct guard_settings s;
	struct guard_features f;
	int ret;

	stage = st;
	guard_dump_release();
	if (guard_settings_load(&s))
		return -1;
	check_breakpoints(&s);
	ret = guard_detect_features(&f);
	if (ret) {
		pr_err("Can't probe kernel guard support: %s\n",
		       strerror(-ret));
		return -1;
	}
	if (st == CR_PLUGIN_STAGE__PRE_DUMP)
		ret = guard_predump_init(&f, &s);
	else if (st == CR_PLUGIN_STAGE__DUMP)
		ret = guard_dump_init(&f, &s);
	else if (st == CR_PLUGIN_STAGE__RESTORE)
		ret = guard_restore_init(&f, &s);
	return ret ? -1 : 0;
}

static void guard_exit(int st, int ret)
{
	if (st == CR_PLUGIN_STAGE__DUMP)
		guard_dump_fini(ret);
	else if (st == CR_PLUGIN_STAGE__RESTORE)
		guard_restore_fini();
	stage = -1;
}

static int guard_checkpoint_devices(int pid)
{
	if (stage != CR_PLUGIN_STAGE__DUMP)
		return -ENOTSUP;
	return guard_dump_task(pid) ? -1 : -ENOTSUP;
}

static int guard_resume_devices_late(int pid)
{
	if (stage != CR_PLUGIN_STAGE__RESTORE)
		return -ENOTSUP;
	/* CRIU ignores this hook's result; restore.c acts on failures. */
	guard_restore_task(pid);
	return -ENOTSUP;
}

CR_PLUGIN_REGISTER(GUARD_PLUGIN_NAME, guard_init, guard_exit)
CR_PLUGIN_REGISTER_HOOK(CR_PLUGIN_HOOK__CHECKPOINT_DEVICES,
			guard_checkpoint_devices)
CR_PLUGIN_REGISTER_HOOK(CR_PLUGIN_HOOK__RESUME_DEVICES_LATE,
			guard_resume_devices_late)
