// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guard_array.h"
#include "guard_kernel.h"
#include "guard_proc.h"
#include "guard_scan.h"
#include "guardtst.h"
#include "zdtmtst.h"

long gt_page;

static sigjmp_buf fault_jmp;
static volatile sig_atomic_t in_probe;

static void on_segv(int sig)
{
	if (in_probe)
		siglongjmp(fault_jmp, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void init_page(void)
{
	struct sigaction sa = { .sa_handler = on_segv };

	if (gt_page)
		return;
	gt_page = sysconf(_SC_PAGESIZE);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
}

bool gt_faults(volatile char *p, bool write)
{
	bool faulted = false;

	init_page();
	in_probe = 1;
	if (sigsetjmp(fault_jmp, 1)) {
		faulted = true;
	} else if (write) {
		*p = *p;
	} else {
		(void)*p;
	}
	in_probe = 0;
	return faulted;
}

struct gt_region *gt_wrap(const char *name, void *addr, size_t pages)
{
	struct gt_region *r = calloc(1, sizeof(*r));

	init_page();
	if (!r)
		return NULL;
	r->name = name;
	r->addr = addr;
	r->pages = pages;
	r->guard = calloc(pages, 1);
	for (const char *c = name; *c; c++)
		r->seed = r->seed * 31 + (unsigned char)*c;
	if (!r->guard) {
		free(r);
		return NULL;
	}
	return r;
}

struct gt_region *gt_map_anon(const char *name, size_t pages)
{
	char *p;

	init_page();
	p = mmap(NULL, (pages + 2) * gt_page, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (mprotect(p + gt_page, pages * gt_page, PROT_READ | PROT_WRITE))
		return NULL;
	return gt_wrap(name, p + gt_page, pages);
}

static unsigned char pattern(const struct gt_region *r, size_t page, size_t i)
{
	return (unsigned char)(r->seed + page * 131 + i * 7 + (i >> 8));
}

static void fill_page(struct gt_region *r, size_t pg)
{
	char *p = r->addr + pg * gt_page;

	for (long i = 0; i < gt_page; i++)
		p[i] = (char)pattern(r, pg, i);
}

void gt_fill(struct gt_region *r)
{
	for (size_t pg = 0; pg < r->pages; pg++)
		if (!r->guard[pg])
			fill_page(r, pg);
}

static int advise(struct gt_region *r, size_t first, size_t n, int advice,
		  const char *what)
{
	/* A test that strays out of its region would guard a neighbour. */
	if (first + n > r->pages || !n) {
		test_msg("%s: pages [%zu, %zu) outside the region's %zu\n",
			 r->name, first, first + n, r->pages);
		return -1;
	}
	if (madvise(r->addr + first * gt_page, n * gt_page, advice)) {
		test_msg("%s: %s: %s\n", r->name, what, strerror(errno));
		return -1;
	}
	memset(r->guard + first, advice == MADV_GUARD_INSTALL, n);
	return 0;
}

int gt_guard(struct gt_region *r, size_t first, size_t n)
{
	return advise(r, first, n, MADV_GUARD_INSTALL, "MADV_GUARD_INSTALL");
}

int gt_guard_spans(struct gt_region *r, const struct gt_span *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (gt_guard(r, s[i].first, s[i].n)) {
			fail("MADV_GUARD_INSTALL");
			return -1;
		}
	}
	return 0;
}

struct gt_region *gt_anon(const char *name, size_t pages)
{
	struct gt_region *r = gt_map_anon(name, pages);

	if (!r) {
		fail("mmap");
		return NULL;
	}
	gt_fill(r);
	return r;
}

int gt_unguard(struct gt_region *r, size_t first, size_t n)
{
	if (advise(r, first, n, MADV_GUARD_REMOVE, "MADV_GUARD_REMOVE"))
		return -1;
	for (size_t pg = first; pg < first + n; pg++)
		fill_page(r, pg);
	return 0;
}

bool gt_pagemap_guard(const void *p)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return false;
	if (pread(fd, &e, sizeof(e), (uintptr_t)p / gt_page * sizeof(e)) !=
	    sizeof(e))
		e = 0;
	close(fd);
	return e & (1ULL << PM_GUARD_REGION_BIT);
}

static int check_page(struct gt_region *r, size_t pg)
{
	char *p = r->addr + pg * gt_page;

	if (r->guard[pg]) {
		if (!gt_faults(p, false) || !gt_faults(p + gt_page - 1, true)) {
			test_msg(
				"%s: page %zu should be a guard but is accessible\n",
				r->name, pg);
			return 1;
		}
		if (!gt_pagemap_guard(p)) {
			test_msg(
				"%s: page %zu faults but pagemap has no guard bit\n",
				r->name, pg);
			return 1;
		}
		return 0;
	}
	if (gt_faults(p, false) || gt_pagemap_guard(p)) {
		test_msg("%s: page %zu should be plain memory but is a guard\n",
			 r->name, pg);
		return 1;
	}
	for (long i = 0; i < gt_page; i++) {
		if ((unsigned char)p[i] != pattern(r, pg, i)) {
			test_msg("%s: page %zu byte %ld is %#x, expected %#x\n",
				 r->name, pg, i, (unsigned char)p[i],
				 pattern(r, pg, i));
			return 1;
		}
	}
	return 0;
}

int gt_check(struct gt_region *r)
{
	int bad = 0;

	for (size_t pg = 0; pg < r->pages; pg++)
		bad += check_page(r, pg);
	return bad;
}

bool gt_vma_maybe_guard(const void *p)
{
	struct guard_vmas vmas = { 0 };
	bool gu = false;

	if (guard_read_vmas(0, "smaps", &vmas))
		return false;
	for (size_t i = 0; i < vmas.n; i++)
		if (vmas.v[i].start <= (uintptr_t)p &&
		    (uintptr_t)p < vmas.v[i].end)
			gu = vmas.v[i].maybe_guard;
	guard_vmas_free(&vmas);
	return gu;
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

/* One VMA of smaps: its range and whether VmFlags has "gu". */
struct gt_vma_gu {
	unsigned long long start, end;
	bool gu;
};

/*
 * Reads /proc/PID/smaps (its own little parser, not the plugin's): every
 * VMA and its "gu" flag.  *any_gu tells whether the kernel shows the flag
 * at all.
 */
static int read_smaps_gu(pid_t pid, struct gt_vma_gu **out, size_t *n,
			 bool *any_gu)
{
	char path[64], line[1024];
	size_t cap = 0;
	FILE *f;

	*out = NULL;
	*n = 0;
	*any_gu = false;
	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long s, e;
		char c;

		/* Field lines ("Size:", "AnonHugePages:") never parse so. */
		if (sscanf(line, "%llx-%llx %c", &s, &e, &c) == 3) {
			if (GUARD_ARRAY_GROW(*out, *n, cap, 256))
				break;
			(*out)[(*n)++] = (struct gt_vma_gu){ s, e, false };
		} else if (*n && !strncmp(line, "VmFlags:", 8) &&
			   strstr(line, " gu")) {
			(*out)[*n - 1].gu = true;
			*any_gu = true;
		}
	}
	fclose(f);
	return 0;
}

/*
 * Does this kernel show "gu" in smaps?  Asked of a scratch guard page of
 * our own, because a task's VMAs may lack the flag for either reason.
 */
bool gt_kernel_shows_gu(void)
{
	struct gt_vma_gu *v;
	bool any = false;
	size_t n;
	char *p;

	p = mmap(NULL, 3 * gt_page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return false;
	if (!madvise(p + gt_page, gt_page, MADV_GUARD_INSTALL) &&
	    !read_smaps_gu(gt_proc_pid(), &v, &n, &any)) {
		any = false;
		for (size_t i = 0; i < n; i++)
			if (v[i].start <= (uintptr_t)p &&
			    (uintptr_t)p < v[i].end)
				any = v[i].gu;
		free(v);
	}
	munmap(p, 3 * gt_page);
	return any;
}

/*
 * The tests' oracle: pagemap bit 58 of every page, read here.  It shares
 * no code with the plugin's finder (PAGEMAP_SCAN, scan.c) that it checks.
 * Only VMAs with "gu" can hold guards where the kernel shows the flag
 * (facts: absent flag, certainly no guards; it is sticky and never lost):
 * reading all pages of all VMAs would take minutes under ASan, whose
 * shadow reserves terabytes.
 */
int gt_pagemap_snapshot(pid_t pid, struct guard_ranges *out)
{
	struct gt_vma_gu *v = NULL;
	size_t n = 0;
	bool seen_gu, use_gu;
	char path[64];
	int fd, ret;

	init_page();
	use_gu = gt_kernel_shows_gu();
	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ret = fd < 0 ? -1 : read_smaps_gu(pid, &v, &n, &seen_gu);
	for (size_t i = 0; !ret && i < n; i++) {
		/* [vsyscall] lies above the task size: nothing in pagemap. */
		if ((use_gu && !v[i].gu) || v[i].start >= (1ULL << 63))
			continue;
		ret = pagemap_vma(fd, v[i].start, v[i].end, out);
	}
	if (ret)
		test_msg("can't read guard pages of %d from pagemap\n",
			 (int)pid);
	free(v);
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

static int check_all(struct gt_region **regions, size_t n, const char *when)
{
	/* Debian's 6.16-6.18 have guards but never show "gu" in smaps. */
	bool want_gu = gt_kernel_shows_gu();
	int bad = 0;

	for (size_t i = 0; i < n; i++) {
		bad += gt_check(regions[i]);
		for (size_t pg = 0; want_gu && pg < regions[i]->pages; pg++) {
			if (!regions[i]->guard[pg])
				continue;
			if (!gt_vma_maybe_guard(regions[i]->addr +
						pg * gt_page)) {
				test_msg("%s: no 'gu' in smaps for page %zu\n",
					 regions[i]->name, pg);
				bad++;
			}
			break;
		}
	}
	if (bad)
		fail("%d pages wrong %s", bad, when);
	return bad;
}

int gt_run(struct gt_region **regions, size_t n)
{
	struct guard_ranges before, after;
	int bad;

	guard_ranges_init(&before);
	guard_ranges_init(&after);
	if (check_all(regions, n, "before the dump"))
		return 1;
	if (gt_snapshot(&before)) {
		fail("can't scan own guard ranges");
		return 1;
	}
	gt_print("before", &before);
	test_daemon();
	test_waitsig();
	if (gt_snapshot(&after)) {
		fail("can't scan own guard ranges after restore");
		return 1;
	}
	gt_print("after", &after);
	bad = check_all(regions, n, "after restore");
	if (bad)
		return 1;
	if (!guard_ranges_equal(&before, &after)) {
		fail("guard ranges differ: %zu before, %zu after", before.n,
		     after.n);
		return 1;
	}
	pass();
	guard_ranges_free(&before);
	guard_ranges_free(&after);
	return 0;
}

/*
 * Helpers for the mapping-shape and task-shape tests (test/zdtm/guard_*.c).
 */

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

int gt_snapshot_self(struct guard_ranges *out)
{
	return gt_pagemap_snapshot(gt_proc_pid(), out);
}

int gt_read_vmas(struct guard_vmas *vmas)
{
	return guard_read_vmas(gt_proc_pid(), "smaps", vmas);
}

static const struct guard_vma *vma_of(const struct guard_vmas *vmas,
				      const void *p)
{
	for (size_t i = 0; i < vmas->n; i++)
		if (vmas->v[i].start <= (uintptr_t)p &&
		    (uintptr_t)p < vmas->v[i].end)
			return &vmas->v[i];
	return NULL;
}

int gt_check_gu(struct gt_region *r)
{
	struct guard_vmas vmas = { 0 };
	int bad = 0;

	if (!gt_kernel_shows_gu()) {
		test_msg(
			"%s: this kernel shows no 'gu' in smaps: not checked\n",
			r->name);
		return 0;
	}
	if (gt_read_vmas(&vmas)) {
		test_msg("%s: can't read smaps\n", r->name);
		return 1;
	}
	for (size_t pg = 0; pg < r->pages; pg++) {
		const struct guard_vma *v;

		if (!r->guard[pg])
			continue;
		v = vma_of(&vmas, r->addr + pg * gt_page);
		if (!v || !v->maybe_guard) {
			test_msg("%s: page %zu is a guard but its VMA has no "
				 "'gu'\n",
				 r->name, pg);
			bad++;
		}
	}
	guard_vmas_free(&vmas);
	return bad;
}

int gt_count_vmas(const void *addr, size_t len)
{
	struct guard_vmas vmas = { 0 };
	uintptr_t s = (uintptr_t)addr, e = s + len;
	int n = 0;

	if (gt_read_vmas(&vmas))
		return -1;
	for (size_t i = 0; i < vmas.n; i++)
		if (vmas.v[i].start < e && vmas.v[i].end > s)
			n++;
	guard_vmas_free(&vmas);
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

struct gt_region *gt_file(const char *name, size_t pages, int flags, char *path,
			  size_t len)
{
	struct gt_region *r;

	snprintf(path, len, "/tmp/zdtm-%s.%d", name, getpid());
	r = gt_map_file(name, path, pages, flags);
	if (!r)
		fail("can't map %s", path);
	return r;
}

void *gt_reserve(size_t pages)
{
	char *p;

	init_page();
	p = mmap(NULL, (pages + 2) * gt_page, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p + gt_page;
}

int gt_write_file(const char *path, struct gt_region *like, size_t pages)
{
	char *buf = malloc(gt_page);
	int fd, ret = 0;

	if (!buf)
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		free(buf);
		return -1;
	}
	for (size_t pg = 0; pg < pages && !ret; pg++) {
		for (long i = 0; i < gt_page; i++)
			buf[i] = (char)pattern(like, pg, i);
		if (pwrite(fd, buf, gt_page, pg * gt_page) != gt_page)
			ret = -1;
	}
	free(buf);
	close(fd);
	return ret;
}

struct gt_region *gt_map_file(const char *name, const char *path, size_t pages,
			      int flags)
{
	struct gt_region *r;
	char *at = gt_reserve(pages), *p;
	int fd;

	if (!at)
		return NULL;
	/* The region object only lends its name-derived seed to the file. */
	r = gt_wrap(name, at, pages);
	if (!r || gt_write_file(path, r, pages))
		return NULL;
	fd = open(path, O_RDWR);
	if (fd < 0)
		return NULL;
	p = mmap(at, pages * gt_page, PROT_READ | PROT_WRITE, flags | MAP_FIXED,
		 fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : r;
}

int gt_file_cow(struct gt_region *r, const char *path, size_t pg)
{
	char *junk = malloc(gt_page);
	int fd, ret = -1;

	if (!junk)
		return -1;
	/* Our copy gets the expected bytes, the file other ones. */
	fill_page(r, pg);
	memset(junk, 0xee, gt_page);
	fd = open(path, O_WRONLY);
	if (fd >= 0 && pwrite(fd, junk, gt_page, pg * gt_page) == gt_page)
		ret = 0;
	if (fd >= 0)
		close(fd);
	free(junk);
	return ret;
}

int gt_verify_all(struct gt_region **regions, size_t n)
{
	int bad = 0;

	for (size_t i = 0; i < n; i++) {
		bad += gt_check(regions[i]);
		bad += gt_check_gu(regions[i]);
	}
	return bad;
}

int gt_run_with(struct gt_region **regions, size_t n,
		int (*extra)(void *arg, bool restored), void *arg)
{
	struct guard_ranges before, after;
	int bad;

	guard_ranges_init(&before);
	guard_ranges_init(&after);
	bad = gt_verify_all(regions, n);
	if (extra)
		bad += extra(arg, false);
	if (bad) {
		fail("%d problems before the dump", bad);
		return 1;
	}
	if (gt_snapshot_self(&before)) {
		fail("can't scan own guard ranges");
		return 1;
	}
	test_msg("before: %zu guard ranges\n", before.n);
	test_daemon();
	test_waitsig();
	if (gt_snapshot_self(&after)) {
		fail("can't scan own guard ranges after restore");
		return 1;
	}
	test_msg("after: %zu guard ranges\n", after.n);
	bad = gt_verify_all(regions, n);
	if (extra)
		bad += extra(arg, true);
	if (!guard_ranges_equal(&before, &after)) {
		gt_print("before", &before);
		gt_print("after", &after);
		test_msg("guard ranges differ: %zu before, %zu after\n",
			 before.n, after.n);
		bad++;
	}
	guard_ranges_free(&before);
	guard_ranges_free(&after);
	if (bad) {
		fail("%d problems after restore", bad);
		return 1;
	}
	pass();
	return 0;
}

/*
 * Process trees.  Each task checks its own memory; a task reports to its
 * parent, over a pipe, one int when its subtree is ready and one after
 * restore: the number of problems found in its subtree.
 */
void gt_tree_init(struct gt_tree *t, const char *name)
{
	memset(t, 0, sizeof(*t));
	t->up = -1;
	snprintf(t->name, sizeof(t->name), "%s", name);
	guard_ranges_init(&t->before);
}

static int tree_push(struct gt_tree *t, pid_t pid, int fd)
{
	if (GUARD_ARRAY_GROW(t->kids, t->nkids, t->cap, 8))
		return -1;
	t->kids[t->nkids].pid = pid;
	t->kids[t->nkids].fd = fd;
	t->nkids++;
	return 0;
}

pid_t gt_tree_fork(struct gt_tree *t, const char *name)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid > 0) {
		close(p[1]);
		if (tree_push(t, pid, p[0])) {
			kill(pid, SIGKILL);
			return -1;
		}
		return pid;
	}
	/* The child leaves its siblings' pipes and its parent's state. */
	close(p[0]);
	for (size_t i = 0; i < t->nkids; i++)
		close(t->kids[i].fd);
	if (t->up >= 0)
		close(t->up);
	free(t->kids);
	guard_ranges_free(&t->before);
	gt_tree_init(t, name);
	t->up = p[1];
	return 0;
}

static int report(struct gt_tree *t, int bad)
{
	if (t->up < 0)
		return 0;
	return write(t->up, &bad, sizeof(bad)) == sizeof(bad) ? 0 : -1;
}

/* Sums one int from every child; a child that can't say counts as bad. */
static int gather(struct gt_tree *t, const char *phase)
{
	int total = 0;

	for (size_t i = 0; i < t->nkids; i++) {
		int bad;

		if (read(t->kids[i].fd, &bad, sizeof(bad)) != sizeof(bad)) {
			test_msg("%s: child %d sent no report %s\n", t->name,
				 (int)t->kids[i].pid, phase);
			bad = 1;
		}
		total += bad;
	}
	return total;
}

int gt_tree_ready(struct gt_tree *t, struct gt_region **regions, size_t n)
{
	int bad;

	t->regions = regions;
	t->nregions = n;
	bad = gt_verify_all(regions, n);
	if (gt_snapshot_self(&t->before)) {
		test_msg("%s: can't scan own guard ranges\n", t->name);
		bad++;
	}
	if (bad)
		test_msg("%s: %d problems before the dump\n", t->name, bad);
	bad += gather(t, "before the dump");
	if (report(t, bad))
		bad++;
	return bad;
}

static int verify_self(struct gt_tree *t)
{
	struct guard_ranges after;
	int bad;

	guard_ranges_init(&after);
	bad = gt_verify_all(t->regions, t->nregions);
	if (gt_snapshot_self(&after)) {
		test_msg("%s: can't scan own guard ranges after restore\n",
			 t->name);
		bad++;
	} else if (!guard_ranges_equal(&t->before, &after)) {
		gt_print(t->name, &t->before);
		gt_print("  after restore", &after);
		test_msg("%s: guard ranges differ: %zu before, %zu after\n",
			 t->name, t->before.n, after.n);
		bad++;
	}
	guard_ranges_free(&after);
	return bad;
}

int gt_tree_finish(struct gt_tree *t, int (*extra)(void *arg), void *arg)
{
	int bad, status;

	test_waitsig();
	for (size_t i = 0; i < t->nkids; i++)
		kill(t->kids[i].pid, SIGTERM);
	bad = verify_self(t);
	if (extra)
		bad += extra(arg);
	if (bad)
		test_msg("%s (pid %d): %d problems after restore\n", t->name,
			 (int)getpid(), bad);
	bad += gather(t, "after restore");
	for (size_t i = 0; i < t->nkids; i++) {
		if (waitpid(t->kids[i].pid, &status, 0) != t->kids[i].pid ||
		    !WIFEXITED(status) || WEXITSTATUS(status)) {
			test_msg("%s: child %d did not exit cleanly\n", t->name,
				 (int)t->kids[i].pid);
			bad++;
		}
	}
	if (t->up >= 0) {
		report(t, bad);
		_exit(0);
	}
	if (bad)
		fail("%d problems in the tree after restore", bad);
	else
		pass();
	return bad ? 1 : 0;
}

void gt_tree_abort(struct gt_tree *t)
{
	for (size_t i = 0; i < t->nkids; i++)
		kill(t->kids[i].pid, SIGKILL);
}

pid_t gt_zombie(int code)
{
	siginfo_t si;
	pid_t pid = fork();

	if (pid == 0)
		_exit(code);
	if (pid < 0)
		return -1;
	/* Wait for the exit without reaping it. */
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, pid, &si, WEXITED | WNOWAIT))
		return -1;
	return pid;
}

int gt_zombie_check(pid_t pid, int code)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT)) {
		test_msg("zombie %d: waitid: %s\n", (int)pid, strerror(errno));
		return 1;
	}
	if (si.si_pid != pid || si.si_code != CLD_EXITED ||
	    si.si_status != code) {
		test_msg("zombie %d: pid %d code %d status %d, expected an "
			 "exit with %d\n",
			 (int)pid, (int)si.si_pid, si.si_code, si.si_status,
			 code);
		return 1;
	}
	return 0;
}

/*
 * One program per shape, a table of backings (as the kernel's guard-regions
 * selftest has its variants): the same guard layout checks on private
 * anonymous memory, shmem, and private and shared file mappings.
 */
#define GT_BACKING_REGIONS 2
#define GT_BACKING_SPANS 3

enum gt_map { GT_MAP_ANON, GT_MAP_SHMEM, GT_MAP_FILE };

struct gt_backing_region {
	const char *name;
	size_t pages;
	size_t nspans;
	struct gt_span spans[GT_BACKING_SPANS];
};

struct gt_backing {
	const char *name;
	enum gt_map map;
	int flags;	/* MAP_PRIVATE or MAP_SHARED, for GT_MAP_FILE */
	bool fill;	/* write the pattern after mapping */
	bool demand_gu; /* gt_run_with(): "gu" on every guard page's VMA */
	size_t nregions;
	struct gt_backing_region regions[GT_BACKING_REGIONS];
};

/* A region of pages with guards at the given spans. */
#define GT_BR(n, p, ...)                                                       \
	{                                                                      \
		.name = (n), .pages = (p),                                     \
		.nspans = sizeof((struct gt_span[]){ __VA_ARGS__ }) /          \
			  sizeof(struct gt_span),                              \
		.spans = {                                                     \
			__VA_ARGS__                                            \
		}                                                              \
	}

static const struct gt_backing gt_backings[] = {
	{
		/* gt_anon() fills the pages itself. */
		.name = "anon",
		.map = GT_MAP_ANON,
		.nregions = 2,
		.regions = { GT_BR("anon", 32, { 0, 1 }, { 10, 3 }, { 31, 1 }),
			     GT_BR("anon-small", 8, { 4, 1 }) },
	},
	{
		.name = "shmem",
		.map = GT_MAP_SHMEM,
		.fill = true,
		.demand_gu = true,
		.nregions = 1,
		.regions = { GT_BR("shmem", 24, { 0, 1 }, { 7, 4 },
				   { 23, 1 }) },
	},
	{
		/* No page ever written: CRIU dumps no page of the mapping. */
		.name = "file_private",
		.map = GT_MAP_FILE,
		.flags = MAP_PRIVATE,
		.demand_gu = true,
		.nregions = 1,
		.regions = { GT_BR("file-private", 24, { 0, 1 }, { 8, 2 },
				   { 23, 1 }) },
	},
	{
		/* Written through the mapping: the file gets the same bytes. */
		.name = "file_shared",
		.map = GT_MAP_FILE,
		.flags = MAP_SHARED,
		.fill = true,
		.demand_gu = true,
		.nregions = 1,
		.regions = { GT_BR("file-shared", 20, { 0, 2 }, { 10, 1 },
				   { 19, 1 }) },
	},
};

static struct gt_region *gt_backing_map(const struct gt_backing *b,
					const struct gt_backing_region *br,
					char *path, size_t len)
{
	struct gt_region *r;
	char *at, *p;

	switch (b->map) {
	case GT_MAP_ANON:
		return gt_anon(br->name, br->pages);
	case GT_MAP_SHMEM:
		at = gt_reserve(br->pages);
		if (!at) {
			fail("mmap");
			return NULL;
		}
		p = mmap(at, br->pages * gt_page, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		r = p == MAP_FAILED ? NULL : gt_wrap(br->name, p, br->pages);
		if (!r)
			fail("mmap shared anonymous");
		return r;
	case GT_MAP_FILE:
		return gt_file(br->name, br->pages, b->flags, path, len);
	}
	return NULL;
}

int gt_backing_run(const char *name)
{
	char paths[GT_BACKING_REGIONS][64] = { "" };
	struct gt_region *r[GT_BACKING_REGIONS];
	const struct gt_backing *b = NULL;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(gt_backings) / sizeof(gt_backings[0]); i++)
		if (!strcmp(gt_backings[i].name, name))
			b = &gt_backings[i];
	if (!b) {
		fail("no backing %s (anon, shmem, file_private, file_shared)",
		     name);
		return 1;
	}
	for (i = 0; i < b->nregions; i++) {
		r[i] = gt_backing_map(b, &b->regions[i], paths[i],
				      sizeof(paths[i]));
		if (!r[i])
			return 1;
		if (b->fill)
			gt_fill(r[i]);
	}
	for (i = 0; i < b->nregions; i++)
		if (gt_guard_spans(r[i], b->regions[i].spans,
				   b->regions[i].nspans))
			return 1;
	if (b->demand_gu)
		ret = gt_run_with(r, b->nregions, NULL, NULL);
	else
		ret = gt_run(r, b->nregions);
	for (i = 0; i < b->nregions; i++)
		if (paths[i][0])
			unlink(paths[i]);
	return ret;
}
