// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard_env.h"
#include "guard_log.h"

int guard_env_parse(const struct guard_env_enum *e, const char *s, int *out)
{
	if (!s || !*s) {
		if (!e->unset)
			return -EINVAL;
		s = e->unset;
	}
	for (size_t i = 0; i < e->n; i++) {
		if (!strcmp(s, e->names[i].name)) {
			*out = e->names[i].value;
			return 0;
		}
	}
	return -EINVAL;
}

const char *guard_env_name(const struct guard_env_enum *e, int value)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->names[i].value == value)
			return e->names[i].name;
	return "?";
}

void guard_env_names(const struct guard_env_enum *e, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < e->n && used < len; i++) {
		const char *sep = !i ? "" : i + 1 == e->n ? " or " : ", ";

		used += snprintf(buf + used, len - used, "%s%s", sep,
				 e->names[i].name);
	}
}

int guard_env_load(const struct guard_env_enum *e, int *out)
{
	const char *v = getenv(e->var);
	char names[128];

	if (!guard_env_parse(e, v, out))
		return 0;
	guard_env_names(e, names, sizeof(names));
	pr_err("%s=%s is not %s\n", e->var, v, names);
	return -EINVAL;
}
