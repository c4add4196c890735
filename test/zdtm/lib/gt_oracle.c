// SPDX-License-Identifier: GPL-2.0
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "guard_kernel.h"
#include "gt_oracle.h"
#include "gt_smaps.h"
#include "zdtmtst.h"

pid_t gt_proc_pid(void)
{
	char buf[32];
	ssize_t n = readlink("/proc/self", buf, sizeof(buf) - 1);

	/* In a child pid namespace getpid() names another task in /proc. */
	if (n <= 0)
		return getpid();
	buf[n] = '\0';
	return (pid_t)atoi(buf);
}

/* Appends the guard pages of [start, end) as read from pagemap (fd). */
static int pagemap_vma(int fd, uint64_t start, uint64_t end,
		       struct guard_ranges *out)
{
	uint64_t e[512];

	for (uint64_t a = start; a < end;) {
		size_t n = (end - a) / gt_page;

		if (n > 512)
			n = 512;
		if (pread(fd, e, n * sizeof(*e), a / gt_page * sizeof(*e)) !=
		    (ssize_t)(n * sizeof(*e)))
			return -1;
		for (size_t i = 0; i < n; i++, a += gt_page)
			if ((e[i] & (1ULL << PM_GUARD_REGION_BIT)) &&
			    guard_ranges_add(out, a, a + gt_page))
				return -1;
	}
	return 0;
}

/*
 * Only VMAs with "gu" can hold guards where the kernel shows the flag
 * (facts: absent flag, certainly no guards; it is sticky and never lost):
 * reading all pages of all VMAs would take minutes under ASan, whose
 * shadow reserves terabytes.
 */
int gt_pagemap_snapshot(pid_t pid, struct guard_ranges *out)
{
	struct gt_vmas v = { 0 };
	bool use_gu;
	char path[64];
	int fd, ret;

	gt_init_page();
	use_gu = gt_kernel_shows_gu();
	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ret = fd < 0 ? -1 : gt_read_smaps(pid, &v);
	for (size_t i = 0; !ret && i < v.n; i++) {
		const struct gt_vma *m = &v.v[i];

		/* [vsyscall] lies above the task size: nothing in pagemap. */
		if ((use_gu && !gt_vma_has(m, "gu")) ||
		    m->start >= (1ULL << 63))
			continue;
		ret = pagemap_vma(fd, m->start, m->end, out);
	}
	if (ret)
		test_msg("can't read guard pages of %d from pagemap\n",
			 (int)pid);
	gt_vmas_free(&v);
	if (fd >= 0)
		close(fd);
	return ret;
}

int gt_snapshot(struct guard_ranges *out)
{
	return gt_pagemap_snapshot(gt_proc_pid(), out);
}

void gt_print(const char *label, const struct guard_ranges *r)
{
	test_msg("%s: %zu guard ranges\n", label, r->n);
	for (size_t i = 0; i < r->n; i++)
		test_msg("  %#llx-%#llx (%llu pages)\n",
			 (unsigned long long)r->v[i].start,
			 (unsigned long long)r->v[i].end,
			 (unsigned long long)(r->v[i].end - r->v[i].start) /
				 gt_page);
}
