// SPDX-License-Identifier: GPL-2.0
/*
 * The running executable's GOT (guard_got.h), read from the program
 * headers ld.so keeps in memory: criu's own binary, not its file, which
 * may have been replaced since it started.
 */
#include <errno.h>
#include <link.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guard_got.h"

#if defined(__x86_64__)
#define R_JUMP_SLOT R_X86_64_JUMP_SLOT
#define R_GLOB_DAT R_X86_64_GLOB_DAT
#elif defined(__aarch64__)
#define R_JUMP_SLOT R_AARCH64_JUMP_SLOT
#define R_GLOB_DAT R_AARCH64_GLOB_DAT
#endif

static int first_object(struct dl_phdr_info *info, size_t size, void *data)
{
	struct guard_exe *x = data;

	/* The first object is the executable: criu itself. */
	x->base = info->dlpi_addr;
	x->phdr = info->dlpi_phdr;
	x->phnum = info->dlpi_phnum;
	x->found = true;
	return 1;
}

/* ld.so relocates some d_ptr values in place and not others. */
static uintptr_t dyn_addr(const struct guard_exe *x, uintptr_t p)
{
	return p < x->base ? p + x->base : p;
}

static int read_dynamic(struct guard_exe *x)
{
	const ElfW(Dyn) *dyn = NULL;
	size_t pltrelsz = 0, relasz = 0;
	uintptr_t jmprel = 0, rela = 0;
	long pltrel = DT_RELA;

	for (size_t i = 0; i < x->phnum; i++) {
		const ElfW(Phdr) *ph = &x->phdr[i];

		if (ph->p_type == PT_DYNAMIC)
			dyn = (const void *)(x->base + ph->p_vaddr);
		if (ph->p_type == PT_GNU_RELRO) {
			x->relro_start = x->base + ph->p_vaddr;
			x->relro_end = x->relro_start + ph->p_memsz;
		}
	}
	if (!dyn)
		return -ENOENT;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		switch (dyn->d_tag) {
		case DT_SYMTAB:
			x->symtab = (const void *)dyn_addr(x, dyn->d_un.d_ptr);
			break;
		case DT_STRTAB:
			x->strtab = (const void *)dyn_addr(x, dyn->d_un.d_ptr);
			break;
		case DT_JMPREL:
			jmprel = dyn_addr(x, dyn->d_un.d_ptr);
			break;
		case DT_PLTRELSZ:
			pltrelsz = dyn->d_un.d_val;
			break;
		case DT_PLTREL:
			pltrel = dyn->d_un.d_val;
			break;
		case DT_RELA:
			rela = dyn_addr(x, dyn->d_un.d_ptr);
			break;
		case DT_RELASZ:
			relasz = dyn->d_un.d_val;
			break;
		}
	}
	if (!x->symtab || !x->strtab || pltrel != DT_RELA)
		return -ENOEXEC;
	x->rel[0] = (const void *)jmprel;
	x->rel_n[0] = jmprel ? pltrelsz / sizeof(ElfW(Rela)) : 0;
	x->rel[1] = (const void *)rela;
	x->rel_n[1] = rela ? relasz / sizeof(ElfW(Rela)) : 0;
	return 0;
}

bool guard_exe_contains(const struct guard_exe *x, uintptr_t p)
{
	for (size_t i = 0; i < x->phnum; i++) {
		const ElfW(Phdr) *ph = &x->phdr[i];
		uintptr_t s = x->base + ph->p_vaddr;

		if (ph->p_type == PT_LOAD && p >= s && p < s + ph->p_memsz)
			return true;
	}
	return false;
}

int guard_exe_read(struct guard_exe *x)
{
	memset(x, 0, sizeof(*x));
#ifndef R_JUMP_SLOT
	return -EOPNOTSUPP;
#endif
	dl_iterate_phdr(first_object, x);
	if (!x->found)
		return -ENOEXEC;
	return read_dynamic(x);
}

int guard_exe_each_slot(const struct guard_exe *x, guard_exe_slot_fn fn,
			void *arg)
{
	for (int t = 0; t < 2; t++) {
		for (size_t i = 0; i < x->rel_n[t]; i++) {
			const ElfW(Rela) *r = &x->rel[t][i];
			unsigned long type = ELF64_R_TYPE(r->r_info);
			uintptr_t slot = x->base + r->r_offset;
			const char *sym;
			int ret;

			if ((type != R_JUMP_SLOT && type != R_GLOB_DAT) ||
			    !ELF64_R_SYM(r->r_info))
				continue;
			sym = x->strtab +
			      x->symtab[ELF64_R_SYM(r->r_info)].st_name;
			ret = fn(arg, sym, (void **)slot,
				 slot >= x->relro_start && slot < x->relro_end);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/*
 * A slot in PT_GNU_RELRO is read-only once ld.so is done (BIND_NOW, full
 * RELRO): its page is made writable for the one store and read-only again.
 */
int guard_got_write(void **slot, bool relro, void *v)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p = (void *)((uintptr_t)slot & ~(uintptr_t)(page - 1));

	if (relro && mprotect(p, page, PROT_READ | PROT_WRITE))
		return -errno;
	__atomic_store_n(slot, v, __ATOMIC_SEQ_CST);
	if (relro && mprotect(p, page, PROT_READ))
		return -errno;
	return 0;
}
