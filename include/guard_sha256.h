/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SHA-256 (FIPS 180-4), for binding guard images to the CRIU images of
 * their dump.  A few dozen lines here instead of a crypto library in the
 * process criu loads the plugin into.
 */
#ifndef CRIU_GUARD_SHA256_H
#define CRIU_GUARD_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define GUARD_SHA256_LEN 32

struct guard_sha256 {
	uint32_t h[8];
	uint64_t bytes;
	uint8_t buf[64];
	size_t used;
};

void guard_sha256_init(struct guard_sha256 *c);
void guard_sha256_update(struct guard_sha256 *c, const void *data, size_t len);
void guard_sha256_final(struct guard_sha256 *c, uint8_t out[GUARD_SHA256_LEN]);

/* Lower-case hex of a digest; out holds 2 * GUARD_SHA256_LEN + 1 bytes. */
void guard_sha256_hex(const uint8_t d[GUARD_SHA256_LEN], char *out);

#endif
