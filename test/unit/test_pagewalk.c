// SPDX-License-Identifier: GPL-2.0
/*
 * plugin/pagewalk.c in this test's own executable: its GOT slots for
 * ioctl and pread64 are hooked as criu's are, and the scans and reads
 * below go through them as criu's pmc_fill() does.  meson builds the
 * program twice: lazy binding, and BIND_NOW with full RELRO (the GOT is
 * read-only after start, as in hardened distribution builds of criu).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "guard_kernel.h"
#include "guard_pagewalk.h"
#include "unit.h"

#define PM_PRESENT (1ULL << 63)
#define PM_SWAP (1ULL << 62)

static long page;

/* A 4-page region, written, with a guard on page 1. */
static char *guarded_region(void)
{
	char *p = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memset(p, 1, 4 * page);
	if (madvise(p + page, page, MADV_GUARD_INSTALL)) {
		munmap(p, 4 * page);
		unit_skip("no MADV_GUARD_INSTALL on this kernel");
	}
	return p;
}

/* Pages criu's walk would dump: PAGEMAP_SCAN as pmc_fill() asks it. */
static long scanned_pages(int fd, char *p)
{
	struct page_region v[8];
	struct pm_scan_arg a = {
		.size = sizeof(a),
		.start = (uintptr_t)p,
		.end = (uintptr_t)p + 4 * page,
		.vec = (uintptr_t)v,
		.vec_len = 8,
		.category_inverted = PAGE_IS_PFNZERO | PAGE_IS_FILE,
		.category_mask = PAGE_IS_PFNZERO | PAGE_IS_FILE,
		.category_anyof_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
		.return_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
	};
	long n = 0, r = ioctl(fd, PAGEMAP_SCAN, &a);

	if (r < 0)
		return -errno;
	for (long i = 0; i < r; i++)
		n += (v[i].end - v[i].start) / page;
	/* The caller's arguments come back as they were. */
	EXPECT_EQ(a.category_mask, (__u64)(PAGE_IS_PFNZERO | PAGE_IS_FILE));
	return n;
}

static uint64_t entry(int fd, char *p, int pg)
{
	uint64_t e = 0;

	EXPECT_EQ(pread(fd, &e, sizeof(e),
			((uintptr_t)p / page + pg) * sizeof(e)),
		  (ssize_t)sizeof(e));
	return e;
}

static void test_hooks_and_unhooks(void)
{
	struct guard_pagewalk pw;
	const char *why = NULL;
	char *p = guarded_region();
	int fd = open("/proc/self/pagemap", O_RDONLY);

	ASSERT(p && fd >= 0);
	ASSERT_EQ(scanned_pages(fd, p), 4L);
	ASSERT(entry(fd, p, 1) & PM_SWAP);
	ASSERT_EQ(guard_pagewalk_install(&pw, &why), 0);
	EXPECT(guard_pagewalk_in_place(&pw));
	for (size_t i = 0; i < pw.n_slots; i++)
		printf("# slot %s%s\n", pw.slots[i].fn ? "pread" : "ioctl",
		       pw.slots[i].relro ? " (RELRO: made writable to patch)" :
					   "");
	/* The guard page is left out of the scan and reads as a hole. */
	EXPECT_EQ(scanned_pages(fd, p), 3L);
	EXPECT(!(entry(fd, p, 1) & (PM_SWAP | PM_PRESENT)));
	EXPECT(entry(fd, p, 1) & (1ULL << PM_GUARD_REGION_BIT));
	EXPECT(entry(fd, p, 2) & PM_PRESENT);
	EXPECT(pw.scans >= 1 && pw.reads >= 3 && pw.cleared >= 1);
	guard_pagewalk_remove(&pw);
	EXPECT(!guard_pagewalk_in_place(&pw));
	EXPECT_EQ(scanned_pages(fd, p), 4L);
	EXPECT(entry(fd, p, 1) & PM_SWAP);
	close(fd);
}

/* A file that is not a pagemap is read as it is. */
static void test_other_files_untouched(void)
{
	struct guard_pagewalk pw;
	const char *why = NULL;
	uint64_t v = ~0ULL, got = 0;
	char name[] = "/tmp/pagewalk-XXXXXX";
	int fd = mkstemp(name);

	ASSERT(fd >= 0);
	unlink(name);
	ASSERT_EQ(pwrite(fd, &v, sizeof(v), 0), (ssize_t)sizeof(v));
	ASSERT_EQ(guard_pagewalk_install(&pw, &why), 0);
	EXPECT_EQ(pread(fd, &got, sizeof(got), 0), (ssize_t)sizeof(got));
	EXPECT_EQ(got, ~0ULL);
	EXPECT_EQ(pw.reads, (uint64_t)0);
	guard_pagewalk_remove(&pw);
	close(fd);
}

/* Makes the page of a slot writable (or read-only again, if RELRO). */
static void slot_prot(struct guard_pagewalk_slot *s, int prot)
{
	if (s->relro)
		ASSERT_EQ(mprotect((void *)((uintptr_t)s->slot & ~(page - 1)),
				   page, prot),
			  0);
}

/* Another plugin took the slot after us: it keeps it at removal. */
static void test_slot_taken_over(void)
{
	struct guard_pagewalk pw;
	const char *why = NULL;
	void *other = (void *)test_slot_taken_over;
	struct guard_pagewalk_slot *s;

	ASSERT_EQ(guard_pagewalk_install(&pw, &why), 0);
	ASSERT(pw.n_slots >= 2);
	s = &pw.slots[0];
	slot_prot(s, PROT_READ | PROT_WRITE);
	*s->slot = other;
	slot_prot(s, PROT_READ);
	EXPECT(!guard_pagewalk_in_place(&pw));
	guard_pagewalk_remove(&pw);
	EXPECT(*s->slot == other);
	/* The other slots are criu's again. */
	for (size_t i = 1; i < pw.n_slots; i++)
		EXPECT(*pw.slots[i].slot == pw.slots[i].orig);
	slot_prot(s, PROT_READ | PROT_WRITE);
	*s->slot = s->orig;
	slot_prot(s, PROT_READ);
}

/* A second install (a pre-dump's hook left, then a dump) chains past it. */
static void test_reinstall(void)
{
	struct guard_pagewalk a, b;
	const char *why = NULL;
	char *p = guarded_region();
	int fd = open("/proc/self/pagemap", O_RDONLY);

	ASSERT(p && fd >= 0);
	ASSERT_EQ(guard_pagewalk_install(&a, &why), 0);
	ASSERT_EQ(guard_pagewalk_install(&b, &why), 0);
	EXPECT_EQ(scanned_pages(fd, p), 3L);
	guard_pagewalk_remove(&b);
	EXPECT_EQ(scanned_pages(fd, p), 4L);
	close(fd);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{ "hooks_and_unhooks", test_hooks_and_unhooks },
		{ "other_files_untouched", test_other_files_untouched },
		{ "slot_taken_over", test_slot_taken_over },
		{ "reinstall", test_reinstall },
	};

	page = sysconf(_SC_PAGESIZE);
	return unit_run("pagewalk", tests, UNIT_ARRAY_SIZE(tests));
}
