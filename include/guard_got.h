/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The GOT of the executable this code runs in: its JUMP_SLOT and
 * GLOB_DAT relocations by symbol name, and writing a slot even where full
 * RELRO made it read-only.  The page walk hook (guard_pagewalk.h) points
 * criu's slots at its wrappers through it.
 */
#ifndef CRIU_GUARD_GOT_H
#define CRIU_GUARD_GOT_H

#include <elf.h>
#include <link.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The executable's dynamic tables, found from its program headers. */
struct guard_exe {
	uintptr_t base;
	const ElfW(Phdr) * phdr;
	size_t phnum;
	const ElfW(Sym) * symtab;
	const char *strtab;
	const ElfW(Rela) * rel[2]; /* DT_JMPREL, DT_RELA */
	size_t rel_n[2];
	uintptr_t relro_start, relro_end;
	bool found;
};

/*
 * Reads the running executable's tables into x.  0; -EOPNOTSUPP on an
 * architecture whose relocation types are not known here; -ENOEXEC if
 * they can't be read (no dynamic section, not RELA).
 */
int guard_exe_read(struct guard_exe *x);

/* True if p lies in one of the executable's own segments (a PLT stub). */
bool guard_exe_contains(const struct guard_exe *x, uintptr_t p);

/*
 * Called for every JUMP_SLOT and GLOB_DAT relocation with a symbol: its
 * name, the slot, and whether the slot is in PT_GNU_RELRO.  Non-zero ends
 * the walk and is returned.
 */
typedef int (*guard_exe_slot_fn)(void *arg, const char *sym, void **slot,
				 bool relro);
int guard_exe_each_slot(const struct guard_exe *x, guard_exe_slot_fn fn,
			void *arg);

/* Stores v in slot atomically; 0, or -errno if mprotect() refused. */
int guard_got_write(void **slot, bool relro, void *v);

#endif
