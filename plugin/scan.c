// SPDX-License-Identifier: GPL-2.0
/*
 * Finding guard ranges.  PAGEMAP_SCAN with PAGE_IS_GUARD gives exact ranges
 * and skips unmapped holes for free, so one scan over the whole address
 * space is the default; smaps "gu" only narrows where the scan looks, and
 * reading smaps costs ~9x the scan (see README, "Performance").
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "guard_kernel.h"
#include "guard_log.h"
#include "guard_scan.h"

#define SCAN_VEC_LEN 512
#define BITS_CHUNK 4096

void guard_vmas_free(struct guard_vmas *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->v[i].name);
		free(v->v[i].vmflags);
	}
	free(v->v);
	memset(v, 0, sizeof(*v));
}

static struct guard_vma *vmas_push(struct guard_vmas *v)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		struct guard_vma *nv = realloc(v->v, cap * sizeof(*nv));

		if (!nv)
			return NULL;
		v->v = nv;
		v->cap = cap;
	}
	memset(&v->v[v->n], 0, sizeof(v->v[0]));
	return &v->v[v->n++];
}

static int parse_hex(const char **s, uint64_t *val)
{
	const char *p = *s;
	uint64_t x = 0;
	int digits = 0;

	for (; isxdigit((unsigned char)*p); p++, digits++) {
		if (digits == 16)
			return -EINVAL;
		x = x << 4 |
		    (uint64_t)(isdigit((unsigned char)*p) ?
				       *p - '0' :
				       tolower((unsigned char)*p) - 'a' + 10);
	}
	if (!digits)
		return -EINVAL;
	*s = p;
	*val = x;
	return 0;
}

/* "start-end perms offset dev inode [name]" opens a VMA. */
static int parse_header(struct guard_vmas *out, const char *line)
{
	struct guard_vma *prev = out->n ? &out->v[out->n - 1] : NULL;
	struct guard_vma *vma;
	uint64_t start, end;
	const char *p = line, *q;

	if (parse_hex(&p, &start) || *p++ != '-' || parse_hex(&p, &end))
		return -EINVAL;
	if (*p++ != ' ' || strlen(p) < 4 || start >= end)
		return -EINVAL;
	if (prev && start < prev->end)
		return -EINVAL;
	vma = vmas_push(out);
	if (!vma)
		return -ENOMEM;
	vma->start = start;
	vma->end = end;
	vma->exec = p[2] == 'x';
	memcpy(vma->perms, p, 4);
	q = p + 4;
	while (*q == ' ')
		q++;
	if (parse_hex(&q, &vma->offset))
		vma->offset = 0;
	/* offset dev inode, then the name: "[...]" marks kernel mappings. */
	for (int field = 0; field < 4 && *p; field++) {
		while (*p && *p != ' ')
			p++;
		while (*p == ' ')
			p++;
	}
	vma->special = *p == '[';
	if (*p && !(vma->name = strdup(p)))
		return -ENOMEM;
	return 0;
}

/* Two-letter VmFlags words: whole words only ("gu", not "gux"). */
static bool has_vmflag(const char *flags, const char *flag)
{
	for (const char *p = flags; *p;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (p[0] == flag[0] && p[0] && p[1] == flag[1] &&
		    (p[2] == ' ' || p[2] == '\t' || p[2] == '\0'))
			return true;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	return false;
}

static int parse_vmflags(struct guard_vma *vma, const char *flags)
{
	const char *p;
	size_t len;

	vma->maybe_guard = has_vmflag(flags, "gu");
	vma->locked = has_vmflag(flags, "lo");
	for (p = flags; *p == ' ' || *p == '\t'; p++)
		;
	len = strlen(p);
	while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
		len--;
	free(vma->vmflags);
	vma->vmflags = strndup(p, len);
	return vma->vmflags ? 0 : -ENOMEM;
}

static int parse_line(struct guard_vmas *out, const char *line)
{
	if (!*line)
		return 0;
	if (isdigit((unsigned char)*line) || (*line >= 'a' && *line <= 'f'))
		return parse_header(out, line);
	if (!strchr(line, ':'))
		return -EINVAL;
	if (!strncmp(line, "VmFlags:", 8)) {
		if (!out->n)
			return -EINVAL;
		return parse_vmflags(&out->v[out->n - 1], line + 8);
	}
	return 0;
}

void guard_smaps_parser_init(struct guard_smaps_parser *p,
			     struct guard_vmas *out)
{
	memset(p, 0, sizeof(*p));
	p->out = out;
}

static void end_line(struct guard_smaps_parser *p)
{
	p->line[p->len] = '\0';
	if (!p->err)
		p->err = parse_line(p->out, p->line);
	p->len = 0;
	p->overlong = false;
}

int guard_smaps_parser_feed(struct guard_smaps_parser *p, const char *buf,
			    size_t len)
{
	for (size_t i = 0; i < len && !p->err; i++) {
		if (buf[i] == '\n') {
			end_line(p);
		} else if (buf[i] == '\0') {
			p->err = -EINVAL;
		} else if (p->len < sizeof(p->line) - 1) {
			/* Long paths are cut: only the fields before them count. */
			p->line[p->len++] = buf[i];
		}
	}
	return p->err;
}

int guard_smaps_parser_finish(struct guard_smaps_parser *p)
{
	if (p->len)
		end_line(p);
	return p->err;
}

int guard_read_vmas(pid_t pid, const char *file, struct guard_vmas *out)
{
	struct guard_smaps_parser parser;
	char path[64], buf[65536];
	ssize_t n;
	int fd, ret;

	/* pid 0 is the caller: getpid() names another task inside a pid ns. */
	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	else
		snprintf(path, sizeof(path), "/proc/self/%s", file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		pr_perror("Can't open %s", path);
		return ret;
	}
	/* The parser appends; a list left from an earlier read would mix in. */
	guard_vmas_free(out);
	guard_smaps_parser_init(&parser, out);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (guard_smaps_parser_feed(&parser, buf, n))
			break;
	}
	if (n < 0) {
		ret = -errno;
		pr_perror("Can't read %s", path);
	} else {
		ret = guard_smaps_parser_finish(&parser);
		if (ret)
			pr_err("Can't parse %s: %s\n", path, strerror(-ret));
	}
	close(fd);
	return ret;
}

static int scan_category(int pagemap_fd, uint64_t start, uint64_t end,
			 uint64_t category, struct guard_ranges *out)
{
	struct page_region vec[SCAN_VEC_LEN];
	struct pm_scan_arg arg = {
		.size = sizeof(arg),
		.start = start,
		.end = end,
		.vec = (uintptr_t)vec,
		.vec_len = SCAN_VEC_LEN,
		.category_mask = category,
		.return_mask = category,
	};

	while (arg.start < end) {
		long n = ioctl(pagemap_fd, PAGEMAP_SCAN, &arg);
		int ret;

		if (n < 0)
			return -errno;
		for (long i = 0; i < n; i++) {
			ret = guard_ranges_add(out, vec[i].start, vec[i].end);
			if (ret)
				return ret;
		}
		/* The kernel stops early only when vec fills up. */
		if (arg.walk_end >= end)
			break;
		if (arg.walk_end <= arg.start)
			return -EIO;
		arg.start = arg.walk_end;
	}
	return 0;
}

int guard_scan_pagemap(int pagemap_fd, uint64_t start, uint64_t end,
		       struct guard_ranges *out)
{
	return scan_category(pagemap_fd, start, end, PAGE_IS_GUARD, out);
}

static int read_bits(int pagemap_fd, uint64_t start, uint64_t end,
		     long page_size, struct guard_ranges *out)
{
	uint64_t buf[BITS_CHUNK];

	for (uint64_t addr = start; addr < end;) {
		uint64_t pages = (end - addr) / page_size;
		ssize_t n;
		int ret;

		if (pages > BITS_CHUNK)
			pages = BITS_CHUNK;
		n = pread(pagemap_fd, buf, pages * sizeof(buf[0]),
			  (off_t)(addr / page_size * sizeof(buf[0])));
		if (n < 0)
			return -errno;
		if (n == 0 || n % sizeof(buf[0]))
			return -EIO;
		for (ssize_t i = 0; i < n / (ssize_t)sizeof(buf[0]); i++) {
			uint64_t a = addr + i * page_size;

			if (!(buf[i] & (1ULL << PM_GUARD_REGION_BIT)))
				continue;
			ret = guard_ranges_add(out, a, a + page_size);
			if (ret)
				return ret;
		}
		addr += n / sizeof(buf[0]) * page_size;
	}
	return 0;
}

/*
 * Reading 8 bytes of pagemap for every page costs in proportion to the
 * mapped size, not to the pages in use (a sanitizer's 16 TiB shadow takes
 * minutes).  Guard markers are non-present swap-type entries, so where
 * PAGEMAP_SCAN exists but lacks PAGE_IS_GUARD it still finds the only
 * pages worth reading: the ones it reports as swapped.
 */
int guard_scan_pagemap_bits(int pagemap_fd, uint64_t start, uint64_t end,
			    long page_size, struct guard_ranges *out)
{
	struct guard_ranges cand;
	int ret;

	guard_ranges_init(&cand);
	ret = scan_category(pagemap_fd, start, end, PAGE_IS_SWAPPED, &cand);
	if (ret == -ENOTTY || ret == -EINVAL) {
		/* No PAGEMAP_SCAN (before 6.7): read every page. */
		ret = read_bits(pagemap_fd, start, end, page_size, out);
	} else {
		for (size_t i = 0; !ret && i < cand.n; i++)
			ret = read_bits(pagemap_fd, cand.v[i].start,
					cand.v[i].end, page_size, out);
	}
	guard_ranges_free(&cand);
	return ret;
}

int guard_scan_mode_parse(const char *s, enum guard_scan_mode *mode)
{
	if (!s || !*s || !strcmp(s, "auto"))
		*mode = GUARD_SCAN_AUTO;
	else if (!strcmp(s, "scan"))
		*mode = GUARD_SCAN_FULL;
	else if (!strcmp(s, "smaps"))
		*mode = GUARD_SCAN_SMAPS;
	else
		return -EINVAL;
	return 0;
}

const char *guard_scan_mode_name(enum guard_scan_mode mode)
{
	switch (mode) {
	case GUARD_SCAN_FULL:
		return "scan";
	case GUARD_SCAN_SMAPS:
		return "smaps";
	default:
		return "auto";
	}
}

static int scan_one(int fd, const struct guard_features *f, uint64_t start,
		    uint64_t end, struct guard_ranges *out)
{
	if (f->scan_guard)
		return guard_scan_pagemap(fd, start, end, out);
	return guard_scan_pagemap_bits(fd, start, end, f->page_size, out);
}

/*
 * Scans, within [lo, hi), only VMAs that may hold guards: smaps "gu",
 * else every VMA.
 */
static int find_by_vmas(pid_t pid, int fd, const struct guard_features *f,
			uint64_t lo, uint64_t hi, struct guard_ranges *out)
{
	struct guard_vmas vmas = { 0 };
	int ret;

	ret = guard_read_vmas(pid, f->smaps_flag ? "smaps" : "maps", &vmas);
	for (size_t i = 0; !ret && i < vmas.n; i++) {
		struct guard_vma *v = &vmas.v[i];
		uint64_t s = v->start > lo ? v->start : lo;
		uint64_t e = v->end < hi ? v->end : hi;

		if (f->smaps_flag && !v->maybe_guard)
			continue;
		if (v->end > f->task_size || s >= e) /* [vsyscall] */
			continue;
		ret = scan_one(fd, f, s, e, out);
	}
	guard_vmas_free(&vmas);
	return ret;
}

static unsigned long long status_mask(const char *v)
{
	return strtoull(v, NULL, 16);
}

/* One line of /proc/PID/status into st; the rest are of no interest. */
static void status_line(char *line, struct guard_task_status *st)
{
	char *last;

	if (!strncmp(line, "NSpid:", 6)) {
		line[strcspn(line, "\n")] = '\0';
		last = strrchr(line, '\t');
		st->has_ns_pid = last && sscanf(last, "%u", &st->ns_pid) == 1;
	} else if (!strncmp(line, "SigPnd:", 7) ||
		   !strncmp(line, "ShdPnd:", 7)) {
		st->sig_pending |= status_mask(line + 7);
	} else if (!strncmp(line, "SigBlk:", 7)) {
		st->sig_blocked = status_mask(line + 7);
	} else if (!strncmp(line, "VmLck:", 6)) {
		st->locked = strtoul(line + 6, NULL, 10) != 0;
	} else if (!strncmp(line, "Seccomp:", 8)) {
		st->seccomp = strtol(line + 8, NULL, 10) != 0;
	}
}

int guard_task_status_read(pid_t pid, struct guard_task_status *st)
{
	char path[64], line[256];
	FILE *f;

	memset(st, 0, sizeof(*st));
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f) {
		pr_perror("Can't open %s (task vanished?)", path);
		return -ESRCH;
	}
	while (fgets(line, sizeof(line), f))
		status_line(line, st);
	fclose(f);
	st->stop_pending = st->sig_pending & (1ULL << (SIGSTOP - 1));
	st->stop_only =
		(st->sig_pending & ~st->sig_blocked) == 1ULL << (SIGSTOP - 1);
	if (!st->has_ns_pid) {
		pr_err("%s has no NSpid line\n", path);
		return -EINVAL;
	}
	return 0;
}

int guard_task_ns_pid(pid_t pid, uint32_t *ns_pid)
{
	struct guard_task_status st;
	int ret = guard_task_status_read(pid, &st);

	if (!ret)
		*ns_pid = st.ns_pid;
	return ret;
}

static int open_pagemap(pid_t pid)
{
	char path[64];
	int fd, ret;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/pagemap");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		pr_perror("Can't open %s", path);
		return ret;
	}
	return fd;
}

/* The guard ranges of pid within [lo, hi), by mode within what f allows. */
static int find_in(pid_t pid, const struct guard_features *f,
		   enum guard_scan_mode mode, uint64_t lo, uint64_t hi,
		   struct guard_ranges *out)
{
	int fd, ret;

	if (!f->scan_guard && !f->pagemap_bit) {
		pr_err("This kernel reports no guard pages (no PAGE_IS_GUARD, no pagemap bit 58)\n");
		return -EOPNOTSUPP;
	}
	fd = open_pagemap(pid);
	if (fd < 0)
		return fd;
	guard_ranges_reset(out);
	if (f->scan_guard && (mode != GUARD_SCAN_SMAPS || !f->smaps_flag))
		ret = guard_scan_pagemap(fd, lo, hi, out);
	else
		ret = find_by_vmas(pid, fd, f, lo, hi, out);
	if (ret)
		pr_err("Can't collect guard ranges of %d: %s\n", (int)pid,
		       strerror(-ret));
	close(fd);
	return ret;
}

int guard_find(pid_t pid, const struct guard_features *f,
	       enum guard_scan_mode mode, struct guard_ranges *out)
{
	return find_in(pid, f, mode, 0, f->task_size, out);
}

int guard_verify(pid_t pid, const struct guard_features *f,
		 const struct guard_ranges *span,
		 const struct guard_ranges *expect, const char *what)
{
	struct guard_ranges now;
	uint64_t lo, hi;
	int ret;

	if (!span->n)
		return expect->n ? -EINVAL : 0;
	lo = span->v[0].start;
	hi = span->v[span->n - 1].end;
	guard_ranges_init(&now);
	ret = find_in(pid, f, GUARD_SCAN_FULL, lo, hi, &now);
	if (!ret && !guard_ranges_equal(&now, expect)) {
		pr_err("task %d: %zu guard ranges %s in [%#llx, %#llx), %zu expected\n",
		       (int)pid, now.n, what, (unsigned long long)lo,
		       (unsigned long long)hi, expect->n);
		ret = -EIO;
	}
	guard_ranges_free(&now);
	return ret;
}
