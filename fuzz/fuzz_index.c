// SPDX-License-Identifier: GPL-2.0
/* guard-index.img decoder: refuses the bytes or returns ascending pids. */
#include <stdint.h>
#include <stdlib.h>

#include "guard_image.h"
#include "guard_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct guard_index idx;

	guard_log_set_stderr_level(0);
	if (guard_index_decode(data, size, "fuzz", &idx))
		return 0;
	if ((idx.n && !idx.pids) || !guard_pids_ascending(idx.pids, idx.n))
		abort();
	guard_index_free(&idx);
	return 0;
}
