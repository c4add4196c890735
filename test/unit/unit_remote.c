// SPDX-License-Identifier: GPL-2.0
/*
 * Pid-based planning for the remote tests (unit_remote.h).  Only tests
 * need it: the plugin's hooks plan from the snapshot they read anyway.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "guard_lift.h"
#include "guard_proc.h"
#include "guard_scan.h"
#include "unit_remote.h"

struct unit_remote {
	struct guard_remote_task t;
	struct guard_inject *inj;
};

int unit_remote_plan(pid_t pid, const struct guard_features *f,
		     const struct guard_ranges *avoid,
		     struct guard_remote_task *t)
{
	struct guard_task_status st = { 0 };
	struct guard_vmas vmas = { 0 };
	struct guard_ranges found, guards;
	int ret;

	guard_ranges_init(&found);
	guard_ranges_init(&guards);
	guard_task_status_read(pid, &st);
	ret = guard_read_vmas(pid, "maps", &vmas);
	/* Without a scan, avoid alone keeps the call off guards. */
	if (!ret && guard_find(pid, f, GUARD_SCAN_FULL, &found))
		guard_ranges_reset(&found);
	if (!ret)
		ret = guard_ranges_union(avoid, &found, &guards);
	if (!ret)
		ret = guard_remote_plan(pid, &st, f, &vmas, &guards, NULL, t);
	guard_ranges_free(&found);
	guard_ranges_free(&guards);
	guard_vmas_free(&vmas);
	return ret;
}

int unit_remote_apply(pid_t pid, struct unit_remote_call *c,
		      const struct guard_ranges *ranges, int advice,
		      size_t *done)
{
	struct guard_remote_task t;
	int ret;

	*done = 0;
	memset(&c->stats, 0, sizeof(c->stats));
	if (!ranges->n)
		return 0;
	ret = unit_remote_plan(pid, &c->f, ranges, &t);
	if (!ret)
		ret = guard_remote_task_apply(&t, ranges, advice, done);
	c->stats = t.stats;
	return ret;
}

int unit_lift(pid_t pid, struct unit_remote_call *c,
	      const struct guard_ranges *ranges)
{
	struct guard_remote_task t;
	int ret;

	memset(&c->stats, 0, sizeof(c->stats));
	ret = unit_remote_plan(pid, &c->f, ranges, &t);
	if (!ret)
		ret = guard_lift(&t, ranges);
	c->stats = t.stats;
	return ret;
}

int unit_remote_open(pid_t pid, const struct guard_features *f,
		     const struct guard_ranges *avoid, struct unit_remote **out)
{
	struct guard_features one = *f;
	struct unit_remote *r = calloc(1, sizeof(*r));
	int ret;

	if (!r)
		return -ENOMEM;
	one.batch = false; /* one madvise() per call */
	ret = unit_remote_plan(pid, &one, avoid, &r->t);
	if (!ret)
		ret = guard_inject_open(&r->t, &r->inj);
	if (ret) {
		free(r);
		return ret;
	}
	*out = r;
	return 0;
}

int unit_remote_madvise(struct unit_remote *r, uint64_t addr, uint64_t len,
			int advice)
{
	long ret = 0;
	int err;

	err = guard_inject_syscall(r->inj, __NR_madvise, &ret, addr, len,
				   advice, 0, 0);
	return err ? err : (int)ret;
}

void unit_remote_close(struct unit_remote *r)
{
	if (!r)
		return;
	guard_inject_close(r->inj);
	free(r);
}
