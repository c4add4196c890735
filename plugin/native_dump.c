// SPDX-License-Identifier: GPL-2.0
/*
 * exit(DUMP): the plugin's guard ranges also recorded the way CRIU >= 4.2
 * records its own, as VMA_AREA_GUARD entries of mm-<pid>.img.  criu reads
 * inventory.img before it loads any plugin, and where its plugin directory
 * does not exist at all it skips the check of the plugins the inventory
 * names (criu/plugin.c, 4.1.1 and 4.2.1): such a criu would restore the
 * dump without its guards.  With the entries, 4.2 restores them itself and
 * 4.1 refuses the image ("VMA-s are not sorted"); with the plugin, 4.2
 * leaves them to criu and 4.1 reads the images through the view that
 * hides them (native_restore.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "guard_criu_images.h"
#include "guard_image.h"
#include "guard_imgdir.h"
#include "guard_log.h"
#include "guard_native_mm.h"
#include "guard_plugin.h"

/* Written beside the image and renamed over it: never half an image. */
static int replace(int dirfd, const char *name, const uint8_t *b, size_t len)
{
	char tmp[96];
	int fd, ret = 0;

	snprintf(tmp, sizeof(tmp), "%s.criu-guard.tmp", name);
	errno = EIO;
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, b, len) != (ssize_t)len || fsync(fd) ||
	    renameat(dirfd, tmp, dirfd, name))
		ret = -errno;
	if (ret)
		pr_perror("Can't rewrite %s", name);
	if (fd >= 0)
		close(fd);
	if (ret)
		unlinkat(dirfd, tmp, 0);
	return ret;
}

/* Ranges criu did not record itself go into the task's mm image. */
static int record_task(int dirfd, const struct guard_task *t)
{
	struct guard_criu_mm mm;
	struct guard_ranges add;
	uint8_t *buf = NULL, *out = NULL;
	size_t len, out_len;
	bool refused = false;
	char name[64];
	int ret;

	guard_criu_mm_name(name, sizeof(name), t->ns_pid);
	guard_ranges_init(&add);
	ret = guard_read_whole(dirfd, name, 8, 8 + CRIU_IMG_MAX_ENTRY, &buf,
			       &len);
	if (!ret)
		ret = guard_criu_mm_decode(buf, len, name, &mm);
	if (!ret) {
		ret = guard_ranges_subtract(&t->ranges, &mm.guards, &add);
		guard_criu_mm_free(&mm);
	}
	if (!ret && add.n)
		ret = guard_mm_append(buf, len, name, &add, &out, &out_len,
				      &refused);
	if (!ret && add.n)
		ret = replace(dirfd, name, out, out_len);
	if (!ret && add.n)
		pr_info("%s: %zu guard ranges added as VMA_AREA_GUARD entries (CRIU 4.2's own records): criu >= 4.2 without the plugin restores them, criu < 4.2 without it refuses the image\n",
			name, add.n);
	if (!ret && add.n && !refused)
		pr_warn("%s: its one guard range lies in the task's highest mapping, where criu < 4.2 without the plugin does not refuse the image: there it restores without it (4.2 and the plugin restore it)\n",
			name);
	guard_ranges_free(&add);
	free(buf);
	free(out);
	return ret;
}

int guard_native_record(int dirfd, const struct guard_tasks *tasks)
{
	uint64_t t0 = guard_now_us();
	size_t failed = 0;

	for (size_t i = 0; i < tasks->n; i++)
		if (tasks->v[i].ranges.n && record_task(dirfd, &tasks->v[i]))
			failed++;
	if (failed)
		pr_err("%zu mm images lack the guard records: restorable with the plugin, but a criu without any plugin directory restores them without their guards\n",
		       failed);
	pr_info("timing dump-exit native-records=%lluus\n",
		(unsigned long long)(guard_now_us() - t0));
	return failed ? -EIO : 0;
}
