/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CRIU's own images, read by the plugin at restore.  mm-<pid>.img gives a
 * task's mappings before the task exists, so init(RESTORE) can refuse
 * guard ranges that lie outside them, and the ranges CRIU >= 4.2 records
 * itself (VMA_AREA_GUARD), so that no range is installed twice.
 */
#ifndef CRIU_GUARD_CRIU_IMAGES_H
#define CRIU_GUARD_CRIU_IMAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guard_range.h"

/* CRIU's criu/include/magic.h and image.h; part of its image ABI. */
#define CRIU_IMG_COMMON_MAGIC 0x54564319u
#define CRIU_MM_MAGIC 0x57492820u
#define CRIU_INVENTORY_MAGIC 0x58313116u
#define CRIU_INVENTORY_NAME "inventory.img"
#define CRIU_PSTREE_MAGIC 0x50273030u
#define CRIU_PSTREE_NAME "pstree.img"
#define CRIU_VMA_AREA_GUARD (1u << 16)
#define CRIU_VMA_AREA_VDSO (1u << 3)
#define CRIU_PAGEMAP_MAGIC 0x56084025u
#define CRIU_MAP_LOCKED 0x2000u
#define CRIU_IMG_MAX_ENTRY (64u << 20)

struct guard_criu_mm {
	struct guard_ranges mapped; /* the task's VMAs, adjacent ones merged */
	struct guard_ranges guards; /* ranges criu restores as guards itself */
	struct guard_range vdso;    /* the vDSO VMA; empty if none */
	struct guard_ranges locked; /* VMAs criu restores with MAP_LOCKED */
};

void guard_criu_mm_init(struct guard_criu_mm *mm);
void guard_criu_mm_free(struct guard_criu_mm *mm);

/* Name of a task's mm image: mm-<pid>.img, pid in its own namespace. */
void guard_criu_mm_name(char *buf, size_t len, uint32_t pid);

/*
 * Reads mm-<pid>.img from the image directory.  Returns 0, -ENOENT if the
 * file is missing, or -EINVAL with a message naming the file and fault.
 */
int guard_criu_mm_read(int dirfd, uint32_t pid, struct guard_criu_mm *out);
int guard_criu_mm_decode(const uint8_t *buf, size_t len, const char *name,
			 struct guard_criu_mm *out);

/*
 * Checks that every range in g lies inside the mappings, and in none that
 * criu restores locked (the kernel refuses MADV_GUARD_INSTALL there:
 * -EOPNOTSUPP); name is the guard image, for the message.  Returns 0,
 * -EINVAL or -EOPNOTSUPP.
 */
int guard_criu_mm_check(const struct guard_criu_mm *mm, const char *name,
			const struct guard_ranges *g);

/*
 * CRIU's inventory.img: whether the dump named the plugin as required.
 * CRIU names it (add_inventory_plugin) only for dumps that hold guards, so
 * this says whether guard images belong to the dump at all.
 */
struct guard_criu_inventory {
	bool has_plugin_list; /* a plugins_entry at all (CRIU >= 4.0) */
	bool names_plugin;    /* it lists GUARD_PLUGIN_NAME */
};

/* 0, -ENOENT if missing, or -EINVAL with a message naming the file. */
int guard_criu_inventory_read(int dirfd, struct guard_criu_inventory *out);
int guard_criu_inventory_decode(const uint8_t *buf, size_t len,
				const char *name,
				struct guard_criu_inventory *out);

/*
 * CRIU's pstree.img: the pids (in their own namespace) of the dump's
 * tasks.  Every dump rewrites it, so it tells this dump's core-<pid>.img
 * from one an earlier dump left in a reused directory.
 */
struct guard_criu_pstree {
	uint32_t *pids;
	size_t n;
};

/* 0, -ENOENT if missing (with a message), or -EINVAL naming the file. */
int guard_criu_pstree_read(int dirfd, struct guard_criu_pstree *out);
int guard_criu_pstree_decode(const uint8_t *buf, size_t len, const char *name,
			     struct guard_criu_pstree *out);
bool guard_criu_pstree_has(const struct guard_criu_pstree *t, uint32_t pid);
void guard_criu_pstree_free(struct guard_criu_pstree *t);

#endif
