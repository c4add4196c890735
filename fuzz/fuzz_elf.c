// SPDX-License-Identifier: GPL-2.0
/*
 * criu-guard check reads the dynamic symbols of whatever "criu" is in
 * PATH: the ELF reader must survive any file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "elfsym.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* As from mmap: page-aligned, which the reader may rely on. */
	uint8_t *buf =
		aligned_alloc(4096, size ? (size + 4095) / 4096 * 4096 : 4096);

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	elf_buf_exports(buf, size, "collect_madv_guards");
	free(buf);
	return 0;
}
