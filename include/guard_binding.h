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

/*
 * Do the guard images in dirfd belong to the dump there at all?  Reads
 * CRIU's inventory.img: *named is true if it names the plugin (the dump
 * held guards and the plugin recorded them).  0 or -errno with a message.
 */
int guard_dump_names_plugin(int dirfd, bool *named);

/* True if dirfd holds any guard-<pid>.img, guard-index.img or binding. */
bool guard_images_present(int dirfd);

#endif
