// SPDX-License-Identifier: GPL-2.0
/*
 * The smaps/maps parser: on crafted text (what the kernel prints, split
 * anywhere, and what it never prints) and on this process's own files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guard_kernel.h"
#include "guard_log.h"
#include "guard_proc.h"
#include "guard_scan.h"
#include "unit.h"
#include "unit_smaps.h"

/* The fields a 6.18 kernel prints between a VMA's header and VmFlags. */
static const char smaps_fields[] = "Size:                  8 kB\n"
				   "KernelPageSize:        4 kB\n"
				   "MMUPageSize:           4 kB\n"
				   "Rss:                   8 kB\n"
				   "Pss:                   8 kB\n"
				   "Pss_Dirty:             0 kB\n"
				   "Shared_Clean:          0 kB\n"
				   "Shared_Dirty:          0 kB\n"
				   "Private_Clean:         8 kB\n"
				   "Private_Dirty:         0 kB\n"
				   "Referenced:            8 kB\n"
				   "Anonymous:             0 kB\n"
				   "KSM:                   0 kB\n"
				   "LazyFree:              0 kB\n"
				   "AnonHugePages:         0 kB\n"
				   "ShmemPmdMapped:        0 kB\n"
				   "FilePmdMapped:         0 kB\n"
				   "Shared_Hugetlb:        0 kB\n"
				   "Private_Hugetlb:       0 kB\n"
				   "Swap:                  0 kB\n"
				   "SwapPss:               0 kB\n"
				   "Locked:                0 kB\n"
				   "THPeligible:           0\n"
				   "ProtectionKey:         0\n";

struct want_vma {
	const char *header;
	const char *vmflags;
	uint64_t start, end;
	bool maybe_guard, exec, special;
};

static const struct want_vma sample[] = {
	{ "558ffcfd1000-558ffcfd3000 r--p 00000000 fe:00 247498                 "
	  "    /usr/bin/head",
	  "rd mr mw me ", 0x558ffcfd1000, 0x558ffcfd3000, false, false, false },
	{ "558ffcfd3000-558ffcfd9000 r-xp 00002000 fe:00 247498                 "
	  "    /usr/bin/head",
	  "rd ex mr mw me", 0x558ffcfd3000, 0x558ffcfd9000, false, true,
	  false },
	/* Anonymous, no name, trailing blank after the inode. */
	{ "7f0000000000-7f0000010000 rw-p 00000000 00:00 0 ",
	  "rd wr mr mw me ac gu ", 0x7f0000000000, 0x7f0000010000, true, false,
	  false },
	/* "gu" first and last with no trailing blank. */
	{ "7f0000010000-7f0000020000 rw-s 00000000 00:01 1234                   "
	  "    /dev/zero (deleted)",
	  "gu rd wr sh mr mw me ms", 0x7f0000010000, 0x7f0000020000, true,
	  false, false },
	{ "7f0000020000-7f0000030000 r--p 00000000 fe:00 99                     "
	  "    /usr/lib/x.so",
	  "rd mr mw me gu", 0x7f0000020000, 0x7f0000030000, true, false,
	  false },
	/* "gd" (grows down) and flags that merely contain "gu" are not it. */
	{ "7f0000030000-7f0000040000 rw-p 00000000 00:00 0                      "
	  "    [stack]",
	  "rd wr mr mw me gd ac xgu gux", 0x7f0000030000, 0x7f0000040000, false,
	  false, true },
	{ "7fedd9260000-7fedd9262000 r-xp 00000000 00:00 0                      "
	  "    [vdso]",
	  "rd ex mr mw me de sd", 0x7fedd9260000, 0x7fedd9262000, false, true,
	  true },
	{ "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0              "
	  "    [vsyscall]",
	  "ex", 0xffffffffff600000, 0xffffffffff601000, false, true, true },
};

/* Builds smaps (with_fields) or maps text from a want_vma table. */
static char *build_text(const struct want_vma *w, size_t n, bool smaps,
			size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	ASSERT(f);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s\n", w[i].header);
		if (smaps)
			fprintf(f, "%sVmFlags: %s\n", smaps_fields,
				w[i].vmflags);
	}
	ASSERT(!fclose(f));
	return buf;
}

/* Feeds text in chunks of the given size (0: all at once). */
static int parse(const char *text, size_t len, size_t chunk,
		 struct guard_vmas *out)
{
	int ret, fin = unit_smaps_parse(text, len, chunk, out, &ret);

	/* finish must report an earlier error too, not only its own. */
	if (ret && fin != ret) {
		fprintf(stderr, "     feed said %d, finish said %d\n", ret,
			fin);
		return -1000;
	}
	return fin;
}

static void expect_vmas(const struct guard_vmas *got, const struct want_vma *w,
			size_t n, bool smaps)
{
	EXPECT_EQ(got->n, n);
	for (size_t i = 0; i < n && i < got->n; i++) {
		const struct guard_vma *v = &got->v[i];

		EXPECT_MSG(v->start == w[i].start && v->end == w[i].end,
			   "vma %zu: [%#" PRIx64 ", %#" PRIx64
			   "), want [%#" PRIx64 ", %#" PRIx64 ")",
			   i, v->start, v->end, w[i].start, w[i].end);
		EXPECT_MSG(v->maybe_guard == (smaps && w[i].maybe_guard),
			   "vma %zu (%s): maybe_guard %d", i, w[i].vmflags,
			   v->maybe_guard);
		EXPECT_MSG(v->exec == w[i].exec, "vma %zu: exec %d", i,
			   v->exec);
		EXPECT_MSG(v->special == w[i].special, "vma %zu: special %d", i,
			   v->special);
	}
}

static bool vmas_same(const struct guard_vmas *a, const struct guard_vmas *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const struct guard_vma *x = &a->v[i], *y = &b->v[i];

		if (x->start != y->start || x->end != y->end ||
		    x->maybe_guard != y->maybe_guard || x->exec != y->exec ||
		    x->special != y->special)
			return false;
	}
	return true;
}

static void test_smaps_text(void)
{
	size_t len, n = UNIT_ARRAY_SIZE(sample);
	char *text = build_text(sample, n, true, &len);
	struct guard_vmas v;

	EXPECT_EQ(parse(text, len, 0, &v), 0);
	expect_vmas(&v, sample, n, true);
	guard_vmas_free(&v);
	EXPECT_EQ(v.n, 0);
	EXPECT(v.v == NULL);
	free(text);
}

/* maps has the same headers and no VmFlags: nothing is maybe_guard. */
static void test_maps_text(void)
{
	size_t len, n = UNIT_ARRAY_SIZE(sample);
	char *text = build_text(sample, n, false, &len);
	struct guard_vmas v;

	EXPECT_EQ(parse(text, len, 0, &v), 0);
	expect_vmas(&v, sample, n, false);
	guard_vmas_free(&v);
	free(text);
}

static void test_empty_input(void)
{
	struct guard_vmas v;

	EXPECT_EQ(parse("", 0, 0, &v), 0);
	EXPECT_EQ(v.n, 0);
	guard_vmas_free(&v);
	/* Blank lines are not malformed. */
	EXPECT_EQ(parse("\n\n", 2, 0, &v), 0);
	EXPECT_EQ(v.n, 0);
	guard_vmas_free(&v);
}

/* A hook's snapshot reads each file once; smaps once read serves maps. */
static void test_proc_snap(void)
{
	const struct guard_vmas *a, *b;
	struct guard_proc_snap s;
	int fd;

	guard_proc_snap_init(&s, 0);
	EXPECT_EQ(s.pagemap_fd, -1);
	ASSERT_EQ(guard_proc_snap_vmas(&s, false, &a), 0);
	EXPECT(a->n > 0 && !s.vmas_smaps && !a->v[0].vmflags);
	ASSERT_EQ(guard_proc_snap_vmas(&s, false, &b), 0);
	EXPECT(b == a && b->v == s.vmas.v); /* not read again */
	ASSERT_EQ(guard_proc_snap_vmas(&s, true, &b), 0);
	EXPECT(s.vmas_smaps && b->n > 0 && b->v[0].vmflags);
	ASSERT_EQ(guard_proc_snap_vmas(&s, false, &a), 0);
	EXPECT(s.vmas_smaps && a->v[0].vmflags); /* smaps kept for maps */
	fd = guard_proc_snap_pagemap(&s);
	EXPECT(fd >= 0);
	EXPECT_EQ(guard_proc_snap_pagemap(&s), fd);
	guard_proc_snap_free(&s);
	EXPECT_EQ(s.pagemap_fd, -1);
	EXPECT(!s.have_vmas && !s.vmas.n);
	EXPECT(fcntl(fd, F_GETFD) == -1); /* closed */
}

/* Splitting must not matter: 1-byte chunks, odd sizes, no final newline. */
static void test_chunking(void)
{
	size_t len, n = UNIT_ARRAY_SIZE(sample);
	char *text = build_text(sample, n, true, &len);
	static const size_t chunks[] = { 1, 2, 3, 7, 64, 511, 512, 513, 4096 };
	struct guard_vmas whole, part;

	ASSERT_EQ(parse(text, len, 0, &whole), 0);
	for (size_t i = 0; i < UNIT_ARRAY_SIZE(chunks); i++) {
		EXPECT_EQ(parse(text, len, chunks[i], &part), 0);
		EXPECT_MSG(vmas_same(&whole, &part),
			   "chunk size %zu gives %zu VMAs, whole gives %zu",
			   chunks[i], part.n, whole.n);
		guard_vmas_free(&part);
	}
	/* The last VmFlags line without its newline still counts. */
	ASSERT(text[len - 1] == '\n');
	EXPECT_EQ(parse(text, len - 1, 1, &part), 0);
	EXPECT(vmas_same(&whole, &part));
	guard_vmas_free(&part);
	guard_vmas_free(&whole);
	free(text);
}

/* The parser keeps 511 bytes of a line: the fields before a path suffice. */
static void test_long_path(void)
{
	char path[700], *text = NULL;
	struct want_vma w[3] = {
		{ NULL, "rd wr mr mw me gu", 0x400000, 0x401000, true, false,
		  false },
		{ NULL, "rd ex mr mw me", 0x401000, 0x402000, false, true,
		  false },
		{ "7ffd00000000-7ffd00001000 r-xp 00000000 00:00 0   [vdso]",
		  "rd ex", 0x7ffd00000000, 0x7ffd00001000, false, true, true },
	};
	char h0[800], h1[800];
	size_t len;
	struct guard_vmas v;

	path[0] = '/';
	for (size_t i = 1; i < sizeof(path) - 1; i++)
		path[i] = i % 50 ? 'a' + i % 26 : '/';
	path[sizeof(path) - 1] = '\0';
	snprintf(
		h0, sizeof(h0),
		"400000-401000 rw-p 00000000 fe:00 1234                     %s",
		path);
	snprintf(
		h1, sizeof(h1),
		"401000-402000 r-xp 00001000 fe:00 1234                     %s",
		path);
	w[0].header = h0;
	w[1].header = h1;
	ASSERT(strlen(h0) > 512 && strlen(h1) > 512);

	text = build_text(w, 3, true, &len);
	EXPECT_EQ(parse(text, len, 0, &v), 0);
	expect_vmas(&v, w, 3, true);
	guard_vmas_free(&v);
	EXPECT_EQ(parse(text, len, 1, &v), 0);
	expect_vmas(&v, w, 3, true);
	guard_vmas_free(&v);
	free(text);

	text = build_text(w, 3, false, &len);
	EXPECT_EQ(parse(text, len, 0, &v), 0);
	expect_vmas(&v, w, 3, false);
	guard_vmas_free(&v);
	free(text);
}

static void test_malformed(void)
{
	/* sizeof, not strlen: some hold NUL bytes. */
#define BAD(what, text)                                                        \
	{                                                                      \
		what, text, sizeof(text) - 1                                   \
	}
	static const struct {
		const char *what;
		const char *text;
		size_t len;
	} bad[] = {
		BAD("garbage header", "hello world\n"),
		BAD("garbage after a VMA",
		    "1000-2000 rw-p 00000000 00:00 0\nSize 4 kB\n"),
		BAD("hex word, no range", "deadbeef rw-p 00000000 00:00 0\n"),
		BAD("VmFlags before any VMA", "VmFlags: rd wr gu\n"),
		BAD("NUL byte", "1000-2000 rw-p 00000000 00:00 0\0\n"),
		BAD("NUL byte in a field line",
		    "1000-2000 rw-p 00000000 00:00 0\nSize:\0 4 kB\n"),
		BAD("descending VMAs", "5000-6000 rw-p 00000000 00:00 "
				       "0\n1000-2000 rw-p 00000000 00:00 0\n"),
		BAD("overlapping VMAs", "1000-3000 rw-p 00000000 00:00 "
					"0\n2000-4000 rw-p 00000000 00:00 0\n"),
		BAD("same VMA twice", "1000-2000 rw-p 00000000 00:00 "
				      "0\n1000-2000 rw-p 00000000 00:00 0\n"),
		BAD("empty VMA", "1000-1000 rw-p 00000000 00:00 0\n"),
		BAD("reversed VMA", "2000-1000 rw-p 00000000 00:00 0\n"),
		BAD("no dash", "1000 2000 rw-p 00000000 00:00 0\n"),
		BAD("no end", "1000- rw-p 00000000 00:00 0\n"),
		BAD("17 hex digits",
		    "10000000000000000-10000000000001000 rw-p 0 0:0 0\n"),
		BAD("no perms", "1000-2000\n"),
		BAD("short perms", "1000-2000 rw\n"),
		BAD("unterminated garbage",
		    "1000-2000 rw-p 00000000 00:00 0\nxyz"),
	};
	struct guard_vmas v;

	for (size_t i = 0; i < UNIT_ARRAY_SIZE(bad); i++) {
		const char *t = bad[i].text;
		size_t len = bad[i].len;

		for (size_t chunk = 0; chunk < 2; chunk++) {
			int ret = parse(t, len, chunk, &v);

			EXPECT_MSG(ret == -EINVAL,
				   "\"%s\" (chunk %zu) gives %d, want -EINVAL",
				   bad[i].what, chunk, ret);
			guard_vmas_free(&v);
		}
	}
#undef BAD
}

/* After an error the parser stays failed: good input does not clear it. */
static void test_error_is_sticky(void)
{
	static const char good[] = "1000-2000 rw-p 00000000 00:00 0\n";
	struct guard_smaps_parser p;
	struct guard_vmas v = { 0 };

	guard_smaps_parser_init(&p, &v);
	EXPECT_EQ(guard_smaps_parser_feed(&p, "junk\n", 5), -EINVAL);
	EXPECT_EQ(guard_smaps_parser_feed(&p, good, strlen(good)), -EINVAL);
	EXPECT_EQ(guard_smaps_parser_finish(&p), -EINVAL);
	EXPECT_EQ(v.n, 0);
	guard_vmas_free(&v);
}

static const struct guard_vma *find_vma(const struct guard_vmas *v,
					uint64_t addr)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->v[i].start <= addr && addr < v->v[i].end)
			return &v->v[i];
	return NULL;
}

/*
 * This process's own files.  The mappings sit between PROT_NONE pages so
 * that the kernel cannot merge them with a neighbour.
 */
static void test_proc_self(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct guard_features f;
	struct guard_vmas s = { 0 }, m = { 0 };
	char *res, *rw, *rx;
	const struct guard_vma *v;
	bool guarded;

	ASSERT_EQ(guard_detect_features(&f), 0);
	res = mmap(NULL, 13 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		   0);
	ASSERT(res != MAP_FAILED);
	rw = mmap(res + pg, 7 * pg, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	rx = mmap(res + 9 * pg, 3 * pg, PROT_READ | PROT_EXEC,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ASSERT(rw != MAP_FAILED && rx != MAP_FAILED);
	rw[0] = 1;

	for (int pass = 0; pass < 2; pass++) {
		ASSERT_EQ(guard_read_vmas(getpid(), "smaps", &s), 0);
		ASSERT_EQ(guard_read_vmas(getpid(), "maps", &m), 0);
		guarded = pass == 1;
		for (int k = 0; k < 2; k++) {
			const struct guard_vmas *l = k ? &m : &s;
			const char *name = k ? "maps" : "smaps";

			v = find_vma(l, (uintptr_t)rw);
			EXPECT_MSG(v && v->start == (uintptr_t)rw &&
					   v->end == (uintptr_t)rw + 7 * pg &&
					   !v->exec && !v->special,
				   "%s: rw mapping not found as it is", name);
			/* Flag present iff guards were installed (smaps only). */
			if (v && f.smaps_flag)
				EXPECT_MSG(v->maybe_guard == (guarded && !k),
					   "%s pass %d: maybe_guard %d", name,
					   pass, v->maybe_guard);
			v = find_vma(l, (uintptr_t)rx);
			EXPECT_MSG(v && v->start == (uintptr_t)rx &&
					   v->end == (uintptr_t)rx + 3 * pg &&
					   v->exec && !v->special &&
					   !v->maybe_guard,
				   "%s: rx mapping not found as it is", name);
			v = find_vma(l, (uintptr_t)res);
			EXPECT_MSG(v && v->end == (uintptr_t)rw && !v->exec,
				   "%s: PROT_NONE neighbour wrong", name);
		}
		guard_vmas_free(&s);
		guard_vmas_free(&m);
		if (pass == 0 && madvise(rw + 3 * pg, pg, MADV_GUARD_INSTALL)) {
			printf("# no MADV_GUARD_INSTALL (%s): flag not "
			       "checked\n",
			       strerror(errno));
			break;
		}
	}
	munmap(res, 13 * pg);
}

/* The kernel's own mappings as the real files show them. */
static void test_proc_self_special(void)
{
	uint64_t vdso = 0;
	struct guard_vmas m = { 0 };
	char line[512];
	FILE *f;

	/* Find [vdso] by name with stdio: the parser is what is under test. */
	f = fopen("/proc/self/maps", "re");
	ASSERT(f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "[vdso]"))
			vdso = strtoull(line, NULL, 16);
	fclose(f);

	ASSERT_EQ(guard_read_vmas(getpid(), "maps", &m), 0);
	ASSERT(m.n > 3);
	for (size_t i = 1; i < m.n; i++)
		EXPECT(m.v[i - 1].end <= m.v[i].start);
	if (vdso) {
		const struct guard_vma *v = find_vma(&m, vdso);

		EXPECT_MSG(v && v->special && v->exec, "[vdso] at %#" PRIx64,
			   vdso);
	}
	/* [vsyscall] (when the kernel maps it) is the last, above task size. */
	if (m.v[m.n - 1].start == 0xffffffffff600000ULL)
		EXPECT(m.v[m.n - 1].special);
	guard_vmas_free(&m);
}

static void test_proc_errors(void)
{
	struct guard_vmas v = { 0 };

	printf("# two \"Can't open\" messages follow, as they should\n");
	fflush(stdout);
	/* pid_max is at most 2^22: this pid cannot exist. */
	EXPECT_EQ(guard_read_vmas(1 << 30, "maps", &v), -ENOENT);
	EXPECT_EQ(guard_read_vmas(getpid(), "no-such-file", &v), -ENOENT);
	EXPECT_EQ(v.n, 0);
	guard_vmas_free(&v);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{ "smaps_text", test_smaps_text },
		{ "maps_text", test_maps_text },
		{ "empty_input", test_empty_input },
		{ "chunking", test_chunking },
		{ "long_path", test_long_path },
		{ "malformed", test_malformed },
		{ "error_is_sticky", test_error_is_sticky },
		{ "proc_self", test_proc_self },
		{ "proc_self_special", test_proc_self_special },
		{ "proc_errors", test_proc_errors },
		{ "proc_snap", test_proc_snap },
	};

	/* The malformed cases make the parser's callers complain: hush. */
	guard_log_set_stderr_level(GUARD_LOG_ERROR);
	return unit_run("smaps", tests, UNIT_ARRAY_SIZE(tests));
}
