/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Binds a dump's guard images to the dump: guard-binding.img records the
 * SHA-256 of CRIU's inventory.img, guard-index.img and, per task, of
 * guard-<pid>.img, core-<pid>.img and mm-<pid>.img.  CRIU has written all
 * of them when exit(DUMP) runs.  Restore and `criu-guard verify` run the
 * same check, so neither trusts a guard image from another dump.
 */
#ifndef CRIU_GUARD_BINDING_H
#define CRIU_GUARD_BINDING_H

#include <stdbool.h>
#include <stdint.h>

#include "guard_image.h"

#define GUARD_IMG_BINDING_MAGIC 0x31444e42u /* "BND1" */
#define GUARD_BINDING_NAME "guard-binding.img"

/*
 * Reserves, in guard-binding.img.tmp, the space the binding of n_tasks
 * tasks can take, so that writing it at exit(DUMP), after criu has
 * decided the dump succeeded, can't fail for want of space.  Called while
 * the dump can still fail: 0, or -errno with a message.
 */
int guard_binding_reserve(int dirfd, size_t n_tasks);
/* Drops the reservation (a failed dump). */
void guard_binding_unreserve(int dirfd);

/*
 * Records the digests for the tasks of idx (the dump's index), into the
 * reserved file if there is one.
 */
int guard_binding_write(int dirfd, const struct guard_index *idx);

/*
 * Checks every file of the dump against guard-binding.img: 0 if all
 * match; -ENOENT (binding missing) or -EINVAL (mismatch, corrupt) with a
 * message naming the file.
 */
int guard_binding_check(int dirfd, const struct guard_index *idx);

/* A decoded binding whose layout is checked: the files in order. */
struct ProtobufCMessage;
struct guard_binding {
	struct ProtobufCMessage *msg; /* the entry: its files in order */
	uint32_t *pids;		      /* the tasks, ascending */
	size_t n;
};

/* 0, -ENOENT, or -EINVAL with a message naming the file and fault. */
int guard_binding_read(int dirfd, struct guard_binding *out);
int guard_binding_decode(const uint8_t *buf, size_t len, const char *name,
			 struct guard_binding *out);
void guard_binding_free(struct guard_binding *b);

enum guard_dump_kind {
	GUARD_DUMP_NONE,  /* no guard images at all */
	GUARD_DUMP_STALE, /* guard images, but not of this dump: ignored */
	GUARD_DUMP_OURS,  /* the inventory names the plugin: restore them */
};

/*
 * Do the guard images in dirfd belong to the dump there?  The inventory
 * names the plugin in every dump with guards; where it does not, a
 * binding that proves the guard images are this dump's (a task of
 * pstree.img has the core or mm image it recorded) means inventory.img
 * is damaged or swapped: refused, as is a binding that can't be read.
 * 0 or -errno with a message naming the file.
 */
int guard_dump_decide(int dirfd, enum guard_dump_kind *kind);

/* True if dirfd holds any guard-<pid>.img, guard-index.img or binding. */
bool guard_images_present(int dirfd);

#endif
