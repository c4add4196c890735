/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A scratch image directory for one unit test program, under $TMPDIR,
 * removed when the main process exits (not when a case's child does).
 */
#ifndef CRIU_GUARD_UNIT_DIR_H
#define CRIU_GUARD_UNIT_DIR_H

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "guard_log.h"
#include "unit.h"

static char unit_dir_path[4096];
static int unit_dir_fd = -1;

static inline void unit_dir_remove(void)
{
	struct dirent *de;
	DIR *d;

	if (unit_dir_fd < 0 || !unit_is_main())
		return; /* a case's exit: the next case uses the directory */
	d = fdopendir(dup(unit_dir_fd));
	/* The dup shares the offset a reader of the directory left at its end. */
	if (d)
		rewinddir(d);
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.')
			unlinkat(unit_dir_fd, de->d_name, 0);
	if (d)
		closedir(d);
	close(unit_dir_fd);
	unit_dir_fd = -1;
	rmdir(unit_dir_path);
}

/* The directory's fd, or -1 (said why on stderr). */
static inline int unit_dir_create(const char *suite)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(unit_dir_path, sizeof(unit_dir_path),
		 "%s/guard-unit-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", suite);
	if (!mkdtemp(unit_dir_path)) {
		perror("mkdtemp");
		return -1;
	}
	unit_dir_fd = open(unit_dir_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (unit_dir_fd < 0) {
		perror(unit_dir_path);
		rmdir(unit_dir_path);
		return -1;
	}
	atexit(unit_dir_remove);
	return unit_dir_fd;
}

/* Writes a whole file into the directory, for crafted images. */
static inline void unit_dir_write(const char *name, const void *buf, size_t len)
{
	int fd = openat(unit_dir_fd, name, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ASSERT(fd >= 0);
	ASSERT(write(fd, buf, len) == (ssize_t)len);
	close(fd);
}

/*
 * Runs a suite of crafted images in the scratch directory.  The readers'
 * complaints about bad images are the expected noise: shown only with
 * UNIT_VERBOSE.
 */
static inline int unit_dir_run(const char *suite, const struct unit_test *t,
			       size_t n)
{
	if (!getenv("UNIT_VERBOSE"))
		guard_log_set_stderr_level((enum guard_log_level)0);
	if (unit_dir_create(suite) < 0)
		return 1;
	return unit_run(suite, t, n);
}

#endif
