/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Settings from the environment that take one of a few names
 * (CRIU_GUARD_MODE, CRIU_GUARD_ON_FAILURE, CRIU_GUARD_SCAN,
 * CRIU_GUARD_HWBP): each is one table, next to the enum it fills, and the
 * parser and the error message both read the names from it.
 */
#ifndef CRIU_GUARD_ENV_H
#define CRIU_GUARD_ENV_H

#include <stddef.h>

struct guard_env_name {
	const char *name;
	int value;
};

struct guard_env_enum {
	const char *var; /* the variable, for messages */
	/* Aliases may share a value; the first name of a value is its own. */
	const struct guard_env_name *names;
	size_t n;
	const char *unset; /* the name "" stands for; NULL: none */
};

/* The enum over a table of names: GUARD_ENV_ENUM("CRIU_GUARD_X", names, "auto"). */
#define GUARD_ENV_ENUM(var, names, unset)                                      \
	{                                                                      \
		var, names, sizeof(names) / sizeof((names)[0]), unset          \
	}

/* NULL or "" is e->unset; -EINVAL for a name not in the table (or for "" without unset). */
int guard_env_parse(const struct guard_env_enum *e, const char *s, int *out);

/* The first name of value, or "?". */
const char *guard_env_name(const struct guard_env_enum *e, int value);

/* "auto, off or broken": the table's names, for a message. */
void guard_env_names(const struct guard_env_enum *e, char *buf, size_t len);

/*
 * getenv(e->var) parsed into *out; an unknown value is logged (prefixed,
 * with the names it could be) and leaves *out alone: -EINVAL.
 */
int guard_env_load(const struct guard_env_enum *e, int *out);

#endif
