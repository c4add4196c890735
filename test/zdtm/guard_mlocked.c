// SPDX-License-Identifier: GPL-2.0
/*
 * Guards beside an mlock()ed mapping.  CRIU restores the lock, and the
 * kernel refuses MADV_GUARD_INSTALL in a locked VMA (EINVAL): the guards
 * must come back in their own VMA all the same.  flows/failures.sh uses
 * the locked VMA (its address is in the outfile) to make a reinstall fail
 * for real.
 */
#include <stdio.h>
#include <sys/mman.h>

#include "guardtst.h"
#include "zdtmtst.h"

const char *test_doc = "Guards beside an mlock()ed mapping";
const char *test_author = "criu-guard";

/* VmLck of this process in KiB; ASan's mlock() is a no-op that says 0. */
static unsigned long locked_kib(void)
{
	unsigned long kb = 0;
	char line[128];
	FILE *f = fopen("/proc/self/status", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %lu", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

int main(int argc, char **argv)
{
	struct gt_region *r[2];

	test_init(argc, argv);
	r[0] = gt_anon("guarded", 16);
	r[1] = r[0] ? gt_anon("locked", 4) : NULL;
	if (!r[1] || GT_GUARDS(r[0], { 3, 2 }, { 15, 1 }))
		return 1;
	if (mlock(r[1]->addr, 4 * gt_page)) {
		fail("mlock");
		return 1;
	}
	if (locked_kib())
		test_msg("locked %p\n", (void *)r[1]->addr);
	else
		test_msg("not locked: mlock() had no effect (a sanitizer's "
			 "no-op?)\n");
	return gt_run(r, 2);
}
