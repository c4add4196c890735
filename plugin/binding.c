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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guard.pb-c.h"
#include "guard_binding.h"
#include "guard_criu_images.h"
#include "guard_criu_syms.h"
#include "guard_imgdir.h"
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

/* The name the binding must list at i, for tasks pids (its own). */
static void expected_name(char *buf, size_t len, size_t i, uint32_t pid)
{
	if (i == 0)
		snprintf(buf, len, "%s", CRIU_INVENTORY_NAME);
	else if (i == 1)
		snprintf(buf, len, "%s", GUARD_INDEX_NAME);
	else if ((i - 2) % 3 == 0)
		guard_image_name(buf, len, pid);
	else if ((i - 2) % 3 == 1)
		snprintf(buf, len, "core-%u.img", pid);
	else
		guard_criu_mm_name(buf, len, pid);
}

/* The files must come in binding_names() order, each with one digest. */
static int check_layout(const GuardBindingEntry *e, const char *name,
			struct guard_binding *out)
{
	char want[64];
	uint32_t pid = 0;

	if (e->n_files < 2 || (e->n_files - 2) % 3) {
		pr_err("%s: lists %zu files, not the inventory, the index and three per task (corrupt)\n",
		       name, e->n_files);
		return -EINVAL;
	}
	out->n = (e->n_files - 2) / 3;
	out->pids = calloc(out->n + 1, sizeof(*out->pids));
	if (!out->pids)
		return -ENOMEM;
	for (size_t i = 0; i < e->n_files; i++) {
		const GuardBindingFile *f = e->files[i];

		if (i >= 2 && (i - 2) % 3 == 0 &&
		    (!guard_image_parse_name(f->name, &pid) ||
		     (i > 2 && pid <= out->pids[(i - 2) / 3 - 1]))) {
			pr_err("%s: lists %s where the guard image of the next task (pids ascending) was expected (corrupt)\n",
			       name, f->name);
			return -EINVAL;
		}
		if (i >= 2)
			out->pids[(i - 2) / 3] = pid;
		expected_name(want, sizeof(want), i, pid);
		if (strcmp(f->name, want)) {
			pr_err("%s: lists %s where %s was expected (corrupt)\n",
			       name, f->name, want);
			return -EINVAL;
		}
		if (f->sha256.len != GUARD_SHA256_LEN) {
			pr_err("%s: the digest of %s is %zu bytes, not %d (corrupt)\n",
			       name, f->name, f->sha256.len, GUARD_SHA256_LEN);
			return -EINVAL;
		}
	}
	return 0;
}

int guard_binding_decode(const uint8_t *buf, size_t len, const char *name,
			 struct guard_binding *out)
{
	GuardBindingEntry *e;
	int ret;

	memset(out, 0, sizeof(*out));
	e = (GuardBindingEntry *)guard_image_decode(
		buf, len, name, GUARD_IMG_BINDING_MAGIC,
		&guard_binding_entry__descriptor);
	if (!e)
		return -EINVAL;
	out->msg = &e->base;
	ret = guard_image_check_common(name, e->version, e->page_size, e->arch);
	if (!ret)
		ret = check_layout(e, name, out);
	if (ret)
		guard_binding_free(out);
	return ret;
}

void guard_binding_free(struct guard_binding *b)
{
	if (b->msg)
		protobuf_c_message_free_unpacked(b->msg, NULL);
	free(b->pids);
	memset(b, 0, sizeof(*b));
}

int guard_binding_read(int dirfd, struct guard_binding *out)
{
	uint8_t *buf;
	size_t len;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = guard_image_read(dirfd, GUARD_BINDING_NAME, &buf, &len);
	if (ret)
		return ret;
	ret = guard_binding_decode(buf, len, GUARD_BINDING_NAME, out);
	free(buf);
	return ret;
}

static const GuardBindingFile *file_at(const struct guard_binding *b, size_t i)
{
	return ((const GuardBindingEntry *)b->msg)->files[i];
}

/* 1 if the file has the digest recorded at i, 0 if not, or -errno. */
static int same_file(int dirfd, const struct guard_binding *b, size_t i,
		     uint8_t d[GUARD_SHA256_LEN])
{
	const GuardBindingFile *f = file_at(b, i);
	int ret = hash_file(dirfd, f->name, d);

	if (ret)
		return ret;
	return !memcmp(d, f->sha256.data, GUARD_SHA256_LEN);
}

static int check_one(int dirfd, const struct guard_binding *b, size_t i)
{
	const char *name = file_at(b, i)->name;
	char have[2 * GUARD_SHA256_LEN + 1], want[2 * GUARD_SHA256_LEN + 1];
	uint8_t d[GUARD_SHA256_LEN];
	int ret = same_file(dirfd, b, i, d);

	if (ret == -ENOENT)
		pr_err("%s, recorded in %s, is missing\n", name,
		       GUARD_BINDING_NAME);
	if (ret)
		return ret < 0 ? ret : 0;
	guard_sha256_hex(d, have);
	guard_sha256_hex(file_at(b, i)->sha256.data, want);
	pr_err("%s is not the file the guard images were dumped with (sha256 %.16s..., %s records %.16s...): guard images from another dump or task\n",
	       name, have, GUARD_BINDING_NAME, want);
	return -EINVAL;
}

int guard_binding_check(int dirfd, const struct guard_index *idx)
{
	struct guard_binding b;
	int ret;

	ret = guard_binding_read(dirfd, &b);
	if (ret == -ENOENT)
		pr_err("%s is missing: the guard images can't be proven to belong to this dump (was it copied without it, or did the dump fail to write it?)\n",
		       GUARD_BINDING_NAME);
	if (ret)
		return ret;
	if (b.n != idx->n) {
		pr_err("%s covers %zu tasks, %s lists %zu: not this dump's\n",
		       GUARD_BINDING_NAME, b.n, GUARD_INDEX_NAME, idx->n);
		ret = -EINVAL;
	}
	for (size_t i = 0; !ret && i < b.n; i++) {
		if (b.pids[i] == idx->pids[i])
			continue;
		pr_err("%s covers task %u where %s lists %u: not this dump's\n",
		       GUARD_BINDING_NAME, b.pids[i], GUARD_INDEX_NAME,
		       idx->pids[i]);
		ret = -EINVAL;
	}
	for (size_t i = 0; !ret && i < 2 + 3 * b.n; i++)
		ret = check_one(dirfd, &b, i);
	guard_binding_free(&b);
	return ret;
}

/*
 * Is the binding this dump's?  Yes if a task of this dump (pstree.img)
 * has the core or mm image the binding recorded: those differ between
 * dumps, and a reused directory keeps an earlier dump's images only for
 * pids this dump does not have.  Sets *task to such a task, or 0.
 */
static int binding_task_here(int dirfd, const struct guard_binding *b,
			     uint32_t *task)
{
	struct guard_criu_pstree tree = { 0 };
	uint8_t d[GUARD_SHA256_LEN];
	bool read = false;
	int ret = 0;

	*task = 0;
	for (size_t t = 0; !ret && !*task && t < b->n; t++) {
		/* files 2 + 3t + 1 and + 2: its core and mm image */
		for (size_t k = 1; !ret && !*task && k <= 2; k++) {
			ret = same_file(dirfd, b, 2 + 3 * t + k, d);
			if (ret == -ENOENT)
				ret = 0;
			if (ret <= 0)
				continue;
			ret = read ? 0 : guard_criu_pstree_read(dirfd, &tree);
			read = true;
			if (!ret && guard_criu_pstree_has(&tree, b->pids[t]))
				*task = b->pids[t];
		}
	}
	guard_criu_pstree_free(&tree);
	return ret < 0 ? ret : 0;
}

/*
 * No binding: a dump without guards (the plugin removes an earlier
 * binding and writes an empty guard image per task), or the binding was
 * deleted.  A task of this dump with guard ranges in its image is not
 * the former: it can't be proven either way, so it is refused.
 */
static int check_unbound(int dirfd)
{
	struct guard_criu_pstree tree;
	struct guard_ranges r;
	char name[64];
	int ret;

	ret = guard_criu_pstree_read(dirfd, &tree);
	for (size_t i = 0; !ret && i < tree.n; i++) {
		guard_ranges_init(&r);
		ret = guard_task_image_read(dirfd, tree.pids[i], UINT64_MAX,
					    &r);
		if (ret == -ENOENT)
			ret = 0;
		guard_image_name(name, sizeof(name), tree.pids[i]);
		if (!ret && r.n) {
			pr_err("%s holds %zu guard ranges of this dump's task %u, but %s does not name %s and %s is missing: the inventory is damaged or swapped, or the binding deleted; refused rather than restoring without guards\n",
			       name, r.n, tree.pids[i], CRIU_INVENTORY_NAME,
			       GUARD_PLUGIN_NAME, GUARD_BINDING_NAME);
			ret = -EINVAL;
		}
		guard_ranges_free(&r);
	}
	guard_criu_pstree_free(&tree);
	return ret;
}

/* The inventory names no plugin: are there guards it fails to mention? */
static int decide_unnamed(int dirfd, enum guard_dump_kind *kind)
{
	struct guard_binding b;
	uint32_t task;
	int ret;

	*kind = GUARD_DUMP_STALE;
	ret = guard_binding_read(dirfd, &b);
	if (ret == -ENOENT)
		return check_unbound(dirfd);
	if (ret) {
		pr_err("%s can't be read, and %s does not name %s: whether the guard images belong to this dump can't be told; refused rather than restoring without guards (remove the guard images if they are stale)\n",
		       GUARD_BINDING_NAME, CRIU_INVENTORY_NAME,
		       GUARD_PLUGIN_NAME);
		return ret;
	}
	ret = binding_task_here(dirfd, &b, &task);
	if (!ret && task) {
		pr_err("%s does not name %s, but %s binds this dump's task %u to its guard images: %s is damaged or from another dump (it is not the file the guard images were dumped with); refused rather than restoring without guards\n",
		       CRIU_INVENTORY_NAME, GUARD_PLUGIN_NAME,
		       GUARD_BINDING_NAME, task, CRIU_INVENTORY_NAME);
		ret = -EINVAL;
	}
	guard_binding_free(&b);
	return ret;
}

int guard_dump_decide(int dirfd, enum guard_dump_kind *kind)
{
	struct guard_criu_inventory inv;
	int ret;

	*kind = GUARD_DUMP_NONE;
	ret = guard_criu_inventory_read(dirfd, &inv);
	if (ret == -ENOENT)
		pr_err("CRIU's %s is missing\n", CRIU_INVENTORY_NAME);
	if (ret)
		return ret;
	if (inv.names_plugin) {
		*kind = GUARD_DUMP_OURS;
		return 0;
	}
	if (!guard_images_present(dirfd))
		return 0;
	return decide_unnamed(dirfd, kind);
}

bool guard_images_present(int dirfd)
{
	bool found = false;
	struct dirent *de;
	uint32_t pid;
	DIR *dir = guard_dir_open(dirfd);

	if (!dir)
		return false;
	while (!found && (de = readdir(dir)))
		found = guard_image_parse_name(de->d_name, &pid) ||
			!strcmp(de->d_name, GUARD_INDEX_NAME) ||
			!strcmp(de->d_name, GUARD_BINDING_NAME);
	closedir(dir);
	return found;
}
