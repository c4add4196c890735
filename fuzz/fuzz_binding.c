// SPDX-License-Identifier: GPL-2.0
/*
 * guard-binding.img decoder: refuses the bytes or returns a binding whose
 * layout the restore relies on (the inventory, the index, three files per
 * task, tasks ascending).
 */
#include <stdint.h>
#include <stdlib.h>

#include "guard_binding.h"
#include "guard_image.h"
#include "guard_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct guard_binding b;

	guard_log_set_stderr_level(0);
	if (guard_binding_decode(data, size, "fuzz", &b))
		return 0;
	if (!b.msg || (b.n && !b.pids) || !guard_pids_ascending(b.pids, b.n))
		abort();
	guard_binding_free(&b);
	return 0;
}
