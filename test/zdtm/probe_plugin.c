// SPDX-License-Identifier: GPL-2.0
/*
 * A second CRIU plugin for tests: logs every hook call it gets to
 * probe.log in the images directory.  CRIU stops calling a hook's plugins
 * at the first one that returns anything but -ENOTSUP, so when criu-guard
 * runs first, the probe sees a hook only if criu-guard passed it on.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <criu-plugin.h>

static void note(const char *fmt, int a, int b)
{
	char line[128];
	int fd, n;

	fd = openat(criu_get_image_dir(), "probe.log",
		    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	n = snprintf(line, sizeof(line), fmt, a, b);
	if (n > 0 && write(fd, line, n) != n)
		n = -1;
	close(fd);
}

static int probe_init(int stage)
{
	note("init %d%.0d\n", stage, 0);
	return 0;
}

static void probe_exit(int stage, int ret)
{
	note("exit %d %d\n", stage, ret);
}

static int probe_checkpoint_devices(int pid)
{
	note("CHECKPOINT_DEVICES %d%.0d\n", pid, 0);
	return -ENOTSUP;
}

static int probe_resume_devices_late(int pid)
{
	note("RESUME_DEVICES_LATE %d%.0d\n", pid, 0);
	return -ENOTSUP;
}

CR_PLUGIN_REGISTER("probe", probe_init, probe_exit)
CR_PLUGIN_REGISTER_HOOK(CR_PLUGIN_HOOK__CHECKPOINT_DEVICES,
			probe_checkpoint_devices)
CR_PLUGIN_REGISTER_HOOK(CR_PLUGIN_HOOK__RESUME_DEVICES_LATE,
			probe_resume_devices_late)
