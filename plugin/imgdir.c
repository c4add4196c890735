// SPDX-License-Identifier: GPL-2.0
/*
 * Access to an image directory by fd, as criu hands it to plugins.  Every
 * reader of a directory listing or a whole image goes through here, so
 * each rule (bounds before reading, the fd left open) lives once.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guard_imgdir.h"
#include "guard_log.h"

/*
 * readdir() on a stream over dirfd itself would close criu's descriptor
 * at closedir() and share its offset: the stream takes a duplicate, and
 * starts from the beginning whatever an earlier listing left.
 */
DIR *guard_dir_open(int dirfd)
{
	int fd = dup(dirfd);
	DIR *d;

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d) {
		int err = errno;

		close(fd);
		errno = err;
		return NULL;
	}
	rewinddir(d);
	return d;
}

int guard_read_whole(int dirfd, const char *name, size_t min, size_t max,
		     uint8_t **buf, size_t *len)
{
	struct stat st;
	ssize_t n;
	int fd, ret = 0;

	*buf = NULL;
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		/* Missing is the caller's to explain: it knows who needs it. */
		if (ret != -ENOENT)
			pr_perror("Can't open %s", name);
		return ret;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		pr_perror("Can't stat %s", name);
		goto out;
	}
	if (!st.st_size) {
		pr_err("%s: empty (0 bytes)\n", name);
		ret = -EINVAL;
	} else if (st.st_size < (off_t)min) {
		pr_err("%s: truncated: %lld bytes, shorter than the %zu-byte header\n",
		       name, (long long)st.st_size, min);
		ret = -EINVAL;
	} else if (st.st_size > (off_t)max) {
		pr_err("%s: %lld bytes, more than the %zu such an image can hold (not this kind of image)\n",
		       name, (long long)st.st_size, max);
		ret = -EINVAL;
	}
	if (ret)
		goto out;
	*buf = malloc(st.st_size ? st.st_size : 1);
	if (!*buf) {
		ret = -ENOMEM;
		goto out;
	}
	n = pread(fd, *buf, st.st_size, 0);
	if (n != st.st_size) {
		ret = n < 0 ? -errno : -EIO;
		pr_err("%s: read %zd of %lld bytes\n", name, n,
		       (long long)st.st_size);
		goto out;
	}
	*len = st.st_size;
out:
	if (ret) {
		free(*buf);
		*buf = NULL;
	}
	close(fd);
	return ret;
}
