/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The parser of /proc/PID/smaps and maps text into VMAs.  Pure: it reads
 * no file itself (guard_proc.h does), so it can be fuzzed and unit-tested.
 */
#ifndef CRIU_GUARD_SMAPS_H
#define CRIU_GUARD_SMAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct guard_vma {
	uint64_t start;
	uint64_t end;
	bool maybe_guard; /* VmFlags has "gu" */
	bool locked;	  /* VmFlags has "lo": guards can't be reinstalled */
	bool exec;
	bool special; /* kernel-provided: [vdso], [vsyscall], [uprobes], ... */
	/* For inspection (criu-guard scan); the plugin does not need them. */
	char perms[5]; /* "rw-p" */
	uint64_t offset;
	char *name;    /* path or "[heap]"; NULL if anonymous; may be cut */
	char *vmflags; /* the VmFlags text ("rd wr mr mw me ac gu"), or NULL */
};

struct guard_vmas {
	struct guard_vma *v;
	size_t n;
	size_t cap;
};

void guard_vmas_free(struct guard_vmas *v);

/*
 * Parses smaps (or maps) text.  Lines may be split anywhere across calls to
 * feed; finish flushes the last line.  Malformed input gives -EINVAL.
 */
struct guard_smaps_parser {
	struct guard_vmas *out;
	char line[512];
	size_t len;
	bool overlong;
	int err;
};

void guard_smaps_parser_init(struct guard_smaps_parser *p,
			     struct guard_vmas *out);
int guard_smaps_parser_feed(struct guard_smaps_parser *p, const char *buf,
			    size_t len);
int guard_smaps_parser_finish(struct guard_smaps_parser *p);

#endif
