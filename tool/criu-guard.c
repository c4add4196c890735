// SPDX-License-Identifier: GPL-2.0
/*
 * criu-guard: inspect guard regions the way the plugin sees them.  Every
 * answer comes from the plugin's own modules (feature probe, PAGEMAP_SCAN,
 * smaps parser, image readers), so what the tool says is what a dump or a
 * restore would do.
 *
 * Exit status: 0 fine, 1 the answer is "no" (check: the plugin can't work
 * here; show: an image is bad or missing; verify: process and image
 * differ), 2 usage or system error.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "elfsym.h"
#include "guard_binding.h"
#include "guard_criu_images.h"
#include "guard_criu_syms.h"
#include "guard_image.h"
#include "guard_kernel.h"
#include "guard_log.h"
#include "guard_range.h"
#include "guard_proc.h"
#include "guard_scan.h"
#include "host.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_process_madvise
#define SYS_process_madvise 440
#endif
#ifndef PLUGINDIR
#define PLUGINDIR "/usr/lib/criu"
#endif

#define EXIT_NO 1
#define EXIT_ERR 2

struct opts {
	bool json;
	bool all;	  /* scan: every VMA, not only those with guards */
	const char *criu; /* check: criu binary, else "criu" from PATH */
	const char *plugin_dir; /* check: where criu loads plugins from */
	enum guard_hwbp_policy hwbp_policy; /* CRIU_GUARD_HWBP */
	char **args; /* positional arguments after the command */
	int nargs;
};

static long page_size;

/* ---- output helpers ---- */

/* Length of the valid UTF-8 sequence at p, or 0. */
static size_t utf8_len(const unsigned char *p)
{
	size_t n = 0;

	if (*p >= 0xc2 && *p <= 0xdf)
		n = 2;
	else if (*p >= 0xe0 && *p <= 0xef)
		n = 3;
	else if (*p >= 0xf0 && *p <= 0xf4)
		n = 4;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/*
 * Paths are bytes, JSON is UTF-8: a byte that is not part of valid UTF-8
 * goes out as the code point of the same value, so the output always
 * parses.
 */
static void json_str(const char *s)
{
	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		size_t n;

		if (*p == '"' || *p == '\\') {
			printf("\\%c", *p);
		} else if (*p < 0x20 || *p == 0x7f) {
			printf("\\u%04x", *p);
		} else if (*p < 0x80) {
			putchar(*p);
		} else if ((n = utf8_len(p))) {
			fwrite(p, 1, n, stdout);
			p += n - 1;
		} else {
			printf("\\u%04x", *p);
		}
	}
	putchar('"');
}

/* Addresses go out as hex strings: they exceed what JSON numbers carry. */
static void json_hex(uint64_t v)
{
	printf("\"0x%" PRIx64 "\"", v);
}

static const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void json_ranges(const struct guard_ranges *r)
{
	putchar('[');
	for (size_t i = 0; i < r->n; i++) {
		printf("%s{\"start\":", i ? "," : "");
		json_hex(r->v[i].start);
		printf(",\"end\":");
		json_hex(r->v[i].end);
		printf(",\"pages\":%" PRIu64 "}",
		       (r->v[i].end - r->v[i].start) / page_size);
	}
	putchar(']');
}

static void human_ranges(const char *indent, const struct guard_ranges *r)
{
	for (size_t i = 0; i < r->n; i++) {
		uint64_t pages = (r->v[i].end - r->v[i].start) / page_size;

		printf("%s%012" PRIx64 "-%012" PRIx64 " %6" PRIu64 " %s\n",
		       indent, r->v[i].start, r->v[i].end, pages,
		       plural(pages, "page", "pages"));
	}
}

/* ---- shared pieces ---- */

static int parse_pid(const char *s, pid_t *pid)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v <= 0 || v > INT32_MAX) {
		fprintf(stderr, "criu-guard: '%s' is not a pid\n", s);
		return -EINVAL;
	}
	*pid = (pid_t)v;
	return 0;
}

static void read_comm(pid_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(buf, len, "?");
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

static int detect(struct guard_features *f)
{
	int ret = guard_detect_features(f);

	if (ret)
		fprintf(stderr, "criu-guard: can't probe the kernel: %s\n",
			strerror(-ret));
	return ret;
}

/* Pages of a that b lacks, as ranges. */
static int ranges_sub(const struct guard_ranges *a,
		      const struct guard_ranges *b, struct guard_ranges *out)
{
	size_t j = 0;
	int ret;

	for (size_t i = 0; i < a->n; i++) {
		uint64_t cur = a->v[i].start, end = a->v[i].end;

		while (j < b->n && b->v[j].end <= cur)
			j++;
		for (size_t k = j; k < b->n && b->v[k].start < end; k++) {
			if (b->v[k].start > cur) {
				ret = guard_ranges_add(out, cur, b->v[k].start);
				if (ret)
					return ret;
			}
			if (b->v[k].end > cur)
				cur = b->v[k].end;
		}
		if (cur < end) {
			ret = guard_ranges_add(out, cur, end);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static uint64_t pages_of(const struct guard_ranges *r)
{
	return guard_ranges_bytes(r) / page_size;
}

/* ---- check ---- */

struct criu_info {
	char path[4096];
	char version[64];
	int native; /* 1 exports the symbol, 0 not, <0 can't tell */
};

static bool find_in_path(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save;
	bool found = false;

	if (strchr(name, '/')) {
		snprintf(out, len, "%s", name);
		return access(out, X_OK) == 0;
	}
	copy = strdup(path ? path : "/usr/sbin:/usr/bin:/sbin:/bin");
	for (dir = copy ? strtok_r(copy, ":", &save) : NULL; dir && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		snprintf(out, len, "%s/%s", *dir ? dir : ".", name);
		found = access(out, X_OK) == 0;
	}
	free(copy);
	return found;
}

/* First line of "criu --version" that names the version. */
static void criu_version(const char *path, char *out, size_t len)
{
	char buf[512], *line, *save;
	int p[2], status;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	snprintf(out, len, "unknown");
	if (pipe2(p, O_CLOEXEC))
		return;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(p[1], STDOUT_FILENO);
		if (null >= 0)
			dup2(null, STDERR_FILENO);
		execl(path, path, "--version", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while (got < sizeof(buf) - 1 &&
	       (n = read(p[0], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += n;
	buf[got] = '\0';
	close(p[0]);
	waitpid(pid, &status, 0);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "Version:", 8)) {
			line += 8;
			line += strspn(line, " \t");
			snprintf(out, len, "%s", line);
			return;
		}
	}
}

static void probe_criu(const char *name, struct criu_info *ci)
{
	memset(ci, 0, sizeof(*ci));
	snprintf(ci->version, sizeof(ci->version), "not found");
	ci->native = -ENOENT;
	if (!find_in_path(name, ci->path, sizeof(ci->path))) {
		ci->path[0] = '\0';
		return;
	}
	criu_version(ci->path, ci->version, sizeof(ci->version));
	ci->native = elf_file_exports(ci->path, GUARD_CRIU_NATIVE_SYMBOL);
}

/*
 * Guard advice through process_madvise() on a pidfd of this very process:
 * the kernel takes it only on the caller's own mm.
 */
static bool probe_process_madvise(void)
{
	struct iovec iov;
	bool ok = false;
	char *p;
	int pidfd;

	p = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return false;
	pidfd = syscall(SYS_pidfd_open, getpid(), 0);
	if (pidfd >= 0) {
		iov.iov_base = p;
		iov.iov_len = page_size;
		ok = syscall(SYS_process_madvise, pidfd, &iov, 1,
			     MADV_GUARD_INSTALL, 0) == page_size;
		close(pidfd);
	}
	munmap(p, page_size);
	return ok;
}

/* What the kernel offers, with CRIU_GUARD_DISABLE ignored. */
static int detect_unmasked(struct guard_features *f)
{
	char *saved = getenv("CRIU_GUARD_DISABLE");
	int ret;

	saved = saved ? strdup(saved) : NULL;
	unsetenv("CRIU_GUARD_DISABLE");
	ret = detect(f);
	if (saved) {
		setenv("CRIU_GUARD_DISABLE", saved, 1);
		free(saved);
	}
	return ret;
}

static const char *yes_no(bool have, bool raw)
{
	if (have)
		return "yes";
	return raw ? "no (masked by CRIU_GUARD_DISABLE)" : "no";
}

static void check_line(const char *what, const char *val)
{
	printf("%-44s %s\n", what, val);
}

static void check_json_bool(const char *key, bool v, bool raw, bool last)
{
	printf("\"%s\":%s,\"%s_masked\":%s%s", key, v ? "true" : "false", key,
	       !v && raw ? "true" : "false", last ? "" : ",");
}

static void check_host(const struct opts *o, const struct guard_features *f,
		       const struct criu_info *ci, const char *plugin,
		       struct host_facts *h)
{
	const char *fault = getenv("CRIU_FAULT");

	memset(h, 0, sizeof(*h));
	h->guards = f->madv_guard;
	h->findable = f->scan_guard || f->pagemap_bit;
	h->criu_found = ci->path[0];
	host_criu_version(ci->version, &h->criu_major, &h->criu_minor);
	h->criu_native = ci->native;
	h->plugin_installed = access(plugin, R_OK) == 0;
	h->hwbp = guard_hwbp_probe();
	h->hwbp_policy = o->hwbp_policy;
	h->criu_fault = fault ? atoi(fault) : 0;
}

static const char *hwbp_line(const struct host_facts *h)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "%s%s: %s", guard_hwbp_state_name(h->hwbp),
		 h->hwbp_policy == GUARD_HWBP_BROKEN ?
			 " (taken as never firing: CRIU_GUARD_HWBP=broken)" :
			 "",
		 host_hwbp_outcome(h));
	return buf;
}

static void check_json(const struct guard_features *f,
		       const struct guard_features *raw, bool pmadv,
		       const struct criu_info *ci, const char *plugin,
		       const struct host_facts *h, const char *blocker)
{
	printf("{");
	check_json_bool("madv_guard", f->madv_guard, raw->madv_guard, 0);
	check_json_bool("scan_guard", f->scan_guard, raw->scan_guard, 0);
	check_json_bool("pagemap_bit", f->pagemap_bit, raw->pagemap_bit, 0);
	check_json_bool("smaps_gu", f->smaps_flag, raw->smaps_flag, 0);
	printf("\"process_madvise_self\":%s,", pmadv ? "true" : "false");
	printf("\"task_size\":");
	json_hex(f->task_size);
	printf(",\"page_size\":%ld,\"criu\":", f->page_size);
	json_str(ci->path[0] ? ci->path : NULL);
	printf(",\"criu_version\":");
	json_str(ci->path[0] ? ci->version : NULL);
	printf(",\"criu_native\":%s", ci->native > 0  ? "true" :
				      ci->native == 0 ? "false" :
							"null");
	printf(",\"plugin\":");
	json_str(plugin);
	printf(",\"plugin_installed\":%s",
	       h->plugin_installed ? "true" : "false");
	printf(",\"hwbp\":");
	json_str(h->hwbp == GUARD_HWBP_FIRE   ? "fire" :
		 h->hwbp == GUARD_HWBP_SILENT ? "silent" :
						"unknown");
	printf(",\"hwbp_forced_broken\":%s,\"hwbp_outcome\":",
	       h->hwbp_policy == GUARD_HWBP_BROKEN ? "true" : "false");
	json_str(host_hwbp_outcome(h));
	printf(",\"soft_dirty\":%s,\"userfaultfd\":%s",
	       host_soft_dirty() ? "true" : "false",
	       host_userfaultfd() ? "true" : "false");
	printf(",\"disable\":");
	json_str(getenv("CRIU_GUARD_DISABLE"));
	printf(",\"works\":%s,\"find_with\":", h->findable ? "true" : "false");
	json_str(!f->madv_guard ? NULL :
		 f->scan_guard	? "PAGEMAP_SCAN" :
		 f->pagemap_bit ? "pagemap bit 58" :
				  NULL);
	printf(",\"guarded_dump_works\":%s,\"reason\":",
	       blocker ? "false" : "true");
	json_str(blocker);
	printf("}\n");
}

static void check_human(const struct guard_features *f,
			const struct guard_features *raw, bool pmadv,
			const struct criu_info *ci, const char *plugin,
			const struct host_facts *h, const char *blocker)
{
	char buf[128];

	check_line("hardware breakpoints (ptrace, x86)", hwbp_line(h));
	check_line("guard install (MADV_GUARD_INSTALL)",
		   f->madv_guard   ? "yes" :
		   raw->madv_guard ? "no (masked by CRIU_GUARD_DISABLE)" :
				     "no: guard regions need Linux >= 6.13");
	check_line("PAGEMAP_SCAN guard category",
		   f->scan_guard ?
			   "yes" :
		   raw->scan_guard ?
			   "no (masked by CRIU_GUARD_DISABLE)" :
			   "no: the plugin falls back to pagemap bit 58");
	check_line("pagemap bit 58 (PM_GUARD_REGION)",
		   yes_no(f->pagemap_bit, raw->pagemap_bit));
	check_line("smaps VmFlags \"gu\"",
		   yes_no(f->smaps_flag, raw->smaps_flag));
	check_line("process_madvise() guard advice (self)",
		   pmadv ? "yes" : "no: one injected madvise per range");
	snprintf(buf, sizeof(buf), "%#" PRIx64, f->task_size);
	check_line("task size", buf);
	snprintf(buf, sizeof(buf), "%ld", f->page_size);
	check_line("page size", buf);
	if (ci->path[0]) {
		printf("%-44s %s (%s)\n", "criu", ci->version, ci->path);
		check_line("criu native guards (" GUARD_CRIU_NATIVE_SYMBOL ")",
			   ci->native > 0 ?
				   "yes: the plugin stands aside "
				   "unless CRIU_GUARD_MODE=plugin" :
			   ci->native == 0 ?
				   "no: the plugin does the work" :
				   "unknown (can't read its ELF symbols)");
	} else {
		check_line("criu", "not found in PATH: install criu >= 4.0");
	}
	printf("%-44s %s (%s)\n", "plugin installed",
	       h->plugin_installed ?
		       "yes" :
		       "no: meson install, or the criu-guard package",
	       plugin);
	check_line(
		"soft-dirty (criu pre-dump)",
		host_soft_dirty() ?
			"yes" :
			"no: criu pre-dump aborts here (kernel without CONFIG_MEM_SOFT_DIRTY); plain dumps work");
	check_line(
		"userfaultfd (criu lazy pages)",
		host_userfaultfd() ?
			"yes" :
			"no: restore --lazy-pages fails here (CONFIG_USERFAULTFD, vm.unprivileged_userfaultfd)");
	if (getenv("CRIU_GUARD_DISABLE"))
		check_line("CRIU_GUARD_DISABLE", getenv("CRIU_GUARD_DISABLE"));
	if (h->findable)
		printf("%-44s yes, finds guards with %s\n",
		       "plugin can work here",
		       f->scan_guard ? "PAGEMAP_SCAN" : "pagemap bit 58");
	else
		printf("%-44s no: %s\n", "plugin can work here",
		       !f->madv_guard ?
			       "the kernel has no guard regions" :
			       "the kernel reports guard pages neither in PAGEMAP_SCAN nor in pagemap");
	printf("%-44s %s%s\n", "dump of a guarded process works here",
	       blocker ? "no: " : "yes", blocker ? blocker : "");
}

static int cmd_check(const struct opts *o)
{
	struct guard_features f, raw;
	struct host_facts h;
	struct criu_info ci;
	const char *blocker;
	char plugin[4096];
	bool pmadv;

	if (o->nargs) {
		fprintf(stderr, "criu-guard check: no arguments expected\n");
		return EXIT_ERR;
	}
	if (detect(&f) || detect_unmasked(&raw))
		return EXIT_ERR;
	pmadv = probe_process_madvise();
	probe_criu(o->criu ? o->criu : "criu", &ci);
	snprintf(plugin, sizeof(plugin), "%s/guard_plugin.so",
		 o->plugin_dir ? o->plugin_dir : PLUGINDIR);
	check_host(o, &f, &ci, plugin, &h);
	blocker = host_guarded_dump_blocker(&h);
	if (o->json)
		check_json(&f, &raw, pmadv, &ci, plugin, &h, blocker);
	else
		check_human(&f, &raw, pmadv, &ci, plugin, &h, blocker);
	return blocker ? EXIT_NO : 0;
}

/* ---- scan ---- */

/* The part of r inside [start, end), from index *j on; r is sorted. */
static int clip(const struct guard_ranges *r, size_t *j, uint64_t start,
		uint64_t end, struct guard_ranges *out)
{
	int ret;

	while (*j < r->n && r->v[*j].end <= start)
		(*j)++;
	for (size_t k = *j; k < r->n && r->v[k].start < end; k++) {
		uint64_t s = r->v[k].start > start ? r->v[k].start : start;
		uint64_t e = r->v[k].end < end ? r->v[k].end : end;

		ret = guard_ranges_add(out, s, e);
		if (ret)
			return ret;
	}
	return 0;
}

static void scan_vma_human(const struct guard_vma *v,
			   const struct guard_ranges *g)
{
	uint64_t vpages = (v->end - v->start) / page_size;

	printf("%012" PRIx64 "-%012" PRIx64 " %s %08" PRIx64 " %s\n", v->start,
	       v->end, v->perms, v->offset, v->name ? v->name : "[anon]");
	printf("    VmFlags: %s\n", v->vmflags ? v->vmflags : "(none)");
	for (size_t i = 0; i < g->n; i++) {
		uint64_t first = (g->v[i].start - v->start) / page_size;
		uint64_t n = (g->v[i].end - g->v[i].start) / page_size;
		char where[64];

		if (n > 1)
			snprintf(where, sizeof(where),
				 "pages %" PRIu64 "-%" PRIu64, first,
				 first + n - 1);
		else
			snprintf(where, sizeof(where), "page %" PRIu64, first);
		printf("    guard %012" PRIx64 "-%012" PRIx64 " %5" PRIu64
		       " %s  (%s of %" PRIu64 ")\n",
		       g->v[i].start, g->v[i].end, n,
		       plural(n, "page ", "pages"), where, vpages);
	}
	if (!g->n && v->maybe_guard)
		printf("    no guards (\"gu\": guards were installed once)\n");
}

static void scan_vma_json(const struct guard_vma *v,
			  const struct guard_ranges *g, bool first)
{
	printf("%s{\"start\":", first ? "" : ",");
	json_hex(v->start);
	printf(",\"end\":");
	json_hex(v->end);
	printf(",\"perms\":");
	json_str(v->perms);
	printf(",\"offset\":");
	json_hex(v->offset);
	printf(",\"name\":");
	json_str(v->name);
	printf(",\"vmflags\":");
	json_str(v->vmflags);
	printf(",\"maybe_guard\":%s,\"guards\":",
	       v->maybe_guard ? "true" : "false");
	json_ranges(g);
	putchar('}');
}

/* Guards that lie in no VMA: the task changed between the two reads. */
static int scan_outside(const struct guard_ranges *all,
			const struct guard_vmas *vmas, struct guard_ranges *out)
{
	struct guard_ranges covered;
	int ret = 0;

	guard_ranges_init(&covered);
	for (size_t i = 0; !ret && i < vmas->n; i++)
		ret = guard_ranges_add(&covered, vmas->v[i].start,
				       vmas->v[i].end);
	if (!ret)
		ret = ranges_sub(all, &covered, out);
	guard_ranges_free(&covered);
	return ret;
}

static int scan_print(const struct opts *o, pid_t pid,
		      const struct guard_ranges *all,
		      const struct guard_vmas *vmas)
{
	struct guard_ranges g, outside;
	char comm[64];
	uint32_t ns_pid = 0;
	size_t j = 0, with = 0;
	bool first = true;
	int ret;

	read_comm(pid, comm, sizeof(comm));
	if (guard_task_ns_pid(pid, &ns_pid))
		ns_pid = 0;
	guard_ranges_init(&g);
	guard_ranges_init(&outside);
	ret = scan_outside(all, vmas, &outside);
	for (size_t i = 0, k = 0; !ret && i < vmas->n; i++) {
		guard_ranges_reset(&g);
		ret = clip(all, &k, vmas->v[i].start, vmas->v[i].end, &g);
		with += g.n > 0;
	}
	if (ret)
		goto out;
	if (o->json) {
		printf("{\"pid\":%d,\"ns_pid\":%u,\"comm\":", (int)pid, ns_pid);
		json_str(comm);
		printf(",\"ranges\":%zu,\"pages\":%" PRIu64
		       ",\"bytes\":%" PRIu64
		       ",\"vmas_with_guards\":%zu,\"vmas\":[",
		       all->n, pages_of(all), guard_ranges_bytes(all), with);
	} else {
		printf("%d (%s, ns pid %u): %zu guard %s, %" PRIu64
		       " %s (%" PRIu64 " KiB) in %zu %s\n",
		       (int)pid, comm, ns_pid, all->n,
		       plural(all->n, "range", "ranges"), pages_of(all),
		       plural(pages_of(all), "page", "pages"),
		       guard_ranges_bytes(all) >> 10, with,
		       plural(with, "VMA", "VMAs"));
	}
	for (size_t i = 0; !ret && i < vmas->n; i++) {
		const struct guard_vma *v = &vmas->v[i];

		guard_ranges_reset(&g);
		ret = clip(all, &j, v->start, v->end, &g);
		if (ret || (!o->all && !g.n && !v->maybe_guard))
			continue;
		if (o->json)
			scan_vma_json(v, &g, first);
		else
			scan_vma_human(v, &g);
		first = false;
	}
	if (o->json) {
		printf("],\"outside_vmas\":");
		json_ranges(&outside);
		printf("}\n");
	} else if (outside.n) {
		printf("guards outside any VMA (the task changed while "
		       "scanned):\n");
		human_ranges("    ", &outside);
	}
out:
	guard_ranges_free(&g);
	guard_ranges_free(&outside);
	return ret;
}

static int cmd_scan(const struct opts *o)
{
	struct guard_features f;
	struct guard_ranges all;
	struct guard_vmas vmas = { 0 };
	pid_t pid;
	int ret;

	if (o->nargs != 1) {
		fprintf(stderr, "criu-guard scan: expects one PID\n");
		return EXIT_ERR;
	}
	if (parse_pid(o->args[0], &pid) || detect(&f))
		return EXIT_ERR;
	if (!f.scan_guard && !f.pagemap_bit) {
		fprintf(stderr, "criu-guard scan: this kernel reports no guard "
				"pages\n");
		return EXIT_NO;
	}
	guard_ranges_init(&all);
	ret = guard_find(pid, &f, GUARD_SCAN_FULL, &all);
	if (!ret)
		ret = guard_read_vmas(pid, "smaps", &vmas);
	if (!ret)
		ret = scan_print(o, pid, &all, &vmas);
	if (ret)
		fprintf(stderr, "criu-guard scan: pid %d: %s\n", (int)pid,
			strerror(-ret));
	guard_ranges_free(&all);
	guard_vmas_free(&vmas);
	return ret ? EXIT_ERR : 0;
}

/* ---- show ---- */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Pids of every guard-<pid>.img in the directory, sorted. */
static int list_task_images(int dirfd, uint32_t **pids, size_t *n)
{
	size_t cap = 0;
	struct dirent *de;
	DIR *d;
	int fd;

	*pids = NULL;
	*n = 0;
	fd = dup(dirfd);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		uint32_t pid, *v;

		if (!guard_image_parse_name(de->d_name, &pid))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			v = realloc(*pids, cap * sizeof(*v));
			if (!v) {
				closedir(d);
				return -ENOMEM;
			}
			*pids = v;
		}
		(*pids)[(*n)++] = pid;
	}
	closedir(d);
	if (*n)
		qsort(*pids, *n, sizeof(**pids), cmp_u32);
	return 0;
}

static bool has_pid(const uint32_t *v, size_t n, uint32_t pid)
{
	return n && bsearch(&pid, v, n, sizeof(*v), cmp_u32);
}

static const char *err_word(int err)
{
	return err == -ENOENT ? "missing" : "invalid";
}

/* One task image; returns 0 or the reader's error (already printed). */
static int show_task(const struct opts *o, int dirfd, uint32_t pid, bool listed,
		     uint64_t task_size, bool first)
{
	struct guard_ranges r;
	char name[64];
	int ret;

	guard_ranges_init(&r);
	guard_image_name(name, sizeof(name), pid);
	ret = guard_task_image_read(dirfd, pid, task_size, &r);
	if (o->json) {
		printf("%s{\"file\":", first ? "" : ",");
		json_str(name);
		printf(",\"pid\":%u,\"listed\":%s,\"status\":\"%s\"", pid,
		       listed ? "true" : "false", ret ? err_word(ret) : "ok");
		if (!ret) {
			printf(",\"pages\":%" PRIu64 ",\"ranges\":",
			       pages_of(&r));
			json_ranges(&r);
		}
		putchar('}');
	} else if (ret) {
		printf("%s: %s%s\n", name, err_word(ret),
		       listed ? "" : " (not in the index)");
	} else {
		printf("%s: pid %u, %zu guard %s, %" PRIu64 " %s (%" PRIu64
		       " KiB)%s\n",
		       name, pid, r.n, plural(r.n, "range", "ranges"),
		       pages_of(&r), plural(pages_of(&r), "page", "pages"),
		       guard_ranges_bytes(&r) >> 10,
		       listed ? "" : " -- not in the index");
		human_ranges("    ", &r);
	}
	guard_ranges_free(&r);
	return ret;
}

/*
 * Whether the guard images belong to the dump beside them, by the checks a
 * restore makes: CRIU's inventory names the plugin, and guard-binding.img
 * matches every file.  "ok", "stale" (the dump did not use the plugin: a
 * restore ignores the guard images), or why not.
 */
static const char *dump_binding(int dirfd, const struct guard_index *idx,
				int idx_ret)
{
	bool named;
	int ret;

	ret = guard_dump_names_plugin(dirfd, &named);
	if (ret)
		return ret == -ENOENT ? "no inventory" : "bad inventory";
	if (!named)
		return "stale";
	if (idx_ret)
		return "no index";
	ret = guard_binding_check(dirfd, idx);
	return !ret ? "ok" : ret == -ENOENT ? "unbound" : "mismatch";
}

static void show_index(const struct opts *o, const struct guard_index *idx,
		       int idx_ret)
{
	if (o->json) {
		printf(",\"index\":{\"file\":\"%s\",\"status\":\"%s\"",
		       GUARD_INDEX_NAME, idx_ret ? err_word(idx_ret) : "ok");
		if (!idx_ret) {
			/* As read from the file, not this host's values. */
			printf(",\"version\":%u,\"arch\":", idx->version);
			json_str(idx->arch);
			printf(",\"page_size\":%u,\"pids\":[", idx->page_size);
			for (size_t i = 0; i < idx->n; i++)
				printf("%s%u", i ? "," : "", idx->pids[i]);
			putchar(']');
		}
		printf("},\"tasks\":[");
	} else if (idx_ret) {
		printf("%s: %s\n", GUARD_INDEX_NAME, err_word(idx_ret));
	} else {
		printf("%s: %zu %s (format %u, %s, page size %u):",
		       GUARD_INDEX_NAME, idx->n,
		       plural(idx->n, "task", "tasks"), idx->version, idx->arch,
		       idx->page_size);
		for (size_t i = 0; i < idx->n; i++)
			printf(" %u", idx->pids[i]);
		putchar('\n');
	}
}

static int cmd_show(const struct opts *o)
{
	struct guard_index idx = { 0 };
	struct guard_features f;
	uint32_t *files = NULL;
	size_t nfiles = 0;
	int dirfd, ret, idx_ret, bad = 0;
	const char *bind = NULL;
	bool first = true;

	if (o->nargs != 1) {
		fprintf(stderr, "criu-guard show: expects one DIR\n");
		return EXIT_ERR;
	}
	if (detect(&f))
		return EXIT_ERR;
	dirfd = open(o->args[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		fprintf(stderr, "criu-guard show: %s: %s\n", o->args[0],
			strerror(errno));
		return EXIT_ERR;
	}
	ret = list_task_images(dirfd, &files, &nfiles);
	if (ret) {
		fprintf(stderr, "criu-guard show: %s: %s\n", o->args[0],
			strerror(-ret));
		close(dirfd);
		return EXIT_ERR;
	}
	idx_ret = guard_index_read(dirfd, &idx);
	bad += idx_ret != 0;
	if (nfiles || idx_ret != -ENOENT) {
		bind = dump_binding(dirfd, &idx, idx_ret);
		/* Images a restore ignores are not a fault of the dump. */
		bad += strcmp(bind, "ok") && strcmp(bind, "stale");
	}
	if (o->json) {
		printf("{\"dir\":");
		json_str(o->args[0]);
		printf(",\"binding\":");
		json_str(bind);
	}
	show_index(o, &idx, idx_ret);
	/* Every listed task, then images the index does not list. */
	for (size_t i = 0; i < idx.n; i++, first = false)
		bad += show_task(o, dirfd, idx.pids[i], true, f.task_size,
				 first) != 0;
	for (size_t i = 0; i < nfiles; i++) {
		if (has_pid(idx.pids, idx.n, files[i]))
			continue;
		/* Not part of the dump, but an invalid one is still bad. */
		bad += show_task(o, dirfd, files[i], false, f.task_size,
				 first) != 0;
		first = false;
	}
	if (o->json)
		printf("],\"ok\":%s}\n", bad ? "false" : "true");
	else if (!nfiles && idx_ret == -ENOENT)
		printf("no guard images in %s (dumped without the plugin?)\n",
		       o->args[0]);
	else if (!strcmp(bind, "stale"))
		printf("%s does not name %s: the dump needs none of these guard images (it held no guards, or they are stale); a restore ignores them\n",
		       CRIU_INVENTORY_NAME, GUARD_PLUGIN_NAME);
	else
		printf("binding to the dump (%s): %s\n", GUARD_BINDING_NAME,
		       bind);
	guard_index_free(&idx);
	free(files);
	close(dirfd);
	return bad ? EXIT_NO : 0;
}

/* ---- verify ---- */

struct verify_result {
	pid_t pid;
	uint32_t ns_pid;
	char image[64];
	bool in_index;
	bool bound; /* guard-binding.img proves the image is this dump's */
	struct guard_ranges img, live, lost, extra;
};

static void verify_print(const struct opts *o, const struct verify_result *v,
			 bool same)
{
	if (o->json) {
		printf("{\"pid\":%d,\"ns_pid\":%u,\"image\":", (int)v->pid,
		       v->ns_pid);
		json_str(v->image);
		printf(",\"in_index\":%s,\"bound\":%s,\"match\":%s,"
		       "\"image_ranges\":",
		       v->in_index ? "true" : "false",
		       v->bound ? "true" : "false", same ? "true" : "false");
		json_ranges(&v->img);
		printf(",\"process_ranges\":");
		json_ranges(&v->live);
		printf(",\"only_in_image\":");
		json_ranges(&v->lost);
		printf(",\"only_in_process\":");
		json_ranges(&v->extra);
		printf("}\n");
		return;
	}
	printf("pid %d (ns pid %u) against %s: ", (int)v->pid, v->ns_pid,
	       v->image);
	if (same) {
		printf("match, %zu guard %s, %" PRIu64 " %s\n", v->img.n,
		       plural(v->img.n, "range", "ranges"), pages_of(&v->img),
		       plural(pages_of(&v->img), "page", "pages"));
		return;
	}
	printf("DIFFER\n");
	if (!v->in_index)
		printf("  %s does not list ns pid %u\n", GUARD_INDEX_NAME,
		       v->ns_pid);
	if (!v->bound)
		printf("  the guard images are not bound to the dump in this "
		       "directory (%s)\n",
		       GUARD_BINDING_NAME);
	if (v->lost.n) {
		printf("  only in the image (guards lost), %" PRIu64 " %s:\n",
		       pages_of(&v->lost),
		       plural(pages_of(&v->lost), "page", "pages"));
		human_ranges("    ", &v->lost);
	}
	if (v->extra.n) {
		printf("  only in the process (guards not in the image), "
		       "%" PRIu64 " %s:\n",
		       pages_of(&v->extra),
		       plural(pages_of(&v->extra), "page", "pages"));
		human_ranges("    ", &v->extra);
	}
}

static int verify_load(const struct opts *o, int dirfd,
		       const struct guard_features *f, struct verify_result *v)
{
	struct guard_index idx;
	bool named;
	int ret;

	ret = guard_task_ns_pid(v->pid, &v->ns_pid);
	if (ret)
		return ret;
	/* The checks a restore makes: is there anything to compare with? */
	ret = guard_dump_names_plugin(dirfd, &named);
	if (ret)
		return ret;
	if (!named) {
		fprintf(stderr,
			"criu-guard verify: %s/%s does not name %s: the dump "
			"there held no guards for the plugin\n",
			o->args[1], CRIU_INVENTORY_NAME, GUARD_PLUGIN_NAME);
		return -ENOENT;
	}
	guard_image_name(v->image, sizeof(v->image), v->ns_pid);
	ret = guard_task_image_read(dirfd, v->ns_pid, f->task_size, &v->img);
	if (ret == -ENOENT)
		fprintf(stderr,
			"criu-guard verify: %s/%s is missing: ns pid %u was "
			"not dumped with the plugin\n",
			o->args[1], v->image, v->ns_pid);
	if (ret)
		return ret;
	ret = guard_index_read(dirfd, &idx);
	if (ret == -ENOENT)
		fprintf(stderr, "criu-guard verify: %s/%s is missing\n",
			o->args[1], GUARD_INDEX_NAME);
	if (ret)
		return ret;
	v->in_index = has_pid(idx.pids, idx.n, v->ns_pid);
	/* A swapped image must not "match": the binding says whose it is. */
	v->bound = guard_binding_check(dirfd, &idx) == 0;
	guard_index_free(&idx);
	ret = guard_find(v->pid, f, GUARD_SCAN_FULL, &v->live);
	if (!ret)
		ret = ranges_sub(&v->img, &v->live, &v->lost);
	if (!ret)
		ret = ranges_sub(&v->live, &v->img, &v->extra);
	return ret;
}

static int cmd_verify(const struct opts *o)
{
	struct verify_result v;
	struct guard_features f;
	int dirfd, ret;
	bool same;

	if (o->nargs != 2) {
		fprintf(stderr, "criu-guard verify: expects PID DIR\n");
		return EXIT_ERR;
	}
	memset(&v, 0, sizeof(v));
	if (parse_pid(o->args[0], &v.pid) || detect(&f))
		return EXIT_ERR;
	dirfd = open(o->args[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		fprintf(stderr, "criu-guard verify: %s: %s\n", o->args[1],
			strerror(errno));
		return EXIT_ERR;
	}
	ret = verify_load(o, dirfd, &f, &v);
	close(dirfd);
	if (!ret) {
		same = v.in_index && v.bound && !v.lost.n && !v.extra.n;
		verify_print(o, &v, same);
	} else if (ret != -ENOENT) {
		fprintf(stderr, "criu-guard verify: %s\n", strerror(-ret));
	}
	guard_ranges_free(&v.img);
	guard_ranges_free(&v.live);
	guard_ranges_free(&v.lost);
	guard_ranges_free(&v.extra);
	if (ret)
		return EXIT_ERR;
	return same ? 0 : EXIT_NO;
}

/* ---- command line ---- */

struct command {
	const char *name;
	const char *synopsis;
	const char *help;
	int (*fn)(const struct opts *o);
};

static const struct command commands[] = {
	{ "check", "check [--criu PATH] [--plugin-dir DIR]",
	  "The doctor for a host: will criu dump and restore a process with\n"
	  "guard regions here?  One line each, with the remedy where the answer\n"
	  "is no: hardware breakpoints (CRIU < 4.2 hangs where they never fire;\n"
	  "the plugin then switches criu to single-stepping), guard install,\n"
	  "PAGEMAP_SCAN guard category, pagemap bit 58, smaps \"gu\",\n"
	  "process_madvise() guard advice, task and page size, the CRIU version\n"
	  "and whether it handles guards natively (it exports " GUARD_CRIU_NATIVE_SYMBOL
	  ")\n"
	  "whether the plugin is installed where criu loads it, soft-dirty\n"
	  "(pre-dump) and userfaultfd (lazy pages). Honours CRIU_GUARD_DISABLE,\n"
	  "CRIU_GUARD_HWBP and CRIU_FAULT like the plugin and criu do.\n"
	  "Exit 1 if a dump of a guarded process won't work here.\n"
	  "  --criu PATH       criu binary to examine (default: criu from PATH)\n"
	  "  --plugin-dir DIR  where criu loads plugins (default " PLUGINDIR
	  ")\n",
	  cmd_check },
	{ "scan", "scan [--all] PID",
	  "Lists the guard ranges of a live process per VMA, with the VMA's\n"
	  "range, permissions, offset, name and VmFlags (like pmap).\n"
	  "  --all  list every VMA, also those without guards\n",
	  cmd_scan },
	{ "show", "show DIR",
	  "Decodes guard-index.img and every guard-<pid>.img in a CRIU image\n"
	  "directory with the plugin's own (validating) readers, and whether\n"
	  "they belong to the dump there (binding: ok; stale: the dump did not\n"
	  "use the plugin and a restore ignores them; unbound or mismatch).\n"
	  "Exit 1 if an image is missing or invalid, listed or not, or the\n"
	  "images are unbound or do not match the dump.\n",
	  cmd_show },
	{ "verify", "verify PID DIR",
	  "Compares the guards of a live (restored) process with its image in\n"
	  "DIR (guard-<ns pid>.img, the pid in its own pid namespace). Exit 1\n"
	  "and list the differences if they differ; exit 2 if there is no\n"
	  "image to compare with.\n",
	  cmd_verify },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out,
		"usage: criu-guard [--json] COMMAND [ARGS]\n"
		"Inspects guard regions (MADV_GUARD_INSTALL) for CRIU and the\n"
		"criu-guard plugin.\n\ncommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %s\n", commands[i].synopsis);
	fprintf(out, "\noptions:\n"
		     "  --json     machine-readable output (one JSON object)\n"
		     "  --verbose  print the plugin modules' messages\n"
		     "  --help     this text; COMMAND --help for a command\n"
		     "\nexit status: 0 ok, 1 the answer is no (see COMMAND "
		     "--help),\n"
		     "2 usage or system error\n");
}

static void command_usage(const struct command *c)
{
	printf("usage: criu-guard [--json] %s\n\n%s", c->synopsis, c->help);
}

int main(int argc, char **argv)
{
	const struct command *cmd = NULL;
	struct opts o = { 0 };
	bool help = false, no_more = false;
	char **pos;
	int npos = 0;

	page_size = sysconf(_SC_PAGESIZE);
	pos = calloc(argc, sizeof(*pos));
	if (!pos)
		return EXIT_ERR;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (no_more || a[0] != '-' || !a[1]) {
			pos[npos++] = argv[i];
		} else if (!strcmp(a, "--")) {
			no_more = true;
		} else if (!strcmp(a, "--json")) {
			o.json = true;
		} else if (!strcmp(a, "--all")) {
			o.all = true;
		} else if (!strcmp(a, "--verbose") || !strcmp(a, "-v")) {
			guard_log_set_stderr_level(GUARD_LOG_DEBUG);
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			help = true;
		} else if (!strcmp(a, "--criu") && i + 1 < argc) {
			o.criu = argv[++i];
		} else if (!strncmp(a, "--criu=", 7)) {
			o.criu = a + 7;
		} else if (!strcmp(a, "--plugin-dir") && i + 1 < argc) {
			o.plugin_dir = argv[++i];
		} else if (!strncmp(a, "--plugin-dir=", 13)) {
			o.plugin_dir = a + 13;
		} else {
			fprintf(stderr, "criu-guard: unknown option %s\n", a);
			usage(stderr);
			free(pos);
			return EXIT_ERR;
		}
	}
	if (npos) {
		for (size_t i = 0; i < N_COMMANDS; i++)
			if (!strcmp(pos[0], commands[i].name))
				cmd = &commands[i];
		if (!cmd) {
			fprintf(stderr, "criu-guard: unknown command %s\n",
				pos[0]);
			usage(stderr);
			free(pos);
			return EXIT_ERR;
		}
	}
	if (!cmd) {
		usage(help ? stdout : stderr);
		free(pos);
		return help ? 0 : EXIT_ERR;
	}
	if (help) {
		command_usage(cmd);
		free(pos);
		return 0;
	}
	o.args = pos + 1;
	o.nargs = npos - 1;
	if (guard_hwbp_policy_parse(getenv("CRIU_GUARD_HWBP"),
				    &o.hwbp_policy)) {
		fprintf(stderr,
			"criu-guard: CRIU_GUARD_HWBP=%s is not auto, off or broken\n",
			getenv("CRIU_GUARD_HWBP"));
		free(pos);
		return EXIT_ERR;
	}
	int ret = cmd->fn(&o);

	free(pos);
	return ret;
}
