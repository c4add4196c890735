// SPDX-License-Identifier: GPL-2.0
/*
 * The one reader of /proc/PID files.  Each costs the kernel a walk of the
 * task (status takes the task's locks, maps its mm), so callers read each
 * once per task and hook and pass the result down.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guard_log.h"
#include "guard_proc.h"

/* pid 0 is the caller: getpid() names another task inside a pid ns. */
static void proc_path(char *buf, size_t len, pid_t pid, const char *file)
{
	if (pid)
		snprintf(buf, len, "/proc/%d/%s", (int)pid, file);
	else
		snprintf(buf, len, "/proc/self/%s", file);
}

int guard_proc_open(pid_t pid, const char *file)
{
	char path[64];
	int fd, ret;

	proc_path(path, sizeof(path), pid, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		pr_perror("Can't open %s", path);
		return ret;
	}
	return fd;
}

int guard_read_vmas(pid_t pid, const char *file, struct guard_vmas *out)
{
	struct guard_smaps_parser parser;
	char path[64], buf[65536];
	ssize_t n;
	int fd, ret;

	fd = guard_proc_open(pid, file);
	if (fd < 0)
		return fd;
	proc_path(path, sizeof(path), pid, file);
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

void guard_proc_snap_init(struct guard_proc_snap *s, pid_t pid)
{
	memset(s, 0, sizeof(*s));
	s->pid = pid;
	s->pagemap_fd = -1;
}

int guard_proc_snap_vmas(struct guard_proc_snap *s, bool smaps,
			 const struct guard_vmas **out)
{
	int ret;

	if (!s->have_vmas || (smaps && !s->vmas_smaps)) {
		ret = guard_read_vmas(s->pid, smaps ? "smaps" : "maps",
				      &s->vmas);
		if (ret)
			return ret;
		s->have_vmas = true;
		s->vmas_smaps = smaps;
	}
	*out = &s->vmas;
	return 0;
}

int guard_proc_snap_pagemap(struct guard_proc_snap *s)
{
	if (s->pagemap_fd < 0)
		s->pagemap_fd = guard_proc_open(s->pid, "pagemap");
	return s->pagemap_fd;
}

void guard_proc_snap_free(struct guard_proc_snap *s)
{
	if (s->pagemap_fd >= 0)
		close(s->pagemap_fd);
	guard_vmas_free(&s->vmas);
	guard_proc_snap_init(s, s->pid);
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
	proc_path(path, sizeof(path), pid, "status");
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
