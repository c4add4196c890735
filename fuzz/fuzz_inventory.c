// SPDX-License-Identifier: GPL-2.0
/*
 * CRIU's inventory.img and pstree.img readers, on the same bytes: refuse
 * them or return what a restore decides from (plugin named, the tasks).
 */
#include <stdint.h>
#include <stdlib.h>

#include "guard_criu_images.h"
#include "guard_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct guard_criu_inventory inv;
	struct guard_criu_pstree tree;

	guard_log_set_stderr_level(0);
	if (!guard_criu_inventory_decode(data, size, "fuzz", &inv) &&
	    inv.names_plugin && !inv.has_plugin_list)
		abort();
	if (guard_criu_pstree_decode(data, size, "fuzz", &tree))
		return 0;
	if (!tree.n || !tree.pids ||
	    !guard_criu_pstree_has(&tree, tree.pids[tree.n - 1]))
		abort();
	guard_criu_pstree_free(&tree);
	return 0;
}
