/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Finding guard ranges in a task: kernel feature detection, the smaps
 * parser, PAGEMAP_SCAN and the pagemap-bit fallback.  Needs no CRIU.
 */
#ifndef CRIU_GUARD_SCAN_H
#define CRIU_GUARD_SCAN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "guard_range.h"

struct guard_features {
	bool madv_guard;    /* MADV_GUARD_INSTALL/REMOVE work */
	bool scan_guard;    /* PAGEMAP_SCAN knows PAGE_IS_GUARD */
	bool pagemap_bit;   /* pagemap bit 58 marks guard pages */
	bool smaps_flag;    /* smaps VmFlags prints "gu" on such VMAs */
	bool batch;	    /* process_madvise() takes guard advice on self */
	bool pidfd_self;    /* ...with PIDFD_SELF, no pidfd_open() needed */
	bool nspid;	    /* /proc/PID/status has NSpid (Linux >= 4.1) */
	uint64_t task_size; /* highest user address + 1 */
	long page_size;
};

/*
 * Probes the running kernel on a scratch mapping of this process.
 * CRIU_GUARD_DISABLE (comma list of madv,scan,pagemap,smaps,batch,pidfd_self,
 * nspid) masks features, to test fallbacks and the "no guard support"
 * refusal on a kernel that has them all; nspid makes reading a task's
 * pid in its namespace fail, as for a task that vanished.
 */
int guard_detect_features(struct guard_features *f);

enum guard_scan_mode {
	GUARD_SCAN_AUTO,  /* the measured default: one PAGEMAP_SCAN */
	GUARD_SCAN_FULL,  /* one PAGEMAP_SCAN over the whole address space */
	GUARD_SCAN_SMAPS, /* smaps "gu" VMAs, then PAGEMAP_SCAN on each */
};

/* Parses "auto", "scan", "smaps"; NULL means auto.  -EINVAL otherwise. */
int guard_scan_mode_parse(const char *s, enum guard_scan_mode *mode);
const char *guard_scan_mode_name(enum guard_scan_mode mode);

struct guard_vma {
	uint64_t start;
	uint64_t end;
	bool maybe_guard; /* VmFlags has "gu" */
	bool locked;	  /* VmFlags has "lo": guards can't be reinstalled */
	bool exec;
	bool special; /* kernel-provided: [vdso], [vsyscall], [uprobes], ... */
	/* For inspection (criu-guard scan); the plugin does not need them. */
	char perms[5]; /* "rw-p" */
	uint64_t offset;
	char *name;    /* path or "[heap]"; NULL if anonymous; may be cut */
	char *vmflags; /* the VmFlags text ("rd wr mr mw me ac gu"), or NULL */
};

struct guard_vmas {
	struct guard_vma *v;
	size_t n;
	size_t cap;
};

void guard_vmas_free(struct guard_vmas *v);

/*
 * Parses smaps (or maps) text.  Lines may be split anywhere across calls to
 * feed; finish flushes the last line.  Malformed input gives -EINVAL.
 */
struct guard_smaps_parser {
	struct guard_vmas *out;
	char line[512];
	size_t len;
	bool overlong;
	int err;
};

void guard_smaps_parser_init(struct guard_smaps_parser *p,
			     struct guard_vmas *out);
int guard_smaps_parser_feed(struct guard_smaps_parser *p, const char *buf,
			    size_t len);
int guard_smaps_parser_finish(struct guard_smaps_parser *p);

/*
 * /proc/PID/smaps or /proc/PID/maps ("smaps" or "maps"); pid 0 is self.
 * out must be zeroed or hold an earlier result, which is replaced.
 */
int guard_read_vmas(pid_t pid, const char *file, struct guard_vmas *out);

/* PAGEMAP_SCAN for PAGE_IS_GUARD over [start, end), appended to out. */
int guard_scan_pagemap(int pagemap_fd, uint64_t start, uint64_t end,
		       struct guard_ranges *out);
/* The same from pagemap entry bit 58, for kernels without PAGE_IS_GUARD. */
int guard_scan_pagemap_bits(int pagemap_fd, uint64_t start, uint64_t end,
			    long page_size, struct guard_ranges *out);

/*
 * What the plugin needs from /proc/PID/status, read once per task and
 * hook and passed down: every line costs a read of the whole file.
 */
struct guard_task_status {
	uint32_t ns_pid; /* last NSpid: the pid CRIU's images name it by */
	bool has_ns_pid;
	bool stop_pending; /* SIGSTOP queued for the task or its group */
	bool stop_only;	   /* ...and no other unblocked signal is pending */
	unsigned long long sig_pending, sig_blocked; /* SigPnd|ShdPnd, SigBlk */
	bool locked;  /* VmLck != 0: some VMA is mlock()ed */
	bool seccomp; /* a filter may refuse or kill on new syscalls */
};

int guard_task_status_read(pid_t pid, struct guard_task_status *st);

/* Last NSpid of /proc/PID/status: the pid CRIU's images name a task by. */
int guard_task_ns_pid(pid_t pid, uint32_t *ns_pid);

/* All guard ranges of pid (0: self), exact, by mode within what f allows. */
int guard_find(pid_t pid, const struct guard_features *f,
	       enum guard_scan_mode mode, struct guard_ranges *out);

/*
 * Rescans pid from the first start to the last end of span and demands
 * exactly expect there: 0, -EIO on any difference (logged with what, e.g.
 * "after lifting"), or the scan's own error.  After lifting or installing,
 * only the pages the plugin touched can have changed, and a scan of their
 * span costs in proportion to them, not to the whole address space.
 */
int guard_verify(pid_t pid, const struct guard_features *f,
		 const struct guard_ranges *span,
		 const struct guard_ranges *expect, const char *what);

#endif
