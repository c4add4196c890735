// SPDX-License-Identifier: GPL-2.0
/*
 * criu-guard: inspect guard regions the way the plugin sees them.  Every
 * answer comes from the plugin's own modules (feature probe, PAGEMAP_SCAN,
 * smaps parser, image readers), so what the tool says is what a dump or a
 * restore would do.  This file parses the command line; each command
 * lives in its own file (check.c, scan.c, show.c, verify.c).
 *
 * Exit status: 0 fine, 1 the answer is "no" (check: the plugin can't work
 * here; show: an image is bad or missing; verify: process and image
 * differ), 2 usage or system error.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard_criu_syms.h"
#include "guard_hwbp.h"
#include "guard_log.h"
#include "tool.h"

#ifndef PLUGINDIR
#define PLUGINDIR "/usr/lib/criu"
#endif

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
	  "they belong to the dump there (binding: ok; stale: not this dump's,\n"
	  "a restore ignores them; refused: the inventory does not name the\n"
	  "plugin but the guards are this dump's, or can't be told stale;\n"
	  "unbound or mismatch). Exit 1 if an image is missing or invalid,\n"
	  "listed or not, or the images are refused, unbound or do not match\n"
	  "the dump.\n",
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
	int policy;
	bool help = false, no_more = false;
	char **pos;
	int npos = 0;

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
	if (guard_env_parse(&guard_hwbp_env, getenv("CRIU_GUARD_HWBP"),
			    &policy)) {
		char names[64];

		guard_env_names(&guard_hwbp_env, names, sizeof(names));
		fprintf(stderr, "criu-guard: CRIU_GUARD_HWBP=%s is not %s\n",
			getenv("CRIU_GUARD_HWBP"), names);
		free(pos);
		return EXIT_ERR;
	}
	o.hwbp_policy = policy;
	int ret = cmd->fn(&o);

	free(pos);
	return ret;
}
