/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The plugin's images: guard-<pid>.img per task and guard-index.img per
 * dump.  Readers validate everything and name the file and the fault.
 */
#ifndef CRIU_GUARD_IMAGE_H
#define CRIU_GUARD_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guard_imgdir.h" /* every image is read with guard_read_whole() */
#include "guard_range.h"

#define GUARD_IMG_TASK_MAGIC 0x31445247u  /* "GRD1" */
#define GUARD_IMG_INDEX_MAGIC 0x31584449u /* "IDX1" */
#define GUARD_IMG_VERSION 1
#define GUARD_IMG_MAX_PAYLOAD (64u << 20)
#define GUARD_INDEX_NAME "guard-index.img"

struct guard_task_image {
	uint32_t pid;
	struct guard_ranges ranges;
};

struct guard_index {
	uint32_t *pids;
	size_t n;
	/* as recorded in the file */
	uint32_t version;
	uint32_t page_size;
	char arch[32];
};

/* "x86_64", "aarch64", ...: what images record and readers demand. */
const char *guard_image_arch(void);

/* The one definition of a task image's name: guard-<pid>.img. */
void guard_image_name(char *buf, size_t len, uint32_t pid);
/* True if name is exactly guard_image_name() of some pid (set in *pid). */
bool guard_image_parse_name(const char *name, uint32_t *pid);

/*
 * 0 if a payload of this many bytes is one guard_image_read() accepts,
 * else -EFBIG with a message naming the file: the writer checks with it,
 * so a dump never writes an image its restore would refuse.
 */
int guard_image_size_check(const char *name, size_t payload);

/* Low-level pieces, shared with the binding record (binding.c). */
struct ProtobufCMessage;
int guard_image_write(int dirfd, const char *name, uint32_t magic,
		      const struct ProtobufCMessage *msg);
/* 0, -ENOENT, or -EINVAL/-EIO with a message (size bounds included). */
int guard_image_read(int dirfd, const char *name, uint8_t **buf, size_t *len);
int guard_image_check_header(const uint8_t *buf, size_t len, const char *name,
			     uint32_t magic);
/*
 * Checks the header for magic and unpacks the protobuf message behind it:
 * the message, or NULL with a message naming the file.
 */
struct ProtobufCMessageDescriptor;
struct ProtobufCMessage *
guard_image_decode(const uint8_t *buf, size_t len, const char *name,
		   uint32_t magic,
		   const struct ProtobufCMessageDescriptor *desc);
int guard_image_check_common(const char *name, uint32_t version, uint32_t page,
			     const char *arch);
/* Bytes of header before the protobuf payload. */
#define GUARD_IMG_HDR_LEN 8

/* Payload bytes of guard-<pid>.img for these ranges, exactly. */
size_t guard_task_image_size(uint32_t pid, const struct guard_ranges *ranges);
/* Refuses (-EFBIG, message) an image guard_task_image_read() would refuse. */
int guard_task_image_write(int dirfd, uint32_t pid,
			   const struct guard_ranges *ranges);
/*
 * Reads and validates guard-<pid>.img.  task_size bounds the ranges.
 * Returns 0, -ENOENT if the file is missing, or -EINVAL/-EIO with a message.
 */
int guard_task_image_read(int dirfd, uint32_t pid, uint64_t task_size,
			  struct guard_ranges *out);

/* The same checks on a buffer; name is only for messages. */
int guard_task_image_decode(const uint8_t *buf, size_t len, const char *name,
			    uint64_t task_size, struct guard_task_image *out);

int guard_index_write(int dirfd, const uint32_t *pids, size_t n);
int guard_index_read(int dirfd, struct guard_index *out);
int guard_index_decode(const uint8_t *buf, size_t len, const char *name,
		       struct guard_index *out);
void guard_index_free(struct guard_index *idx);

/* The index lists pids sorted: the one order, and the lookup in it. */
void guard_pids_sort(uint32_t *pids, size_t n);
/* True if pids ascend strictly: sorted, none repeated. */
bool guard_pids_ascending(const uint32_t *pids, size_t n);
bool guard_pids_has(const uint32_t *pids, size_t n, uint32_t pid);

#endif
