// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel feature detection, done once per CRIU run on a scratch mapping of
 * criu's own process: guard pages behave the same in every process of one
 * kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "guard_env.h"
#include "guard_kernel.h"
#include "guard_features.h"
#include "guard_log.h"
#include "guard_proc.h"
#include "guard_scan.h"

/* True if a mapping can be placed at addr, i.e. the task size is above it. */
static bool can_map_at(uint64_t addr, long page)
{
	void *p =
		mmap((void *)(uintptr_t)addr, page, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED)
		return false;
	munmap(p, page);
	return p == (void *)(uintptr_t)addr;
}

/*
 * TASK_SIZE is not exported; the architectures' values are known and the
 * larger (5-level, 52-bit) layouts show by letting a mapping above the
 * smaller limit succeed.
 */
static uint64_t detect_task_size(long page)
{
	struct utsname u;

	if (uname(&u))
		return (1ULL << 47) - page;
	if (!strcmp(u.machine, "x86_64"))
		return can_map_at(1ULL << 47, page) ? (1ULL << 56) - page :
						      (1ULL << 47) - page;
	if (!strcmp(u.machine, "aarch64"))
		return can_map_at(1ULL << 48, page) ? 1ULL << 52 : 1ULL << 48;
	return (1ULL << 47) - page;
}

static bool probe_scan(int fd, char *p, long page)
{
	struct guard_ranges r;
	bool ok;

	guard_ranges_init(&r);
	ok = !guard_scan_pagemap(fd, (uintptr_t)p, (uintptr_t)p + 3 * page,
				 &r) &&
	     r.n == 1 && r.v[0].start == (uintptr_t)p + page &&
	     r.v[0].end == (uintptr_t)p + 2 * page;
	guard_ranges_free(&r);
	return ok;
}

static bool probe_bits(int fd, char *p, long page)
{
	uint64_t e;
	off_t off = (off_t)((uintptr_t)p / page + 1) * sizeof(e);

	return pread(fd, &e, sizeof(e), off) == sizeof(e) &&
	       (e & (1ULL << PM_GUARD_REGION_BIT));
}

static bool probe_smaps(char *p)
{
	struct guard_vmas vmas = { 0 };
	bool ok = false;

	if (guard_read_vmas(0, "smaps", &vmas))
		return false;
	for (size_t i = 0; i < vmas.n; i++)
		if (vmas.v[i].start <= (uintptr_t)p &&
		    (uintptr_t)p < vmas.v[i].end)
			ok = vmas.v[i].maybe_guard;
	guard_vmas_free(&vmas);
	return ok;
}

static bool probe_madvise_self(int pidfd, char *p, long page)
{
	struct iovec iov = { .iov_base = p, .iov_len = page };

	if (syscall(SYS_process_madvise, pidfd, &iov, 1, MADV_GUARD_INSTALL,
		    0) != page)
		return false;
	return syscall(SYS_process_madvise, pidfd, &iov, 1, MADV_GUARD_REMOVE,
		       0) == page;
}

/*
 * Guard advice through process_madvise() is only taken on the caller's own
 * process, which is what a call injected into a task is: one such call
 * then does IOV_MAX ranges for the price of one injection.
 */
static void probe_batch(struct guard_features *f, char *p, long page)
{
	int pidfd;

	f->pidfd_self = probe_madvise_self(PIDFD_SELF, p, page);
	if (f->pidfd_self) {
		f->batch = true;
		return;
	}
	pidfd = syscall(SYS_pidfd_open, getpid(), 0);
	if (pidfd < 0)
		return;
	f->batch = probe_madvise_self(pidfd, p, page);
	close(pidfd);
}

enum {
	MASK_MADV = 1 << 0,
	MASK_SCAN = 1 << 1,
	MASK_PAGEMAP = 1 << 2,
	MASK_SMAPS = 1 << 3,
	MASK_BATCH = 1 << 4,
	MASK_PIDFD_SELF = 1 << 5,
	MASK_NSPID = 1 << 6,
	MASK_PAGEWALK = 1 << 7,
};

/* Each name masks a feature and the ones that depend on it. */
static const struct guard_env_name disable_names[] = {
	{ "madv", MASK_MADV | MASK_SCAN | MASK_PAGEMAP | MASK_SMAPS |
			  MASK_BATCH | MASK_PIDFD_SELF | MASK_PAGEWALK },
	{ "scan", MASK_SCAN | MASK_PAGEWALK },
	{ "pagemap", MASK_PAGEMAP | MASK_PAGEWALK },
	{ "pagewalk", MASK_PAGEWALK },
	{ "smaps", MASK_SMAPS },
	{ "batch", MASK_BATCH | MASK_PIDFD_SELF },
	{ "pidfd_self", MASK_PIDFD_SELF },
	{ "nspid", MASK_NSPID },
};

static const struct guard_env_enum disable_env =
	GUARD_ENV_ENUM("CRIU_GUARD_DISABLE", disable_names, NULL);

static void mask_bits(struct guard_features *f, int m)
{
	f->madv_guard &= !(m & MASK_MADV);
	f->scan_guard &= !(m & MASK_SCAN);
	f->pagemap_bit &= !(m & MASK_PAGEMAP);
	f->smaps_flag &= !(m & MASK_SMAPS);
	f->batch &= !(m & MASK_BATCH);
	f->pidfd_self &= !(m & MASK_PIDFD_SELF);
	f->nspid &= !(m & MASK_NSPID);
	f->pagewalk &= !(m & MASK_PAGEWALK);
}

void guard_features_mask(struct guard_features *f, const char *s)
{
	char *copy, *tok, *save, names[128];
	int m;

	if (!s || !*s)
		return;
	copy = strdup(s);
	for (tok = copy ? strtok_r(copy, ",", &save) : NULL; tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!guard_env_parse(&disable_env, tok, &m)) {
			mask_bits(f, m);
			continue;
		}
		guard_env_names(&disable_env, names, sizeof(names));
		pr_warn("CRIU_GUARD_DISABLE: unknown feature '%s' (not %s)\n",
			tok, names);
	}
	free(copy);
	pr_info("CRIU_GUARD_DISABLE=%s masks kernel features\n", s);
}

int guard_probe_features(struct guard_features *f)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p;
	int fd;

	memset(f, 0, sizeof(*f));
	f->page_size = page;
	f->task_size = detect_task_size(page);
	f->nspid = true; /* the plugin needs Linux >= 6.13 anyway */
	p = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	f->madv_guard = !madvise(p + page, page, MADV_GUARD_INSTALL);
	if (f->madv_guard) {
		fd = guard_proc_open(0, "pagemap");
		if (fd >= 0) {
			f->scan_guard = probe_scan(fd, p, page);
			f->pagemap_bit = probe_bits(fd, p, page);
			close(fd);
		}
		f->smaps_flag = probe_smaps(p);
		/* Both of criu's page walks must be told what a guard is. */
		f->pagewalk = f->scan_guard && f->pagemap_bit;
		probe_batch(f, p, page);
	}
	munmap(p, 3 * page);
	return 0;
}

void guard_features_log(const struct guard_features *f)
{
	pr_info("kernel: madv_guard=%d scan_guard=%d pagemap_bit=%d smaps_gu=%d batch=%d pidfd_self=%d pagewalk=%d task_size=%#llx page=%ld\n",
		f->madv_guard, f->scan_guard, f->pagemap_bit, f->smaps_flag,
		f->batch, f->pidfd_self, f->pagewalk,
		(unsigned long long)f->task_size, f->page_size);
}

int guard_detect_features(struct guard_features *f)
{
	int ret = guard_probe_features(f);

	if (ret)
		return ret;
	guard_features_mask(f, getenv("CRIU_GUARD_DISABLE"));
	guard_features_log(f);
	return 0;
}
