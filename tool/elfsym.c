// SPDX-License-Identifier: GPL-2.0
/*
 * Reads .dynsym through the section headers: strip(1) keeps them and the
 * dynamic symbols, so this works on distribution binaries.
 */
#include <elf.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elfsym.h"

/* [off, off + size) lies inside a buffer of len bytes. */
static int in_bounds(uint64_t off, uint64_t size, size_t len)
{
	return off <= len && size <= len - off;
}

static int check_ehdr(const uint8_t *buf, size_t len, const Elf64_Ehdr **out)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)buf;
	uint8_t data =
		__BYTE_ORDER == __LITTLE_ENDIAN ? ELFDATA2LSB : ELFDATA2MSB;

	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != data)
		return -ENOEXEC;
	if (!eh->e_shoff || eh->e_shentsize != sizeof(Elf64_Shdr))
		return -ENOEXEC;
	*out = eh;
	return 0;
}

static int sym_in_table(const uint8_t *buf, size_t len, const Elf64_Shdr *sh,
			const Elf64_Shdr *str, const char *sym)
{
	size_t want = strlen(sym) + 1;
	const char *names;
	uint64_t n;

	if (sh->sh_entsize != sizeof(Elf64_Sym) ||
	    !in_bounds(sh->sh_offset, sh->sh_size, len) ||
	    !in_bounds(str->sh_offset, str->sh_size, len) ||
	    sh->sh_offset % _Alignof(Elf64_Sym))
		return -ENOEXEC;
	names = (const char *)buf + str->sh_offset;
	n = sh->sh_size / sizeof(Elf64_Sym);
	for (uint64_t i = 0; i < n; i++) {
		const Elf64_Sym *s =
			(const Elf64_Sym *)(buf + sh->sh_offset) + i;
		int bind = ELF64_ST_BIND(s->st_info);

		if (s->st_shndx == SHN_UNDEF ||
		    (bind != STB_GLOBAL && bind != STB_WEAK))
			continue;
		if (s->st_name >= str->sh_size ||
		    str->sh_size - s->st_name < want)
			continue;
		if (!memcmp(names + s->st_name, sym, want))
			return 1;
	}
	return 0;
}

int elf_buf_exports(const uint8_t *buf, size_t len, const char *sym)
{
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh;
	uint64_t shnum;
	int ret;

	ret = check_ehdr(buf, len, &eh);
	if (ret)
		return ret;
	if (eh->e_shoff % _Alignof(Elf64_Shdr) ||
	    !in_bounds(eh->e_shoff, sizeof(Elf64_Shdr), len))
		return -ENOEXEC;
	sh = (const Elf64_Shdr *)(buf + eh->e_shoff);
	/* Over 0xff00 sections, the count lives in section 0's sh_size. */
	shnum = eh->e_shnum ? eh->e_shnum : sh[0].sh_size;
	if (shnum > len / sizeof(Elf64_Shdr) ||
	    !in_bounds(eh->e_shoff, shnum * sizeof(Elf64_Shdr), len))
		return -ENOEXEC;
	for (uint64_t i = 0; i < shnum; i++) {
		if (sh[i].sh_type != SHT_DYNSYM)
			continue;
		if (sh[i].sh_link >= shnum)
			return -ENOEXEC;
		ret = sym_in_table(buf, len, &sh[i], &sh[sh[i].sh_link], sym);
		if (ret)
			return ret;
	}
	return 0;
}

int elf_file_exports(const char *path, const char *sym)
{
	struct stat st;
	void *map;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	if (st.st_size <= 0) {
		close(fd);
		return -ENOEXEC;
	}
	map = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	ret = map == MAP_FAILED ? -errno : 0;
	close(fd);
	if (ret)
		return ret;
	ret = elf_buf_exports(map, st.st_size, sym);
	munmap(map, st.st_size);
	return ret;
}
