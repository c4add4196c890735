// SPDX-License-Identifier: GPL-2.0
/*
 * guard-binding.img: proves at restore that the guard images belong to the
 * dump beside them.  A digest of CRIU's own images rather than a random id
 * stored in ours: the plugin can't add anything to CRIU's images, and
 * inventory.img (which holds the dump's run id), core-<pid>.img (registers)
 * and mm-<pid>.img (VMAs, auxv) differ between any two dumps, also of the
 * same program at the same pid.  Pages and pagemaps are left out: with
 * --page-server they are written elsewhere, and they are large.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guard.pb-c.h"
#include "guard_binding.h"
#include "guard_criu_images.h"
#include "guard_log.h"
#include "guard_sha256.h"

struct names {
	char (*v)[64];
	size_t n;
};

/* The files a restore relies on, in the order the binding lists them. */
static int binding_names(const struct guard_index *idx, struct names *out)
{
	out->n = 0;
	out->v = calloc(2 + 3 * idx->n, sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	snprintf(out->v[out->n++], 64, "%s", CRIU_INVENTORY_NAME);
	snprintf(out->v[out->n++], 64, "%s", GUARD_INDEX_NAME);
	for (size_t i = 0; i < idx->n; i++) {
		guard_image_name(out->v[out->n++], 64, idx->pids[i]);
		snprintf(out->v[out->n++], 64, "core-%u.img", idx->pids[i]);
		guard_criu_mm_name(out->v[out->n++], 64, idx->pids[i]);
	}
	return 0;
}

static int hash_file(int dirfd, const char *name, uint8_t d[GUARD_SHA256_LEN])
{
	struct guard_sha256 c;
	uint8_t buf[65536];
	ssize_t n;
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	guard_sha256_init(&c);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		guard_sha256_update(&c, buf, n);
	if (n < 0) {
		n = -errno;
		pr_perror("Can't read %s", name);
	}
	close(fd);
	guard_sha256_final(&c, d);
	return (int)n;
}

/*
 * The most guard_binding_write() can need for n tasks: the image header,
 * version, page size and arch (a uname machine), and per file a name of
 * at most 63 bytes and a digest, each with its tags and lengths.
 */
static off_t binding_bound(size_t n_tasks)
{
	return 8 + 80 + 104 * (off_t)(2 + 3 * n_tasks);
}

int guard_binding_reserve(int dirfd, size_t n_tasks)
{
	char tmp[64];
	int fd, ret;

	snprintf(tmp, sizeof(tmp), "%s.tmp", GUARD_BINDING_NAME);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = -errno;
		pr_perror("Can't reserve %s", GUARD_BINDING_NAME);
		return ret;
	}
	/* glibc writes zeros where the file system can't allocate. */
	ret = -posix_fallocate(fd, 0, binding_bound(n_tasks));
	if (ret)
		pr_err("Can't reserve %lld bytes for %s: %s; refusing the dump, which could not be restored\n",
		       (long long)binding_bound(n_tasks), GUARD_BINDING_NAME,
		       strerror(-ret));
	close(fd);
	return ret;
}

void guard_binding_unreserve(int dirfd)
{
	char tmp[64];

	snprintf(tmp, sizeof(tmp), "%s.tmp", GUARD_BINDING_NAME);
	if (unlinkat(dirfd, tmp, 0) && errno != ENOENT)
		pr_perror("Can't remove %s", tmp);
}

int guard_binding_write(int dirfd, const struct guard_index *idx)
{
	GuardBindingEntry e = GUARD_BINDING_ENTRY__INIT;
	GuardBindingFile *f = NULL, **fp = NULL;
	uint8_t(*d)[GUARD_SHA256_LEN] = NULL;
	struct names names;
	int ret;

	ret = binding_names(idx, &names);
	if (ret)
		return ret;
	f = calloc(names.n, sizeof(*f));
	fp = calloc(names.n, sizeof(*fp));
	d = calloc(names.n, sizeof(*d));
	ret = f && fp && d ? 0 : -ENOMEM;
	for (size_t i = 0; !ret && i < names.n; i++) {
		ret = hash_file(dirfd, names.v[i], d[i]);
		if (ret == -ENOENT)
			pr_err("Can't bind the guard images: %s is missing\n",
			       names.v[i]);
		guard_binding_file__init(&f[i]);
		f[i].name = names.v[i];
		f[i].sha256.data = d[i];
		f[i].sha256.len = GUARD_SHA256_LEN;
		fp[i] = &f[i];
	}
	if (!ret) {
		e.version = GUARD_IMG_VERSION;
		e.page_size = (uint32_t)sysconf(_SC_PAGESIZE);
		e.arch = (char *)guard_image_arch();
		e.n_files = names.n;
		e.files = fp;
		ret = guard_image_write(dirfd, GUARD_BINDING_NAME,
					GUARD_IMG_BINDING_MAGIC, &e.base);
	}
	free(f);
	free(fp);
	free(d);
	free(names.v);
	return ret;
}

static int check_one(int dirfd, const char *name, const GuardBindingFile *f)
{
	uint8_t d[GUARD_SHA256_LEN];
	char have[2 * GUARD_SHA256_LEN + 1], want[2 * GUARD_SHA256_LEN + 1];
	int ret;

	if (strcmp(f->name, name) || f->sha256.len != GUARD_SHA256_LEN) {
		pr_err("%s: lists %s where %s was expected (corrupt, or not this dump's)\n",
		       GUARD_BINDING_NAME, f->name, name);
		return -EINVAL;
	}
	ret = hash_file(dirfd, name, d);
	if (ret == -ENOENT)
		pr_err("%s, recorded in %s, is missing\n", name,
		       GUARD_BINDING_NAME);
	if (ret)
		return ret;
	if (!memcmp(d, f->sha256.data, GUARD_SHA256_LEN))
		return 0;
	guard_sha256_hex(d, have);
	guard_sha256_hex(f->sha256.data, want);
	pr_err("%s is not the file the guard images were dumped with (sha256 %.16s..., %s records %.16s...): guard images from another dump or task\n",
	       name, have, GUARD_BINDING_NAME, want);
	return -EINVAL;
}

int guard_binding_check(int dirfd, const struct guard_index *idx)
{
	GuardBindingEntry *e = NULL;
	struct names names = { 0 };
	uint8_t *buf;
	size_t len;
	int ret;

	ret = guard_image_read(dirfd, GUARD_BINDING_NAME, &buf, &len);
	if (ret == -ENOENT)
		pr_err("%s is missing: the guard images can't be proven to belong to this dump (was it copied without it, or did the dump fail to write it?)\n",
		       GUARD_BINDING_NAME);
	if (ret)
		return ret;
	e = (GuardBindingEntry *)guard_image_decode(
		buf, len, GUARD_BINDING_NAME, GUARD_IMG_BINDING_MAGIC,
		&guard_binding_entry__descriptor);
	ret = e ? 0 : -EINVAL;
	if (!ret)
		ret = guard_image_check_common(GUARD_BINDING_NAME, e->version,
					       e->page_size, e->arch);
	if (!ret)
		ret = binding_names(idx, &names);
	if (!ret && e->n_files != names.n) {
		pr_err("%s covers %zu files, the index needs %zu: not this dump's\n",
		       GUARD_BINDING_NAME, e->n_files, names.n);
		ret = -EINVAL;
	}
	for (size_t i = 0; !ret && i < names.n; i++)
		ret = check_one(dirfd, names.v[i], e->files[i]);
	if (e)
		guard_binding_entry__free_unpacked(e, NULL);
	free(names.v);
	free(buf);
	return ret;
}

int guard_dump_names_plugin(int dirfd, bool *named)
{
	struct guard_criu_inventory inv;
	int ret;

	*named = false;
	ret = guard_criu_inventory_read(dirfd, &inv);
	if (ret == -ENOENT)
		pr_err("CRIU's %s is missing\n", CRIU_INVENTORY_NAME);
	if (ret)
		return ret;
	*named = inv.names_plugin;
	return 0;
}

bool guard_images_present(int dirfd)
{
	bool found = false;
	struct dirent *de;
	uint32_t pid;
	int fd = dup(dirfd);
	DIR *dir;

	if (fd < 0)
		return false;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return false;
	}
	rewinddir(dir);
	while (!found && (de = readdir(dir)))
		found = guard_image_parse_name(de->d_name, &pid) ||
			!strcmp(de->d_name, GUARD_INDEX_NAME) ||
			!strcmp(de->d_name, GUARD_BINDING_NAME);
	closedir(dir);
	return found;
}
