// SPDX-License-Identifier: GPL-2.0
/*
 * criu-guard check: the doctor for a host.  Kernel features come from the
 * plugin's own probe, taken once: unmasked for what the kernel offers,
 * then masked by CRIU_GUARD_DISABLE as the plugin would see them.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "elfsym.h"
#include "guard_criu_syms.h"
#include "guard_log.h"
#include "host.h"
#include "json.h"
#include "tool.h"

#ifndef PLUGINDIR
#define PLUGINDIR "/usr/lib/criu"
#endif

struct criu_info {
	char path[4096];
	char version[64];
	int native;	 /* 1 exports the symbol, 0 not, <0 can't tell */
	int fi_strategy; /* the same for the breakpoint plugin's switch */
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
	ci->native = ci->fi_strategy = -ENOENT;
	if (!find_in_path(name, ci->path, sizeof(ci->path))) {
		ci->path[0] = '\0';
		return;
	}
	criu_version(ci->path, ci->version, sizeof(ci->version));
	ci->native = elf_file_exports(ci->path, GUARD_CRIU_NATIVE_SYMBOL);
	ci->fi_strategy = elf_file_exports(ci->path, GUARD_CRIU_FI_SYMBOL);
}

/*
 * Guard advice through process_madvise() on a pidfd of this very process:
 * the kernel takes it only on the caller's own mm.
 */
/* One probe, then the mask: no second probe, no edit of the environment. */
static int detect_both(struct guard_features *f, struct guard_features *raw)
{
	int ret = guard_probe_features(raw);

	if (ret) {
		fprintf(stderr, "criu-guard: can't probe the kernel: %s\n",
			strerror(-ret));
		return ret;
	}
	*f = *raw;
	guard_features_mask(f, getenv("CRIU_GUARD_DISABLE"));
	guard_features_log(f);
	return 0;
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
		       const char *hwbp_plugin, struct host_facts *h)
{
	const char *fault = getenv("CRIU_FAULT");

	memset(h, 0, sizeof(*h));
	h->guards = f->madv_guard;
	h->findable = f->scan_guard || f->pagemap_bit;
	h->criu_found = ci->path[0];
	host_criu_version(ci->version, &h->criu_major, &h->criu_minor);
	h->criu_native = ci->native;
	h->plugin_installed = access(plugin, R_OK) == 0;
	h->hwbp_plugin_installed = access(hwbp_plugin, R_OK) == 0;
	h->criu_fi_strategy = ci->fi_strategy;
	h->hwbp = guard_hwbp_probe();
	h->hwbp_policy = o->hwbp_policy;
	h->criu_fault = fault ? atoi(fault) : 0;
}

static const char *hwbp_line(const struct host_facts *h, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s: %s", guard_hwbp_state_name(h->hwbp),
		 h->hwbp_policy == GUARD_HWBP_BROKEN ?
			 " (taken as never firing: CRIU_GUARD_HWBP=broken)" :
			 "",
		 host_hwbp_outcome(h));
	return buf;
}

static void check_json(const struct guard_features *f,
		       const struct guard_features *raw, bool pmadv,
		       const struct criu_info *ci, const char *plugin,
		       const char *hwbp_plugin, const struct host_facts *h,
		       const char *blocker)
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
	printf(",\"hwbp_plugin\":");
	json_str(hwbp_plugin);
	printf(",\"hwbp_plugin_installed\":%s",
	       h->hwbp_plugin_installed ? "true" : "false");
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
			const char *hwbp_plugin, const struct host_facts *h,
			const char *blocker)
{
	char buf[128], hw[512];

	check_line("hardware breakpoints (ptrace, x86)",
		   hwbp_line(h, hw, sizeof(hw)));
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
	printf("%-44s %s (%s)\n", "breakpoint plugin installed",
	       h->hwbp_plugin_installed ?
		       "yes" :
		       "no: meson install, or the criu-guard package",
	       hwbp_plugin);
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

int cmd_check(const struct opts *o)
{
	struct guard_features f, raw;
	struct host_facts h;
	struct criu_info ci;
	const char *blocker;
	char plugin[4096], hwbp_plugin[4096];
	const char *dir = o->plugin_dir ? o->plugin_dir : PLUGINDIR;
	bool pmadv;

	if (o->nargs) {
		fprintf(stderr, "criu-guard check: no arguments expected\n");
		return EXIT_ERR;
	}
	if (detect_both(&f, &raw))
		return EXIT_ERR;
	/* Unmasked, as the kernel offers it: the check's own probe did. */
	pmadv = raw.batch;
	probe_criu(o->criu ? o->criu : "criu", &ci);
	snprintf(plugin, sizeof(plugin), "%s/guard_plugin.so", dir);
	snprintf(hwbp_plugin, sizeof(hwbp_plugin), "%s/guard_hwbp.so", dir);
	check_host(o, &f, &ci, plugin, hwbp_plugin, &h);
	blocker = host_guarded_dump_blocker(&h);
	if (o->json)
		check_json(&f, &raw, pmadv, &ci, plugin, hwbp_plugin, &h,
			   blocker);
	else
		check_human(&f, &raw, pmadv, &ci, plugin, hwbp_plugin, &h,
			    blocker);
	return blocker ? EXIT_NO : 0;
}
