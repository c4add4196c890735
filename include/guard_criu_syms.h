/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every CRIU-internal symbol the plugin uses, in one place.  criu exports
 * these from its binary without declaring them in criu-plugin.h, so their
 * prototypes are copied here from CRIU's sources (criu/log.c, criu/image.c,
 * criu/fault-injection.c) and checked against each release we test.  All
 * are weak: the same modules link into the tool and the unit tests, where
 * they are absent, and every accessor says so instead of crashing.
 */
#ifndef CRIU_GUARD_CRIU_SYMS_H
#define CRIU_GUARD_CRIU_SYMS_H

#include <stdbool.h>
#include <stddef.h>

/* The name in CR_PLUGIN_REGISTER and in CRIU's inventory. */
#define GUARD_PLUGIN_NAME "criu-guard"
/* The breakpoint plugin's name: registered only, never in the inventory. */
#define GUARD_HWBP_PLUGIN_NAME "criu-guard-hwbp"

/*
 * criu >= 4.2 exports this (its own guard support); 4.1 does not.  The
 * plugin asks the dynamic linker, the tool reads the same name from a criu
 * binary's dynamic symbols: both through this one definition.
 */
#define GUARD_CRIU_NATIVE_SYMBOL "collect_madv_guards"
/* criu's fault-injection switch, which the breakpoint plugin sets. */
#define GUARD_CRIU_FI_SYMBOL "fi_strategy"

/* True inside a criu process (print_on_level resolved). */
bool guard_criu_present(void);

/*
 * Hands prefix and msg to criu's log at level (1 error .. 4 debug); false
 * outside criu.
 */
bool guard_criu_print(unsigned int level, const char *prefix, const char *msg);

/*
 * Names the plugin in the dump's inventory, so a restore without it is
 * refused.  0, -ENOSYS if this criu has no add_inventory_plugin(), -EIO.
 */
int guard_criu_add_inventory(void);

/*
 * Claims the plugin's inventory entry at restore: 1 claimed (or the
 * inventory has no plugin list at all: criu answers true then), 0 the list
 * does not name the plugin, -ENOSYS if criu lacks the function.
 */
int guard_criu_claim_inventory(void);

/* criu's fault-injection switch (enum faults), or NULL outside criu. */
int *guard_criu_fi_strategy(void);

/* True if the criu running this plugin handles guard regions itself. */
bool guard_criu_native(void);

/*
 * True if this criu streams its images (criu dump --stream, through
 * criu-image-streamer): "--stream" on its command line, or the streamer's
 * socket in the image directory (dirfd), which also covers criu swrk.
 * Files the plugin writes beside the images would not be in the stream.
 */
bool guard_criu_streaming(int dirfd);

#endif
