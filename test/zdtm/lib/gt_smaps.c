// SPDX-License-Identifier: GPL-2.0
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "guard_array.h"
#include "guard_kernel.h"
#include "gt_smaps.h"
#include "zdtmtst.h"

int gt_read_smaps(pid_t pid, struct gt_vmas *out)
{
	char path[64], line[1024];
	int ret = 0;
	FILE *f;

	memset(out, 0, sizeof(*out));
	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/smaps");
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long s, e;
		char c;

		/* Field lines ("Size:", "AnonHugePages:") never parse so. */
		if (sscanf(line, "%llx-%llx %c", &s, &e, &c) == 3) {
			ret = GUARD_ARRAY_GROW(out->v, out->n, out->cap, 256);
			if (ret)
				break;
			out->v[out->n++] = (struct gt_vma){ s, e, "" };
		} else if (out->n && !strncmp(line, "VmFlags:", 8)) {
			struct gt_vma *v = &out->v[out->n - 1];

			/* A VmFlags line is about 100 bytes: no flag is cut. */
			snprintf(v->flags, sizeof(v->flags), "%.*s",
				 (int)sizeof(v->flags) - 1, line + 8);
		}
	}
	fclose(f);
	if (ret)
		gt_vmas_free(out);
	return ret;
}

void gt_vmas_free(struct gt_vmas *v)
{
	free(v->v);
	memset(v, 0, sizeof(*v));
}

const struct gt_vma *gt_vma_at(const struct gt_vmas *v, const void *p)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->v[i].start <= (uintptr_t)p && (uintptr_t)p < v->v[i].end)
			return &v->v[i];
	return NULL;
}

bool gt_vma_has(const struct gt_vma *v, const char *flag)
{
	size_t len = strlen(flag);

	for (const char *f = v->flags; (f = strstr(f, flag)); f += len)
		if (f > v->flags && f[-1] == ' ' && strchr(" \n", f[len]))
			return true;
	return false;
}

bool gt_vma_has_at(const void *p, const char *flag)
{
	struct gt_vmas vmas;
	const struct gt_vma *v;
	bool on;

	if (gt_read_smaps(0, &vmas))
		return false;
	v = gt_vma_at(&vmas, p);
	on = v && gt_vma_has(v, flag);
	gt_vmas_free(&vmas);
	return on;
}

/*
 * Asked of a scratch guard page of our own, because a task's VMAs may lack
 * the flag for either reason.
 */
bool gt_kernel_shows_gu(void)
{
	bool shown = false;
	char *p;

	gt_init_page();
	p = mmap(NULL, 3 * gt_page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return false;
	if (!madvise(p + gt_page, gt_page, MADV_GUARD_INSTALL))
		shown = gt_vma_has_at(p, "gu");
	munmap(p, 3 * gt_page);
	return shown;
}

int gt_check_gu(struct gt_region *r)
{
	struct gt_vmas vmas;
	int bad = 0;

	if (!gt_kernel_shows_gu()) {
		test_msg(
			"%s: this kernel shows no 'gu' in smaps: not checked\n",
			r->name);
		return 0;
	}
	if (gt_read_smaps(0, &vmas)) {
		test_msg("%s: can't read smaps\n", r->name);
		return 1;
	}
	for (size_t pg = 0; pg < r->pages; pg++) {
		const struct gt_vma *v;

		if (!r->guard[pg])
			continue;
		v = gt_vma_at(&vmas, r->addr + pg * gt_page);
		if (!v || !gt_vma_has(v, "gu")) {
			test_msg("%s: page %zu is a guard but its VMA has no "
				 "'gu'\n",
				 r->name, pg);
			bad++;
		}
	}
	gt_vmas_free(&vmas);
	return bad;
}

int gt_count_vmas(const void *addr, size_t len)
{
	struct gt_vmas vmas;
	uintptr_t s = (uintptr_t)addr, e = s + len;
	int n = 0;

	if (gt_read_smaps(0, &vmas))
		return -1;
	for (size_t i = 0; i < vmas.n; i++)
		if (vmas.v[i].start < e && vmas.v[i].end > s)
			n++;
	gt_vmas_free(&vmas);
	return n;
}

int gt_expect_vmas(const void *addr, size_t len, int want, const char *what,
		   bool restored)
{
	int n = gt_count_vmas(addr, len);

	if (n == want)
		return 0;
	test_msg("%d VMAs %s %s, expected %d\n", n, what,
		 restored ? "after restore" : "before the dump", want);
	return 1;
}
