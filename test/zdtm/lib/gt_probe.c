// SPDX-License-Identifier: GPL-2.0
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>

#include "guard_kernel.h"
#include "gt_probe.h"
#include "gt_region.h"

/* A signal handler can reach no struct passed down: the jump is its. */
static sigjmp_buf fault_jmp;

static void on_segv(int sig)
{
	siglongjmp(fault_jmp, 1);
}

/* The handler is ours only for the probe: a fault elsewhere still kills. */
bool gt_faults(volatile char *p, bool write)
{
	struct sigaction sa = { .sa_handler = on_segv }, old;
	bool faulted = false;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, &old))
		return false;
	if (sigsetjmp(fault_jmp, 1)) {
		faulted = true;
	} else if (write) {
		*p = *p;
	} else {
		(void)*p;
	}
	sigaction(SIGSEGV, &old, NULL);
	return faulted;
}

bool gt_pagemap_guard(const void *p)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	gt_init_page();
	if (fd < 0)
		return false;
	if (pread(fd, &e, sizeof(e), (uintptr_t)p / gt_page * sizeof(e)) !=
	    sizeof(e))
		e = 0;
	close(fd);
	return e & (1ULL << PM_GUARD_REGION_BIT);
}
