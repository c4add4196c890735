// SPDX-License-Identifier: GPL-2.0
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "host.h"

#ifndef SYS_userfaultfd
#define SYS_userfaultfd 323
#endif
#define PM_SOFT_DIRTY (1ULL << 55)

/*
 * Clear this process's soft-dirty bits, dirty a page, and see whether
 * pagemap marks it: without CONFIG_MEM_SOFT_DIRTY the bit never appears.
 */
bool host_soft_dirty(void)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t e = 0;
	bool ok = false;
	int fd, pm;
	char *p;

	p = mmap(NULL, page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return false;
	p[0] = 1;
	fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
	pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && pm >= 0 && write(fd, "4", 1) == 1) {
		*(volatile char *)p = 2;
		ok = pread(pm, &e, sizeof(e),
			   (off_t)((uintptr_t)p / page) * sizeof(e)) ==
			     sizeof(e) &&
		     (e & PM_SOFT_DIRTY);
	}
	if (fd >= 0)
		close(fd);
	if (pm >= 0)
		close(pm);
	munmap(p, page);
	return ok;
}

bool host_userfaultfd(void)
{
	int fd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

bool host_criu_version(const char *s, int *major, int *minor)
{
	*major = *minor = 0;
	return s && sscanf(s, "%d.%d", major, minor) == 2;
}

static bool criu_at_least(const struct host_facts *h, int major, int minor)
{
	return h->criu_major > major ||
	       (h->criu_major == major && h->criu_minor >= minor);
}

/* The breakpoint plugin's own policy, over what the check found. */
static enum guard_hwbp_verdict hwbp_verdict(const struct host_facts *h)
{
	struct guard_hwbp_facts f = {
		.policy = h->hwbp_policy,
		.state = h->hwbp,
		/* CRIU 4.2 probes breakpoints itself and single-steps. */
		.criu_probes = h->criu_native > 0 || criu_at_least(h, 4, 2),
		.criu_fault = h->criu_fault,
		.plugin = h->hwbp_plugin_installed,
		.fi_strategy = h->criu_fi_strategy != 0,
	};

	return guard_hwbp_decide(&f);
}

const char *host_hwbp_outcome(const struct host_facts *h)
{
	switch (hwbp_verdict(h)) {
	case GUARD_HWBP_WORKS:
		return "criu stops tasks with them as usual";
	case GUARD_HWBP_CRIU_STEPS:
		return "criu notices and single-steps instead";
	case GUARD_HWBP_FAULT_STEPS:
		return "CRIU_FAULT=130 makes criu single-step instead";
	case GUARD_HWBP_HANG_FAULT:
		return "criu HANGS at the end of every dump: CRIU_FAULT is set to another value, which replaces the no-breakpoints switch; unset it";
	case GUARD_HWBP_HANG_NO_PLUGIN:
		return "criu HANGS at the end of every dump and restore: install the plugin guard_hwbp.so (it switches criu to single-stepping) or export CRIU_FAULT=130";
	case GUARD_HWBP_HANG_NO_SWITCH:
		return "criu HANGS at the end of every dump and restore: this criu exports no fi_strategy for the plugin to set; export CRIU_FAULT=130";
	case GUARD_HWBP_HANG_OFF:
		return "criu HANGS at the end of every dump: CRIU_GUARD_HWBP=off keeps the plugin from switching criu to single-stepping; unset it";
	case GUARD_HWBP_SWITCH:
		return "the plugin switches criu to single-stepping (as CRIU_FAULT=130)";
	default:
		return "can't tell (not x86, or ptrace refused)";
	}
}

const char *host_guarded_dump_blocker(const struct host_facts *h)
{
	if (!h->guards)
		return "the kernel has no guard regions (MADV_GUARD_INSTALL, Linux >= 6.13)";
	if (!h->criu_found)
		return "criu not found: install criu >= 4.0";
	if (!criu_at_least(h, 4, 0))
		return "criu is older than 4.0 (or its version is unknown): install criu >= 4.0";
	if (h->criu_native <= 0 && !h->findable)
		return "the kernel reports guard pages neither in PAGEMAP_SCAN nor in pagemap";
	if (h->criu_native <= 0 && !h->plugin_installed)
		return "criu has no guard support of its own and the plugin is not installed where it loads plugins: install it";
	if (guard_hwbp_hangs(hwbp_verdict(h)))
		return "hardware breakpoints don't fire and nothing switches criu to single-stepping: criu hangs";
	return NULL;
}
