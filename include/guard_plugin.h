/* SPDX-License-Identifier: GPL-2.0 */
/*
 * State and settings shared by the plugin's hooks (plugin.c, dump.c,
 * restore.c).  Settings come from the environment: CRIU plugins get no
 * command-line options, and runc/podman pass criu their environment.
 */
#ifndef CRIU_GUARD_PLUGIN_H
#define CRIU_GUARD_PLUGIN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "guard_range.h"
#include "guard_remote.h"
#include "guard_proc.h"
#include "guard_scan.h"

enum guard_mode {
	GUARD_MODE_AUTO,   /* defer to CRIU's native support where it exists */
	GUARD_MODE_PLUGIN, /* always handle guards in the plugin */
};

enum guard_on_failure {
	GUARD_FAIL_KILL,     /* kill the restored tree: never run unguarded */
	GUARD_FAIL_CONTINUE, /* warn and let the task run without guards */
};

struct guard_settings {
	enum guard_mode mode;
	enum guard_scan_mode scan;
	enum guard_on_failure on_failure;
};

struct guard_task {
	pid_t pid;	 /* host pid, as hooks receive it */
	uint32_t ns_pid; /* pid in its own namespace, as images are named */
	struct guard_ranges ranges;
	struct guard_ranges native; /* restore: ranges criu (>= 4.2) restores */
	bool lift_attempted; /* dump: removal tried (all or some may be gone): reinstall at exit */
	struct guard_remote_task remote; /* dump: planned once, used twice */
};

struct guard_tasks {
	struct guard_task *v;
	size_t n;
	size_t cap;
};

/* CRIU_GUARD_MODE, _ON_FAILURE and _SCAN (settings.c); -1 if one is bad. */
int guard_settings_load(struct guard_settings *s);

struct guard_task *guard_tasks_push(struct guard_tasks *t, pid_t pid,
				    uint32_t ns_pid);
/*
 * The task's status, which every hook reads first: its NSpid names its
 * images, so a status without one (or CRIU_GUARD_DISABLE=nspid) is an
 * error, logged here.
 */
int guard_task_status_ns(pid_t pid, const struct guard_features *f,
			 struct guard_task_status *st);
struct guard_task *guard_tasks_find_ns(struct guard_tasks *t, uint32_t ns_pid);
void guard_tasks_free(struct guard_tasks *t);

int guard_dump_init(const struct guard_features *f,
		    const struct guard_settings *s);
int guard_dump_task(pid_t pid);
void guard_dump_fini(int ret);
/* init(PRE_DUMP): the page walk hook only (pre-dump has no task hook). */
int guard_predump_init(const struct guard_features *f,
		       const struct guard_settings *s);
/* Takes away a hook a pre-dump left (criu calls no exit() after it). */
void guard_dump_release(void);

int guard_restore_init(const struct guard_features *f,
		       const struct guard_settings *s);
int guard_restore_task(pid_t pid);
void guard_restore_fini(void);

/*
 * exit(DUMP), before the binding: every task's ranges also as CRIU 4.2's
 * VMA_AREA_GUARD entries of its mm image (native_dump.c).  0 or -EIO.
 */
int guard_native_record(int dirfd, const struct guard_tasks *tasks);

/*
 * On a criu without guard support of its own (< 4.2): the guard ranges a
 * CRIU >= 4.2 dump recorded in mm-<pid>.img join the tasks' own (a task is
 * added for every mm image if the dump had none of the plugin's), and
 * criu reads the images through a view without them
 * (guard_native_images.h).  Nothing on criu >= 4.2 or without such ranges.
 */
struct guard_native;
int guard_native_restore_init(int dirfd, const struct guard_features *f,
			      struct guard_tasks *tasks,
			      struct guard_native *nv);
void guard_native_restore_fini(struct guard_native *nv);

#endif
