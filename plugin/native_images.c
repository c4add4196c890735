// SPDX-License-Identifier: GPL-2.0
/*
 * CRIU >= 4.2's guard ranges in a dump, read where criu is older
 * (guard_native_images.h): every mm image's VMA_AREA_GUARD entries and
 * vDSO, then what the pagemap images say (native_pagemap.c).
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guard_array.h"
#include "guard_criu_images.h"
#include "guard_imgdir.h"
#include "guard_log.h"
#include "guard_native_images.h"
#include "guard_native_pagemap.h"

void guard_native_init(struct guard_native *nv)
{
	memset(nv, 0, sizeof(*nv));
	nv->img_fd = -1;
	nv->orig_fd = -1;
}

void guard_native_free(struct guard_native *nv)
{
	for (size_t i = 0; i < nv->n; i++)
		guard_ranges_free(&nv->v[i].guards);
	free(nv->v);
	nv->v = NULL;
	nv->n = nv->cap = nv->tasks = nv->ranges = 0;
}

bool guard_native_mm_pid(const char *name, uint32_t *pid)
{
	char *end;
	unsigned long v;

	if (strncmp(name, "mm-", 3) || name[3] < '0' || name[3] > '9')
		return false;
	errno = 0;
	v = strtoul(name + 3, &end, 10);
	if (errno || v > UINT32_MAX || strcmp(end, ".img"))
		return false;
	*pid = (uint32_t)v;
	return true;
}

static int cmp_task(const void *a, const void *b)
{
	const struct guard_native_task *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static int list_mm(int dirfd, struct guard_native *nv)
{
	struct dirent *de;
	DIR *d = guard_dir_open(dirfd);

	if (!d) {
		pr_perror("Can't list the images directory");
		return -EIO;
	}
	while ((de = readdir(d))) {
		uint32_t pid;

		if (!guard_native_mm_pid(de->d_name, &pid))
			continue;
		if (GUARD_ARRAY_GROW(nv->v, nv->n, nv->cap, 16)) {
			closedir(d);
			return -ENOMEM;
		}
		nv->v[nv->n].pid = pid;
		guard_ranges_init(&nv->v[nv->n++].guards);
	}
	closedir(d);
	if (nv->n)
		qsort(nv->v, nv->n, sizeof(*nv->v), cmp_task);
	return 0;
}

struct guard_native_task *guard_native_find(const struct guard_native *nv,
					    uint32_t pid)
{
	struct guard_native_task key = { .pid = pid };

	return bsearch(&key, nv->v, nv->n, sizeof(*nv->v), cmp_task);
}

int guard_native_read(int dirfd, struct guard_native *nv)
{
	int ret = list_mm(dirfd, nv);

	for (size_t i = 0; !ret && i < nv->n; i++) {
		struct guard_native_task *t = &nv->v[i];
		struct guard_criu_mm mm;
		char name[64];

		ret = guard_criu_mm_read(dirfd, t->pid, &mm);
		if (ret)
			break;
		guard_criu_mm_name(name, sizeof(name), t->pid);
		ret = guard_criu_mm_check(&mm, name, &mm.guards);
		t->guards = mm.guards;
		guard_ranges_init(&mm.guards);
		t->vdso = mm.vdso;
		guard_criu_mm_free(&mm);
		nv->tasks += t->guards.n != 0;
		nv->ranges += t->guards.n;
	}
	return ret ? ret : guard_native_pagemaps_read(dirfd, nv);
}
