// SPDX-License-Identifier: GPL-2.0
/*
 * Registration and the per-stage entry points: settings.c reads the
 * environment, dump.c and restore.c do the work, and the hardware-breakpoint
 * workaround is a plugin of its own (hwbp_plugin.c).  Hooks return
 * -ENOTSUP when they are done: CRIU stops calling a hook's plugins at the
 * first one that returns anything else, and other plugins (CUDA, amdgpu)
 * need CHECKPOINT_DEVICES and RESUME_DEVICES_LATE too.
 */
#include <errno.h>
#include <string.h>

#include <criu-plugin.h>
#include <version.h>

#include "guard_criu_syms.h"
#include "guard_log.h"
#include "guard_plugin.h"

#if CRIU_VERSION_MAJOR < 4
#error "criu-guard needs CRIU >= 4.0 plugin headers (CHECKPOINT_DEVICES, RESUME_DEVICES_LATE)"
#endif

/* Built with hidden visibility: criu needs to see only the descriptor. */
extern cr_plugin_desc_t CR_PLUGIN_DESC __attribute__((visibility("default")));

static int stage = -1;

static int guard_init(int st)
{
	struct guard_settings s;
	struct guard_features f;
	int ret;

	stage = st;
	guard_dump_release();
	if (guard_settings_load(&s))
		return -1;
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
