/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Zero-lift: makes the page walk of CRIU 4.0/4.1 skip guard pages, as
 * CRIU 4.2 does, so the dump never takes a guard away from a live task.
 * CRIU < 4.2 decides which pages to dump in one place, pmc_fill()
 * (criu/pagemap-cache.c), through ioctl(PAGEMAP_SCAN) on
 * /proc/PID/pagemap, or pread() of it where the scan is unavailable.  The
 * plugin points criu's GOT slots for ioctl and pread64/pread at wrappers:
 * a PAGEMAP_SCAN gets PAGE_IS_GUARD added to category_inverted and
 * category_mask (guard pages are left out), and a pread of a pagemap file
 * gets the present and swap bits cleared in entries that carry
 * PM_GUARD_REGION (guard pages read as holes).
 */
#ifndef CRIU_GUARD_PAGEWALK_H
#define CRIU_GUARD_PAGEWALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum guard_pagewalk_fn {
	GUARD_PW_IOCTL,
	GUARD_PW_PREAD64,
	GUARD_PW_PREAD,
	GUARD_PW_LISTEN,
	GUARD_PW_NR,
};

/* One patched GOT entry of the criu executable. */
struct guard_pagewalk_slot {
	void **slot;
	void *orig; /* what it held, put back at removal */
	bool relro; /* in PT_GNU_RELRO: read-only after start (BIND_NOW) */
	enum guard_pagewalk_fn fn;
};

/* A file the pread wrapper has classified, by identity and fd. */
struct guard_pagewalk_file {
	dev_t dev;
	ino_t ino;
	int fd;
	bool pagemap;
};

#define GUARD_PW_SLOTS 8
#define GUARD_PW_FILES 8

/*
 * Called once, before criu's first listen() on a TCP socket: in criu dump
 * --lazy-pages that is the page server it starts after writing every
 * image (cr_dump_finish -> cr_lazy_mem_dump), long before exit(DUMP),
 * and a restore may start from those images at once.
 */
typedef void (*guard_pagewalk_listen_fn)(void *arg);

struct guard_pagewalk {
	bool installed;
	bool filter; /* false: the page walk wrappers pass through */
	guard_pagewalk_listen_fn on_listen;
	void *on_listen_arg;
	bool listened;
	struct guard_pagewalk_slot slots[GUARD_PW_SLOTS];
	size_t n_slots;
	void *prev[GUARD_PW_NR]; /* what each wrapper chains to */
	struct guard_pagewalk_file files[GUARD_PW_FILES];
	unsigned int next_file;
	uint64_t scans;	  /* PAGEMAP_SCAN calls filtered */
	uint64_t reads;	  /* preads of pagemap seen */
	uint64_t cleared; /* guard entries turned into holes */
};

/*
 * Puts the wrappers in place in the criu executable this plugin runs in.
 * 0, or -errno with *why saying what is missing (no ioctl or pread slot,
 * unsupported architecture, mprotect refused); nothing is left changed
 * then.  The plugin is pinned in memory (RTLD_NODELETE): a slot that
 * outlives an exit() hook never points at unmapped code.
 */
int guard_pagewalk_install(struct guard_pagewalk *pw, const char **why);

/*
 * The same slots with the page walk left alone (filter false): only the
 * listen() hook acts, for criu >= 4.2, whose walk must not be changed.
 */
int guard_pagewalk_install_listen(struct guard_pagewalk *pw,
				  guard_pagewalk_listen_fn fn, void *arg,
				  const char **why);

/*
 * Puts criu back: each slot that still holds our wrapper gets its old
 * value; a slot another plugin has taken since is left to it.
 */
void guard_pagewalk_remove(struct guard_pagewalk *pw);

/* True if every wrapper is still in its slot. */
bool guard_pagewalk_in_place(const struct guard_pagewalk *pw);

#endif
