// SPDX-License-Identifier: GPL-2.0
/*
 * How to find a task's guard ranges fastest: guard_find() in each mode, and
 * a maps-bounded hybrid, on a child with large RSS and many VMAs.  Every
 * way must find the same ranges; a way that doesn't is reported WRONG.
 *
 *   scan_bench [--rss=MIB] [--vmas=N] [--guards=N] [--reps=N]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guard_kernel.h"
#include "guard_log.h"
#include "guard_proc.h"
#include "guard_scan.h"

struct cfg {
	size_t rss_mib, vmas, guards, reps;
};

static void child_main(const struct cfg *c, int wfd, long pg)
{
	size_t pages = c->rss_mib * (1024 * 1024 / pg);
	size_t chunk = pages / c->vmas;
	char *p, ok = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	p = mmap(NULL, pages * pg, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		goto out;
	for (size_t i = 0; i < pages; i++)
		memset(p + i * pg, (int)(i % 251) + 1, pg);
	for (size_t v = 1; v < c->vmas; v += 2)
		if (mprotect(p + v * chunk * pg, chunk * pg, PROT_READ))
			goto out;
	/* Guards spread over the writable VMAs, one page each. */
	for (size_t g = 0; g < c->guards; g++) {
		size_t v = (g * 2) % c->vmas, slot = g / ((c->vmas + 1) / 2);
		size_t page = v * chunk + 1 + 2 * slot;

		if (2 * slot + 1 >= chunk)
			goto out;
		if (madvise(p + page * pg, pg, MADV_GUARD_INSTALL))
			goto out;
	}
	ok = 1;
out:
	if (write(wfd, &ok, 1) != 1)
		_exit(2);
	for (;;)
		pause();
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* /proc/PID/maps bounds the scan: one PAGEMAP_SCAN per VMA. */
static int find_hybrid(pid_t pid, struct guard_ranges *out)
{
	struct guard_vmas vmas = { 0 };
	char path[64];
	int fd, ret;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	guard_ranges_reset(out);
	ret = guard_read_vmas(pid, "maps", &vmas);
	for (size_t i = 0; !ret && i < vmas.n; i++)
		if (!vmas.v[i].special)
			ret = guard_scan_pagemap(fd, vmas.v[i].start,
						 vmas.v[i].end, out);
	guard_vmas_free(&vmas);
	close(fd);
	return ret;
}

static int read_only(pid_t pid, const char *file)
{
	struct guard_vmas vmas = { 0 };
	int ret = guard_read_vmas(pid, file, &vmas);

	guard_vmas_free(&vmas);
	return ret;
}

enum way { W_SCAN, W_SMAPS, W_HYBRID, W_BITS, W_MAPS, W_SMAPS_READ, W_NR };

static const char *const way_name[] = {
	"scan (one PAGEMAP_SCAN; auto)",
	"smaps gu + PAGEMAP_SCAN",
	"maps + PAGEMAP_SCAN/VMA",
	"smaps gu + pagemap bits",
	"read maps only",
	"read smaps only",
};

static int run_way(enum way w, pid_t pid, const struct guard_features *f,
		   struct guard_ranges *out)
{
	struct guard_features nf = *f;

	switch (w) {
	case W_SCAN:
		return guard_find(pid, f, GUARD_SCAN_FULL, out);
	case W_SMAPS:
		return guard_find(pid, f, GUARD_SCAN_SMAPS, out);
	case W_HYBRID:
		return find_hybrid(pid, out);
	case W_BITS:
		nf.scan_guard = false;
		return guard_find(pid, &nf, GUARD_SCAN_SMAPS, out);
	case W_MAPS:
		return read_only(pid, "maps");
	case W_SMAPS_READ:
		return read_only(pid, "smaps");
	case W_NR:
		break;
	}
	return -EINVAL;
}

static size_t num(const char *s)
{
	return strtoull(s, NULL, 10);
}

int main(int argc, char **argv)
{
	struct cfg c = {
		.rss_mib = 4096, .vmas = 10000, .guards = 1000, .reps = 7
	};
	long pg = sysconf(_SC_PAGESIZE);
	struct guard_ranges ref, got;
	struct guard_features f;
	uint64_t *t;
	bool wrong[W_NR] = { false };
	uint64_t probe_us;
	int p[2], ret = 0;
	pid_t pid;
	char ok;

	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--rss=", 6))
			c.rss_mib = num(argv[i] + 6);
		else if (!strncmp(argv[i], "--vmas=", 7))
			c.vmas = num(argv[i] + 7);
		else if (!strncmp(argv[i], "--guards=", 9))
			c.guards = num(argv[i] + 9);
		else if (!strncmp(argv[i], "--reps=", 7))
			c.reps = num(argv[i] + 7);
		else {
			fprintf(stderr, "usage: scan_bench [--rss=MIB] "
					"[--vmas=N] [--guards=N] [--reps=N]\n");
			return 2;
		}
	}
	if (!c.vmas || !c.reps)
		return 2;
	probe_us = guard_now_us();
	if (guard_detect_features(&f) || !f.madv_guard || !f.scan_guard) {
		printf("SKIP: kernel lacks guard regions or PAGE_IS_GUARD\n");
		return 77;
	}
	/* The plugin pays this once per criu run, in init(). */
	printf("# kernel feature probe: %.2f ms\n",
	       (guard_now_us() - probe_us) / 1000.0);
	if (pipe(p))
		return 1;
	pid = fork();
	if (pid == 0)
		child_main(&c, p[1], pg);
	if (read(p[0], &ok, 1) != 1 || !ok) {
		fprintf(stderr, "child set-up failed (too many guards for the "
				"VMAs?)\n");
		kill(pid, SIGKILL);
		return 1;
	}
	t = calloc(c.reps * W_NR, sizeof(*t));
	guard_ranges_init(&ref);
	guard_ranges_init(&got);
	if (!t || guard_find(pid, &f, GUARD_SCAN_FULL, &ref)) {
		kill(pid, SIGKILL);
		return 1;
	}
	printf("# %zu MiB resident, %zu VMAs, %zu guard ranges found; %zu "
	       "runs, child running\n",
	       c.rss_mib, c.vmas, ref.n, c.reps);
	printf("%-26s %10s %18s %8s\n", "way", "median ms", "min-max ms",
	       "ranges");
	/* Round robin, after a warm-up, so drift hits every way alike. */
	for (size_t r = 0; r <= c.reps; r++) {
		for (int w = 0; w < W_NR; w++) {
			uint64_t t0 = guard_now_us();

			if (run_way(w, pid, &f, &got))
				wrong[w] = true;
			if (r)
				t[w * c.reps + r - 1] = guard_now_us() - t0;
			if (w <= W_BITS && !guard_ranges_equal(&got, &ref))
				wrong[w] = true;
		}
	}
	for (int w = 0; w < W_NR; w++) {
		uint64_t *tw = t + w * c.reps;

		qsort(tw, c.reps, sizeof(*tw), cmp_u64);
		printf("%-26s %10.2f %8.2f-%-9.2f %8s\n", way_name[w],
		       tw[c.reps / 2] / 1000.0, tw[0] / 1000.0,
		       tw[c.reps - 1] / 1000.0,
		       w > W_BITS ? "-" :
		       wrong[w]	  ? "WRONG" :
				    "same");
		if (wrong[w])
			ret = 1;
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	guard_ranges_free(&ref);
	guard_ranges_free(&got);
	free(t);
	return ret;
}
