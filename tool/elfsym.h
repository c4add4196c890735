/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough ELF64 to ask whether a binary exports a symbol: criu 4.2+
 * exports collect_madv_guards, and the tool must tell without running or
 * loading criu.
 */
#ifndef CRIU_GUARD_ELFSYM_H
#define CRIU_GUARD_ELFSYM_H

#include <stddef.h>
#include <stdint.h>

/*
 * 1 if the ELF image in buf defines sym in its dynamic symbol table, 0 if
 * not, -ENOEXEC if buf is not a well-formed native ELF64 file with section
 * headers.  Every offset is bounds-checked: buf is untrusted.
 */
int elf_buf_exports(const uint8_t *buf, size_t len, const char *sym);

/* The same for a file; -errno if it can't be read. */
int elf_file_exports(const char *path, const char *sym);

#endif
