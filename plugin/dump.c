// SPDX-License-Identifier: GPL-2.0
/*
 * Dump: CHECKPOINT_DEVICES runs for each frozen, seized task before CRIU
 * reads its memory.  Record the task's guards; criu's page walk, hooked at
 * init (pagewalk.c), leaves guard pages out, so no task is touched.  Where
 * the hook can't be put in place, the guards are lifted so CRIU's parasite
 * can read every page, and exit(DUMP) puts them back in every task,
 * whether CRIU then kills it, leaves it running (-R) or the dump failed:
 * criu killed in between leaves the task without them.
 */
#include <errno.h>
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
#include "guard_lift.h"
#include "guard_log.h"
#include "guard_pagewalk.h"
#include "guard_plugin.h"
#include "guard_remote.h"

static struct {
	bool active;
	struct guard_features feat;
	struct guard_settings set;
	struct guard_tasks tasks; /* every task dumped, for the index */
	uint32_t *pids;
	bool in_inventory;
	bool streaming;	 /* criu dump --stream: our images can't follow */
	bool zero_lift;	 /* pw is in place: nothing is lifted */
	bool bound;	 /* records and binding written before exit(DUMP) */
	size_t reserved; /* tasks the binding's reserved space covers */
	struct guard_pagewalk pw;
} run;

/*
 * A pre-dump gets no exit(): its hook stays until criu exits, or until
 * the next run in the same process (criu swrk) starts here.
 */
void guard_dump_release(void)
{
	if (run.pw.installed)
		guard_pagewalk_remove(&run.pw);
}

static void bind_early(void *arg);

/* Zero-lift where it can be had; the log says which way guards go. */
static void choose_pagewalk(const char *stage)
{
	const char *why =
		"CRIU_GUARD_DISABLE masks it, or the kernel can't tell guard pages to both of criu's page walks";
	const char *lwhy = "";
	int ret = -EOPNOTSUPP;

	/*
	 * CRIU >= 4.2 (here with CRIU_GUARD_MODE=plugin) walks pages past
	 * guards itself and records them from its own guard scan, which a
	 * hook would break: the plugin lifts them first, as it always did in
	 * this mode, so that criu records none and the plugin all.
	 */
	if (guard_criu_native()) {
		why = "criu >= 4.2 runs its own guard scan; CRIU_GUARD_MODE=plugin takes the guards from it";
		/* Only the listen() hook (a lazy dump's early binding). */
		if (guard_pagewalk_install_listen(&run.pw, bind_early, NULL,
						  &lwhy))
			pr_warn("%s: criu's listen() can't be hooked (%s): a dump --lazy-pages is bound only at its end\n",
				stage, lwhy);
	} else if (run.feat.pagewalk) {
		ret = guard_pagewalk_install(&run.pw, &why);
	}
	run.zero_lift = !ret;
	if (run.zero_lift) {
		run.pw.on_listen = bind_early;
		pr_info("%s: zero-lift: criu's page walk skips guard pages (%zu GOT slots hooked); no task is touched\n",
			stage, run.pw.n_slots);
		return;
	}
	pr_warn("%s: criu's page walk can't be hooked (%s): guards are lifted from each task for the page dump and reinstalled at its end; criu killed in between leaves tasks without them\n",
		stage, why);
}

/*
 * Pre-dump reads pages through the same walk and has no hook per task:
 * with zero-lift the guard pages are left out (holes), and the final dump
 * records them.
 */
/* A fresh run: a hook left by a pre-dump goes first, then the state. */
static void dump_reset(const struct guard_features *f,
		       const struct guard_settings *s)
{
	guard_dump_release();
	memset(&run, 0, sizeof(run));
	run.feat = *f;
	run.set = *s;
}

int guard_predump_init(const struct guard_features *f,
		       const struct guard_settings *s)
{
	dump_reset(f, s);
	if (!f->madv_guard)
		return 0;
	/* Pre-dump records nothing: criu >= 4.2 needs no help in any mode. */
	if (guard_criu_native()) {
		pr_info("pre-dump: criu skips guard pages natively; plugin stands aside\n");
		return 0;
	}
	choose_pagewalk("pre-dump");
	if (!run.zero_lift)
		pr_warn("pre-dump: guard pages stay installed and criu's default (splice) pre-dump fails on them: use --pre-dump-mode=read\n");
	return 0;
}

int guard_dump_init(const struct guard_features *f,
		    const struct guard_settings *s)
{
	dump_reset(f, s);
	if (!f->madv_guard) {
		pr_info("kernel has no guard regions; nothing to do\n");
		return 0;
	}
	if (s->mode == GUARD_MODE_AUTO && guard_criu_native()) {
		pr_info("criu handles guard regions natively; plugin stands aside (CRIU_GUARD_MODE=plugin overrides)\n");
		return 0;
	}
	if (!f->scan_guard && !f->pagemap_bit) {
		pr_err("kernel has guard regions but reports them neither in PAGEMAP_SCAN nor in pagemap: they can't be dumped\n");
		return -EOPNOTSUPP;
	}
	run.active = true;
	run.streaming = guard_criu_streaming(criu_get_image_dir());
	/* A binding left by an earlier dump in this directory is not ours. */
	if (unlinkat(criu_get_image_dir(), GUARD_BINDING_NAME, 0) &&
	    errno != ENOENT)
		pr_perror("Can't remove the stale %s", GUARD_BINDING_NAME);
	pr_info("dump: scan mode %s\n", guard_scan_mode_name(s->scan));
	choose_pagewalk("dump");
	return 0;
}

/*
 * Rewritten after every task, so that the index is whole once the last
 * task is done; exit(DUMP) comes too late to fail the dump on an error.
 */
static int write_index(int dirfd)
{
	uint32_t *pids = realloc(run.pids, run.tasks.n * sizeof(*pids));

	if (!pids)
		return -ENOMEM;
	run.pids = pids;
	for (size_t i = 0; i < run.tasks.n; i++)
		pids[i] = run.tasks.v[i].ns_pid;
	guard_pids_sort(pids, run.tasks.n);
	return guard_index_write(dirfd, pids, run.tasks.n);
}

/*
 * Once per dump, and before any guard is lifted: a restore without the
 * plugin is then refused, and a restore with it knows the guard images
 * are required.  A criu that can't record this would let the guards be
 * lost silently, so such a dump is refused.
 */
static int register_inventory(void)
{
	int ret;

	if (run.in_inventory)
		return 0;
	ret = guard_criu_add_inventory();
	if (ret == -ENOSYS)
		pr_err("this criu has no add_inventory_plugin(): a restore could not tell that the dump needs %s; refusing to lift guards\n",
		       GUARD_PLUGIN_NAME);
	else if (ret)
		pr_err("Can't add the plugin to the inventory\n");
	if (ret)
		return ret;
	run.in_inventory = true;
	return 0;
}

/* Guards must be gone, or CRIU's page dump fails on them. */
static int check_lifted(struct guard_task *t, struct guard_proc_snap *snap)
{
	struct guard_ranges none;

	guard_ranges_init(&none);
	return guard_verify_snap(snap, &run.feat, &t->ranges, &none,
				 "left after lifting");
}

/*
 * MADV_GUARD_REMOVE works in a VM_LOCKED VMA but MADV_GUARD_INSTALL does
 * not (EINVAL): guards lifted there could be put back neither at
 * exit(DUMP) nor at restore (criu restores the lock).  Refuse the dump
 * before lifting anything, so the task keeps its guards.  vmas are from
 * smaps when the task has locked memory (VmLck), else from maps.
 */
static int check_unlocked(struct guard_task *t, const struct guard_vmas *vmas)
{
	int ret = 0;

	for (size_t i = 0; i < vmas->n; i++) {
		const struct guard_vma *v = &vmas->v[i];

		if (!v->locked ||
		    !guard_ranges_overlap(&t->ranges, v->start, v->end))
			continue;
		pr_err("task %d: guards in the mlock()ed VMA %#llx-%#llx can't be lifted: the kernel refuses to reinstall guards in locked memory\n",
		       (int)t->pid, (unsigned long long)v->start,
		       (unsigned long long)v->end);
		ret = -EOPNOTSUPP;
	}
	return ret;
}

/*
 * One read of the task's mappings (the one the scan made, if it needed
 * them) serves the mlock check and the choice of where to inject, now and
 * at exit(DUMP): the tree stays frozen in between, and CRIU's parasite
 * leaves no mapping behind.
 */
static int plan_task(struct guard_task *t, const struct guard_task_status *st,
		     struct guard_proc_snap *snap)
{
	const struct guard_vmas *vmas;
	int ret;

	ret = guard_proc_snap_vmas(snap, st->locked, &vmas);
	if (!ret)
		ret = check_unlocked(t, vmas);
	if (!ret)
		ret = guard_remote_plan(t->pid, st, &run.feat, vmas, &t->ranges,
					&t->ranges, &t->remote);
	return ret;
}

static int record(int dirfd, struct guard_task *t)
{
	int ret = guard_task_image_write(dirfd, t->ns_pid, &t->ranges);

	if (!ret)
		ret = write_index(dirfd);
	/*
	 * Only a dump that holds guards needs the plugin to restore: a
	 * guard-free tree dumped where the plugin is installed must still
	 * restore on a machine without it.
	 */
	if (!ret && t->ranges.n)
		ret = register_inventory();
	/*
	 * Every task after the first with guards adds to the binding: the
	 * reservation grows ahead of them, so few hooks pay for it.
	 */
	if (!ret && run.in_inventory && run.tasks.n > run.reserved) {
		run.reserved = run.tasks.n < 8 ? 16 : 2 * run.tasks.n;
		ret = guard_binding_reserve(dirfd, run.reserved);
	}
	return ret;
}

/*
 * Zero-lift: the guards are recorded and stay where they are; criu's page
 * walk must still be ours, or it would try to dump guard pages (and fail).
 */
static int skip_task(struct guard_task *t, uint64_t t0, uint64_t t1)
{
	if (!guard_pagewalk_in_place(&run.pw)) {
		pr_err("task %d: criu's page walk is no longer hooked (another plugin replaced the ioctl or pread slot): refusing the dump; no guard was touched\n",
		       (int)t->pid);
		return -EIO;
	}
	pr_info("task %d (ns pid %u): %zu guard ranges, %llu KiB; left in place (zero-lift)\n",
		(int)t->pid, t->ns_pid, t->ranges.n,
		(unsigned long long)guard_ranges_bytes(&t->ranges) >> 10);
	pr_info("timing dump %d: find=%lluus ranges=%zu injected=0 hook=%lluus\n",
		(int)t->pid, (unsigned long long)(t1 - t0), t->ranges.n,
		(unsigned long long)(guard_now_us() - t0));
	return 0;
}

/* One task in its hook; snap holds what is read of it, each file once. */
static int dump_task(struct guard_proc_snap *snap)
{
	int dirfd = criu_get_image_dir();
	uint64_t t0 = guard_now_us(), t1, t2, t3, t4;
	struct guard_task_status st;
	pid_t pid = snap->pid;
	struct guard_task *t;
	int ret;

	ret = guard_task_status_ns(pid, &run.feat, &st);
	if (ret)
		return ret;
	t = guard_tasks_push(&run.tasks, pid, st.ns_pid);
	if (!t)
		return -ENOMEM;
	ret = guard_find_snap(snap, &run.feat, run.set.scan, &t->ranges);
	if (ret)
		return ret;
	/* Before anything is written or lifted: the task keeps its guards. */
	if (t->ranges.n && run.streaming) {
		pr_err("task %d has %zu guard ranges, but criu dump --stream sends images through criu-image-streamer and the plugin's images can't go with them: refusing the dump rather than lose the guards (dump without --stream)\n",
		       (int)pid, t->ranges.n);
		return -EOPNOTSUPP;
	}
	t1 = guard_now_us();
	ret = record(dirfd, t);
	if (ret || !t->ranges.n) {
		pr_info("timing dump %d: find=%lluus ranges=0 hook=%lluus\n",
			(int)pid, (unsigned long long)(t1 - t0),
			(unsigned long long)(guard_now_us() - t0));
		return ret;
	}
	if (run.zero_lift)
		return skip_task(t, t0, t1);
	pr_info("task %d (ns pid %u): %zu guard ranges, %llu KiB; lifting\n",
		(int)pid, st.ns_pid, t->ranges.n,
		(unsigned long long)guard_ranges_bytes(&t->ranges) >> 10);
	ret = plan_task(t, &st, snap);
	if (ret)
		return ret;
	/* Marked first, so exit(DUMP) reinstalls even after a partial lift. */
	t->lift_attempted = true;
	t2 = guard_now_us();
	ret = guard_lift(&t->remote, &t->ranges);
	t3 = guard_now_us();
	if (!ret)
		ret = check_lifted(t, snap);
	t4 = guard_now_us();
	pr_info("timing dump %d: find=%lluus lift=%lluus check=%lluus ranges=%zu injected=%zu hook=%lluus\n",
		(int)pid, (unsigned long long)(t1 - t0),
		(unsigned long long)(t3 - t2), (unsigned long long)(t4 - t3),
		t->ranges.n, t->remote.stats.syscalls,
		(unsigned long long)(t4 - t0));
	return ret;
}

int guard_dump_task(pid_t pid)
{
	struct guard_proc_snap snap;
	int ret;

	if (!run.active)
		return 0;
	guard_proc_snap_init(&snap, pid);
	ret = dump_task(&snap);
	guard_proc_snap_free(&snap);
	return ret;
}

/* Puts a task's guards back and checks they are exactly the recorded ones. */
static int reinstall(struct guard_task *t)
{
	uint64_t t0 = guard_now_us(), t1;
	struct guard_task_status st;
	size_t done;
	int ret;

	/*
	 * Only the pending SIGSTOP can have changed since the task's hook
	 * (a signal sent during the dump); the rest of the plan holds.
	 */
	if (!guard_task_status_read(t->pid, &st))
		guard_remote_plan_signals(&t->remote, &st);
	t->remote.stats.syscalls = 0;
	ret = guard_remote_task_apply(&t->remote, &t->ranges,
				      MADV_GUARD_INSTALL, &done);
	t1 = guard_now_us();
	if (ret) {
		pr_err("task %d: reinstalled %zu of %zu guard ranges\n",
		       (int)t->pid, done, t->ranges.n);
		return ret;
	}
	ret = guard_verify(t->pid, &run.feat, &t->ranges, &t->ranges,
			   "after reinstall");
	pr_info("timing dump-exit %d: reinstall=%lluus verify=%lluus injected=%zu\n",
		(int)t->pid, (unsigned long long)(t1 - t0),
		(unsigned long long)(guard_now_us() - t1),
		t->remote.stats.syscalls);
	return ret;
}

/*
 * CRIU has written every image when exit(DUMP) runs.  Too late to fail
 * the dump: its space was reserved at CHECKPOINT_DEVICES, and if it can't
 * be written all the same the restore refuses, because the inventory
 * names the plugin and the binding is missing.
 */
static int bind_images(void)
{
	struct guard_index idx = { .pids = run.pids, .n = run.tasks.n };
	int dirfd = criu_get_image_dir();
	uint64_t t0 = guard_now_us();

	/* Every task is back: the records join the images the binding hashes. */
	guard_native_record(dirfd, &run.tasks);
	if (guard_binding_write(dirfd, &idx)) {
		pr_err("the dump succeeded but %s could not be written: it can't be restored\n",
		       GUARD_BINDING_NAME);
		return -1;
	}
	pr_info("timing dump-exit binding=%lluus tasks=%zu\n",
		(unsigned long long)(guard_now_us() - t0), run.tasks.n);
	return 0;
}

/*
 * criu dump --lazy-pages starts its page server after writing every image
 * and calls exit(DUMP) only when the restore side has taken all pages; the
 * restore starts meanwhile, from these images, and would find no binding.
 * So the first listen() of the dump binds them (pagewalk.c calls this).
 */
static void bind_early(void *arg)
{
	(void)arg;
	if (!run.active || !run.in_inventory || run.bound)
		return;
	/* A page server that is not a lazy dump's: exit(DUMP) binds. */
	if (faccessat(criu_get_image_dir(), CRIU_INVENTORY_NAME, F_OK, 0))
		return;
	pr_info("dump: criu starts a page server before exit(DUMP) (--lazy-pages): every image is written, so the guard records and %s are written now\n",
		GUARD_BINDING_NAME);
	run.bound = !bind_images();
}

void guard_dump_fini(int ret)
{
	size_t restored = 0, failed = 0;

	for (size_t i = 0; i < run.tasks.n; i++) {
		struct guard_task *t = &run.tasks.v[i];

		if (!t->lift_attempted)
			continue;
		if (reinstall(t))
			failed++;
		else
			restored++;
	}
	if (restored || failed)
		pr_info("dump %s: guards reinstalled in %zu tasks, failed in %zu\n",
			ret ? "failed" : "done", restored, failed);
	if (failed)
		pr_err("%zu tasks run on without some of their guards\n",
		       failed);
	if (run.pw.installed)
		guard_pagewalk_remove(&run.pw);
	if (run.zero_lift) {
		pr_info("dump %s: zero-lift: %llu page scans and %llu pagemap reads filtered, %llu guard entries read as holes; nothing was lifted\n",
			ret ? "failed" : "done",
			(unsigned long long)run.pw.scans,
			(unsigned long long)run.pw.reads,
			(unsigned long long)run.pw.cleared);
	}
	if (!ret && run.in_inventory && !run.bound)
		bind_images();
	else if (ret && run.in_inventory)
		guard_binding_unreserve(criu_get_image_dir());
	/* A failed lazy transfer: what was bound early is no dump. */
	if (ret && run.bound &&
	    unlinkat(criu_get_image_dir(), GUARD_BINDING_NAME, 0) &&
	    errno != ENOENT)
		pr_perror("Can't remove %s", GUARD_BINDING_NAME);
	guard_tasks_free(&run.tasks);
	free(run.pids);
	memset(&run, 0, sizeof(run));
}
