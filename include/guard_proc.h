/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one reader of /proc/PID files: status fields, the maps/smaps walk
 * and the pagemap file.  Callers read each once per task and hook and pass
 * the result down.
 */
#ifndef CRIU_GUARD_PROC_H
#define CRIU_GUARD_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "guard_smaps.h"

/*
 * Opens /proc/PID/file read-only (pid 0: this process, which getpid()
 * can't name inside a pid namespace).  An fd, or -errno with a message.
 */
int guard_proc_open(pid_t pid, const char *file);

/*
 * /proc/PID/smaps or /proc/PID/maps ("smaps" or "maps"); pid 0 is self.
 * out must be zeroed or hold an earlier result, which is replaced.
 */
int guard_read_vmas(pid_t pid, const char *file, struct guard_vmas *out);

/*
 * What one hook reads of one task, each file once: the VMAs and pagemap,
 * read on first use and kept until the hook frees the snapshot.  Valid
 * while the task's mappings hold still (frozen or seized), and only
 * within one hook: smaps "gu" appears when guards are installed.
 */
struct guard_proc_snap {
	pid_t pid;
	struct guard_vmas vmas;
	bool have_vmas;
	bool vmas_smaps; /* from smaps: VmFlags ("gu", "lo") are known */
	int pagemap_fd;	 /* -1 until opened */
};

void guard_proc_snap_init(struct guard_proc_snap *s, pid_t pid);
/* The VMAs; smaps: VmFlags are needed.  smaps read once serves maps too. */
int guard_proc_snap_vmas(struct guard_proc_snap *s, bool smaps,
			 const struct guard_vmas **out);
/* The open pagemap fd, or -errno (logged). */
int guard_proc_snap_pagemap(struct guard_proc_snap *s);
void guard_proc_snap_free(struct guard_proc_snap *s);

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

#endif
