// SPDX-License-Identifier: GPL-2.0
/*
 * A CRIU >= 4.2 dump restored by an older criu with the plugin: CRIU 4.2's
 * guard records (VMA_AREA_GUARD entries of mm-<pid>.img) become the
 * plugin's ranges, installed and verified at RESUME_DEVICES_LATE like its
 * own, and criu reads the images through a view that leaves them out
 * (guard_native_images.h).  On criu >= 4.2 criu restores them itself.
 */
#include <errno.h>
#include <stdint.h>

#include "guard_criu_syms.h"
#include "guard_log.h"
#include "guard_native_images.h"
#include "guard_native_view.h"
#include "guard_plugin.h"

/* The task's ranges become its own plus criu's, which criu won't install. */
static int adopt(struct guard_task *t, const struct guard_ranges *guards,
		 uint64_t task_size)
{
	struct guard_ranges own, all;
	int ret;

	if (guards->n && guards->v[guards->n - 1].end > task_size) {
		pr_err("mm-%u.img: guard range ends at %#llx, above this kernel's task size\n",
		       t->ns_pid,
		       (unsigned long long)guards->v[guards->n - 1].end);
		return -EINVAL;
	}
	guard_ranges_init(&own);
	guard_ranges_init(&all);
	ret = guard_ranges_union(&t->ranges, &t->native, &own);
	if (!ret)
		ret = guard_ranges_union(&own, guards, &all);
	guard_ranges_free(&own);
	if (ret) {
		guard_ranges_free(&all);
		return ret;
	}
	guard_ranges_free(&t->ranges);
	guard_ranges_free(&t->native);
	t->ranges = all;
	return 0;
}

static int adopt_all(struct guard_tasks *tasks, const struct guard_native *nv,
		     uint64_t task_size)
{
	/* Without the plugin's index every task must be known at resume. */
	bool all = tasks->n == 0;

	for (size_t i = 0; i < nv->n; i++) {
		const struct guard_native_task *n = &nv->v[i];
		struct guard_task *t = guard_tasks_find_ns(tasks, n->pid);
		int ret;

		if (!t && !n->guards.n && !all)
			continue;
		if (!t)
			t = guard_tasks_push(tasks, 0, n->pid);
		if (!t)
			return -ENOMEM;
		ret = adopt(t, &n->guards, task_size);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * The restorer of CRIU < 4.2 parses the dumped vDSO and fails once the
 * tasks exist ("vdso: ELF header magic mismatch") if the dump holds none
 * of its pages: such a dump is refused here, by name, before.
 */
static int refuse_no_vdso(const struct guard_native *nv)
{
	for (size_t i = 0; i < nv->n; i++) {
		if (!nv->v[i].vdso_missing)
			continue;
		pr_err("pagemap-%u.img holds no contents for the vDSO that mm-%u.img maps, and the restorer of this criu (< 4.2) reads them: restore this dump with CRIU >= 4.2\n",
		       nv->v[i].pid, nv->v[i].pid);
		return -EOPNOTSUPP;
	}
	return 0;
}

int guard_native_restore_init(int dirfd, const struct guard_features *f,
			      struct guard_tasks *tasks,
			      struct guard_native *nv)
{
	uint64_t t0 = guard_now_us();
	int ret;

	if (guard_criu_native())
		return 0;
	ret = guard_native_read(dirfd, nv);
	if (!ret)
		ret = refuse_no_vdso(nv);
	pr_info("timing restore-init native: read=%lluus tasks=%zu\n",
		(unsigned long long)(guard_now_us() - t0), nv->n);
	if (ret || (!nv->ranges && !nv->pagemaps)) {
		guard_native_free(nv);
		return ret;
	}
	pr_info("%zu guard ranges of %zu tasks recorded as VMA_AREA_GUARD entries of mm-<pid>.img (by CRIU >= 4.2, or by the plugin for a criu without it), %zu pagemap images counting pages in 4.2's field; this criu reads neither. The plugin installs the ranges, and criu reads the images through %s<pid>/ (links to every file; those mm images without the entries, those pagemaps with the count where this criu reads it). The directory's own files are not changed\n",
		nv->ranges, nv->tasks, nv->pagemaps, GUARD_VIEW_PREFIX);
	ret = adopt_all(tasks, nv, f->task_size);
	if (!ret)
		ret = guard_native_view_up(dirfd, nv);
	if (ret)
		guard_native_free(nv);
	return ret;
}

void guard_native_restore_fini(struct guard_native *nv)
{
	if (nv->orig_fd >= 0 && nv->view[0])
		pr_info("removing %s, the view of the images criu read\n",
			nv->view);
	guard_native_view_down(nv);
	guard_native_free(nv);
}
