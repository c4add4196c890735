/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the running kernel offers for guard regions, probed once per CRIU
 * run (or tool command) on a scratch mapping of the caller.
 */
#ifndef CRIU_GUARD_FEATURES_H
#define CRIU_GUARD_FEATURES_H

#include <stdbool.h>
#include <stdint.h>

struct guard_features {
	bool madv_guard;  /* MADV_GUARD_INSTALL/REMOVE work */
	bool scan_guard;  /* PAGEMAP_SCAN knows PAGE_IS_GUARD */
	bool pagemap_bit; /* pagemap bit 58 marks guard pages */
	bool smaps_flag;  /* smaps VmFlags prints "gu" on such VMAs */
	bool batch;	  /* process_madvise() takes guard advice on self */
	bool pidfd_self;  /* ...with PIDFD_SELF, no pidfd_open() needed */
	bool nspid;	  /* /proc/PID/status has NSpid (Linux >= 4.1) */
	bool pagewalk; /* criu's page walk can be made to skip guards (zero-lift) */
	uint64_t task_size; /* highest user address + 1 */
	long page_size;
};

/*
 * Probes the running kernel on a scratch mapping of this process.
 * CRIU_GUARD_DISABLE (a comma list of the names in features.c's table:
 * madv, scan, pagemap, smaps, batch, pidfd_self, nspid, pagewalk) masks
 * features,
 * to test fallbacks and the "no guard support"
 * refusal on a kernel that has them all; nspid makes reading a task's
 * pid in its namespace fail, as for a task that vanished; pagewalk makes
 * the dump lift guards as where criu's page walk can't be hooked.
 */
int guard_detect_features(struct guard_features *f);

/*
 * The same in two steps, for callers that report both what the kernel
 * offers and what the mask leaves (criu-guard check): the probe alone,
 * then the mask of a CRIU_GUARD_DISABLE value (NULL or "": none).
 */
int guard_probe_features(struct guard_features *f);
void guard_features_mask(struct guard_features *f, const char *disable);
/* The "kernel: ..." info line guard_detect_features() logs. */
void guard_features_log(const struct guard_features *f);

#endif
