/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libcompel differences between the CRIU versions the plugin supports.
 * CRIU 4.2 added a handle_rseq argument to compel_prepare_noctx(); meson
 * defines GUARD_COMPEL_PREPARE_RSEQ when the headers have it.
 */
#ifndef CRIU_GUARD_COMPEL_H
#define CRIU_GUARD_COMPEL_H

#include <stdbool.h>

#include <compel/infect.h>

static inline struct parasite_ctl *guard_compel_prepare_noctx(int pid)
{
#ifdef GUARD_COMPEL_PREPARE_RSEQ
	/*
	 * The plugin injects only madvise()/process_madvise() at a text page
	 * it picks itself, never inside an rseq critical section: 4.1's
	 * behaviour (no rseq fix-up) is the right one.
	 */
	return compel_prepare_noctx(pid, false);
#else
	return compel_prepare_noctx(pid);
#endif
}

#endif
