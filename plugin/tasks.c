// SPDX-License-Identifier: GPL-2.0
/* The tasks one dump or restore has touched, with their guard ranges. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "guard_array.h"
#include "guard_log.h"
#include "guard_plugin.h"

struct guard_task *guard_tasks_push(struct guard_tasks *t, pid_t pid,
				    uint32_t ns_pid)
{
	struct guard_task *task;

	if (GUARD_ARRAY_GROW(t->v, t->n, t->cap, 16))
		return NULL;
	task = &t->v[t->n++];
	task->pid = pid;
	task->ns_pid = ns_pid;
	task->lift_attempted = false;
	memset(&task->remote, 0, sizeof(task->remote));
	guard_ranges_init(&task->ranges);
	guard_ranges_init(&task->native);
	return task;
}

int guard_task_status_ns(pid_t pid, const struct guard_features *f,
			 struct guard_task_status *st)
{
	int ret = guard_task_status_read(pid, st);

	if (!ret && !f->nspid)
		ret = -ENOENT;
	if (ret)
		pr_err("task %d: can't read its pid in its namespace (NSpid): %s\n",
		       (int)pid, strerror(-ret));
	return ret;
}

struct guard_task *guard_tasks_find_ns(struct guard_tasks *t, uint32_t ns_pid)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].ns_pid == ns_pid)
			return &t->v[i];
	return NULL;
}

void guard_tasks_free(struct guard_tasks *t)
{
	for (size_t i = 0; i < t->n; i++) {
		guard_ranges_free(&t->v[i].ranges);
		guard_ranges_free(&t->v[i].native);
	}
	free(t->v);
	memset(t, 0, sizeof(*t));
}
