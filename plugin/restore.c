// SPDX-License-Identifier: GPL-2.0
/*
 * Restore: init(RESTORE) reads and checks every image before CRIU creates a
 * task, so a bad image set fails the restore with nothing applied.
 * RESUME_DEVICES_LATE runs for each task after its final sigreturn, still
 * under criu's ptrace, and puts its guards back.  CRIU ignores that hook's
 * result, so a task whose guards can't be reinstalled is killed (with its
 * tree) unless CRIU_GUARD_ON_FAILURE=continue: it must not run unguarded
 * without anyone being told.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criu-plugin.h>

#include "guard_binding.h"
#include "guard_criu_images.h"
#include "guard_criu_syms.h"
#include "guard_image.h"
#include "guard_kernel.h"
#include "guard_log.h"
#include "guard_native_images.h"
#include "guard_plugin.h"
#include "guard_remote.h"

static struct {
	bool active;
	bool doomed; /* a task failed and the tree is being killed */
	struct guard_features feat;
	struct guard_settings set;
	struct guard_tasks tasks; /* from the images; pid filled in at resume */
	struct guard_native native; /* a CRIU >= 4.2 dump on an older criu */
} run;

/*
 * Checks a task's ranges against its mappings in criu's mm image, so that
 * a range outside them fails the restore before any task exists, and
 * leaves out ranges criu restores itself (CRIU >= 4.2 records guards as
 * VMA_AREA_GUARD entries): no range is installed twice.
 */
static int check_against_mm(int dirfd, struct guard_task *t)
{
	struct guard_criu_mm mm;
	struct guard_ranges own;
	char name[64], mm_name[64], what[160];
	int ret;

	guard_image_name(name, sizeof(name), t->ns_pid);
	guard_criu_mm_name(mm_name, sizeof(mm_name), t->ns_pid);
	ret = guard_criu_mm_read(dirfd, t->ns_pid, &mm);
	if (ret == -ENOENT)
		pr_err("%s has guard ranges but criu's %s is missing\n", name,
		       mm_name);
	if (ret)
		return ret;
	snprintf(what, sizeof(what), "%s (checked against %s)", name, mm_name);
	ret = guard_criu_mm_check(&mm, what, &t->ranges);
	guard_ranges_init(&own);
	if (!ret && mm.guards.n) {
		ret = guard_ranges_subtract(&t->ranges, &mm.guards, &own);
		if (!ret && guard_criu_native())
			pr_info("%s: criu restores %zu guard ranges itself; the plugin installs %zu of its %zu\n",
				mm_name, mm.guards.n, own.n, t->ranges.n);
		else if (!ret)
			pr_info("%s: %zu of its %zu guard ranges also as VMA_AREA_GUARD entries, which this criu (< 4.2) can't read: hidden from it, the plugin installs them\n",
				mm_name, mm.guards.n, t->ranges.n);
		if (!ret) {
			guard_ranges_free(&t->ranges);
			t->ranges = own;
			guard_ranges_init(&own);
			t->native = mm.guards;
			guard_ranges_init(&mm.guards);
		}
	}
	guard_ranges_free(&own);
	guard_criu_mm_free(&mm);
	return ret;
}

static int load_images(int dirfd, const struct guard_index *idx)
{
	for (size_t i = 0; i < idx->n; i++) {
		struct guard_task *t;
		int ret;

		t = guard_tasks_push(&run.tasks, 0, idx->pids[i]);
		if (!t)
			return -ENOMEM;
		ret = guard_task_image_read(dirfd, idx->pids[i],
					    run.feat.task_size, &t->ranges);
		if (ret == -ENOENT)
			pr_err("guard-%u.img, listed in %s, is missing\n",
			       idx->pids[i], GUARD_INDEX_NAME);
		if (!ret && t->ranges.n)
			ret = check_against_mm(dirfd, t);
		if (ret)
			return ret;
	}
	return 0;
}

static int check_kernel(void)
{
	size_t ranges = 0;

	/* criu's own ranges too: this kernel can't take them either. */
	for (size_t i = 0; i < run.tasks.n; i++)
		ranges += run.tasks.v[i].ranges.n + run.tasks.v[i].native.n;
	if (!ranges)
		return 0;
	if (!run.feat.madv_guard) {
		pr_err("images hold %zu guard ranges but this kernel has no MADV_GUARD_INSTALL (Linux >= 6.13 needed)\n",
		       ranges);
		return -EOPNOTSUPP;
	}
	if (!run.feat.scan_guard && !run.feat.pagemap_bit) {
		pr_err("this kernel can install guards but not report them, so they can't be verified\n");
		return -EOPNOTSUPP;
	}
	return 0;
}

/*
 * Whether the plugin had a part in this dump: CRIU's inventory names it
 * in every dump that held guards, and the binding catches an inventory
 * that was damaged or swapped (guard_dump_decide).  The plugin must
 * claim that entry or criu refuses the restore; once claimed, the guard
 * images must be there, or loading the plugin would turn criu's refusal
 * into a silent loss of every guard.
 */
static int claim_inventory(int dirfd, bool *named)
{
	enum guard_dump_kind kind;
	int ret = guard_dump_decide(dirfd, &kind), claimed;

	*named = kind == GUARD_DUMP_OURS;
	if (ret)
		return ret;
	claimed = guard_criu_claim_inventory();
	if (*named && claimed != 1) {
		pr_err("%s names %s, but criu %s\n", CRIU_INVENTORY_NAME,
		       GUARD_PLUGIN_NAME,
		       claimed == -ENOSYS ?
			       "lacks check_and_remove_inventory_plugin()" :
			       "did not let the plugin claim it");
		return -EINVAL;
	}
	if (kind == GUARD_DUMP_STALE)
		pr_info("%s does not name %s: no guard regions to restore; guard images in the directory (of a guard-free dump, or stale: %s absent or binding none of this dump's tasks) are ignored\n",
			CRIU_INVENTORY_NAME, GUARD_PLUGIN_NAME,
			GUARD_BINDING_NAME);
	else if (kind == GUARD_DUMP_NONE)
		pr_info("the dump held no guard regions for the plugin to restore\n");
	return 0;
}

/* Its reader names the fault; only a missing index needs saying why. */
static int read_index(int dirfd, struct guard_index *idx)
{
	int ret = guard_index_read(dirfd, idx);

	if (ret == -ENOENT)
		pr_err("%s is missing, but %s names %s: the dump held guard regions and their images are gone\n",
		       GUARD_INDEX_NAME, CRIU_INVENTORY_NAME,
		       GUARD_PLUGIN_NAME);
	return ret;
}

/* A dump the plugin took part in: its index, task images and binding. */
static int load_named(int dirfd, uint64_t *t1)
{
	struct guard_index idx;
	int ret = read_index(dirfd, &idx);

	if (ret)
		return ret;
	ret = load_images(dirfd, &idx);
	*t1 = guard_now_us();
	if (!ret)
		ret = guard_binding_check(dirfd, &idx);
	guard_index_free(&idx);
	return ret;
}

int guard_restore_init(const struct guard_features *f,
		       const struct guard_settings *s)
{
	int dirfd = criu_get_image_dir();
	uint64_t t0 = guard_now_us(), t1 = t0, t2;
	bool named;
	int ret;

	memset(&run, 0, sizeof(run));
	run.feat = *f;
	run.set = *s;
	guard_native_init(&run.native);
	ret = claim_inventory(dirfd, &named);
	if (ret)
		return ret;
	if (named)
		ret = load_named(dirfd, &t1);
	t2 = guard_now_us();
	/* CRIU 4.2's own guard records, where this criu can't read them. */
	if (!ret)
		ret = guard_native_restore_init(dirfd, &run.feat, &run.tasks,
						&run.native);
	if (!ret && !named && !run.tasks.n)
		return 0;
	if (!ret)
		ret = check_kernel();
	if (ret) {
		guard_native_restore_fini(&run.native);
		guard_tasks_free(&run.tasks);
		return ret;
	}
	run.active = true;
	pr_info("restore: guard images of %zu tasks checked and bound to this dump\n",
		run.tasks.n);
	pr_info("timing restore-init: images=%lluus binding=%lluus\n",
		(unsigned long long)(t1 - t0), (unsigned long long)(t2 - t1));
	return 0;
}

/* Every range must lie in the task's mappings, or madvise would apply part. */
static int check_mapped(pid_t pid, const struct guard_vmas *vmas,
			const struct guard_ranges *g)
{
	struct guard_ranges mapped;
	size_t bad;
	int ret = 0;

	guard_ranges_init(&mapped);
	for (size_t i = 0; !ret && i < vmas->n; i++)
		ret = guard_ranges_add(&mapped, vmas->v[i].start,
				       vmas->v[i].end);
	if (!ret && !guard_ranges_cover(&mapped, g, &bad)) {
		pr_err("guard range [%#llx, %#llx) of %d is outside its mappings\n",
		       (unsigned long long)g->v[bad].start,
		       (unsigned long long)g->v[bad].end, (int)pid);
		ret = -EINVAL;
	}
	guard_ranges_free(&mapped);
	return ret;
}

/*
 * One read of the task's maps serves the mappings check and the choice of
 * where to inject.  The guards the task has now are exactly the ones criu
 * restored itself (>= 4.2): expect holds them with the plugin's own.
 */
static int plan_install(struct guard_task *t,
			const struct guard_task_status *st,
			const struct guard_ranges *expect,
			struct guard_proc_snap *snap,
			struct guard_remote_task *rt)
{
	const struct guard_vmas *vmas;
	int ret;

	memset(rt, 0, sizeof(*rt));
	ret = guard_proc_snap_vmas(snap, false, &vmas);
	if (!ret)
		ret = check_mapped(t->pid, vmas, &t->ranges);
	if (!ret)
		ret = guard_remote_plan(t->pid, st, &run.feat, vmas, expect,
					&t->ranges, rt);
	return ret;
}

/*
 * snap: the maps read for the plan serve the verify (installing guards
 * changes no mapping); smaps, if the verify needs "gu", is read after.
 */
static int install(struct guard_task *t, const struct guard_task_status *st,
		   struct guard_proc_snap *snap)
{
	uint64_t t0 = guard_now_us(), t1, t2;
	struct guard_remote_task rt;
	struct guard_ranges expect;
	size_t done;
	int ret;

	guard_ranges_init(&expect);
	/* criu's own ranges are in place already; the task has both. */
	ret = guard_ranges_union(&t->ranges, &t->native, &expect);
	if (!ret)
		ret = plan_install(t, st, &expect, snap, &rt);
	t1 = guard_now_us();
	if (!ret)
		ret = guard_remote_task_apply(&rt, &t->ranges,
					      MADV_GUARD_INSTALL, &done);
	t2 = guard_now_us();
	if (!ret)
		ret = guard_verify_snap(snap, &run.feat, &expect, &expect,
					"after install");
	guard_ranges_free(&expect);
	if (ret)
		return ret;
	pr_info("timing restore %d: maps=%lluus install=%lluus verify=%lluus ranges=%zu injected=%zu\n",
		(int)t->pid, (unsigned long long)(t1 - t0),
		(unsigned long long)(t2 - t1),
		(unsigned long long)(guard_now_us() - t2), t->ranges.n,
		rt.stats.syscalls);
	return 0;
}

static void kill_tree(void)
{
	for (size_t i = 0; i < run.tasks.n; i++)
		if (run.tasks.v[i].pid > 0)
			kill(run.tasks.v[i].pid, SIGKILL);
}

static void fail(struct guard_task *t)
{
	if (run.set.on_failure == GUARD_FAIL_CONTINUE) {
		pr_warn("task %d (ns pid %u) runs WITHOUT its guard regions (CRIU_GUARD_ON_FAILURE=continue)\n",
			(int)t->pid, t->ns_pid);
		return;
	}
	pr_err("task %d (ns pid %u) can't get its guard regions back: killing the restored tree (CRIU_GUARD_ON_FAILURE=continue lets it run unguarded)\n",
	       (int)t->pid, t->ns_pid);
	run.doomed = true;
	kill_tree();
}

int guard_restore_task(pid_t pid)
{
	uint64_t t0 = guard_now_us();
	struct guard_proc_snap snap;
	struct guard_task_status st;
	struct guard_task *t;
	uint32_t ns_pid;
	int ret;

	if (!run.active)
		return 0;
	ret = guard_task_status_ns(pid, &run.feat, &st);
	if (ret) {
		/* Can't tell which image is its: it must not run unguarded. */
		t = guard_tasks_push(&run.tasks, pid, 0);
		if (t)
			fail(t);
		return ret;
	}
	ns_pid = st.ns_pid;
	t = guard_tasks_find_ns(&run.tasks, ns_pid);
	if (!t) {
		pr_err("task %d (ns pid %u) is not in %s: images from another dump?\n",
		       (int)pid, ns_pid, GUARD_INDEX_NAME);
		t = guard_tasks_push(&run.tasks, pid, ns_pid);
		if (t)
			fail(t);
		return -EINVAL;
	}
	t->pid = pid;
	if (run.doomed) {
		kill(pid, SIGKILL);
		return -ECANCELED;
	}
	if (!t->ranges.n)
		return 0;
	guard_proc_snap_init(&snap, pid);
	ret = install(t, &st, &snap);
	guard_proc_snap_free(&snap);
	if (ret) {
		fail(t);
		return ret;
	}
	pr_info("task %d (ns pid %u): %zu guard ranges reinstalled and verified; hook=%lluus\n",
		(int)pid, ns_pid, t->ranges.n,
		(unsigned long long)(guard_now_us() - t0));
	return 0;
}

void guard_restore_fini(void)
{
	guard_native_restore_fini(&run.native);
	guard_tasks_free(&run.tasks);
	memset(&run, 0, sizeof(run));
}
