// SPDX-License-Identifier: GPL-2.0
/*
 * The smaps/maps text parser.  Only the fields before a VMA's name count,
 * and VmFlags; every other smaps line is skipped, so the same parser
 * reads maps (cheap) and smaps (needed for "gu" and "lo").
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "guard_array.h"
#include "guard_smaps.h"

void guard_vmas_free(struct guard_vmas *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->v[i].name);
		free(v->v[i].vmflags);
	}
	free(v->v);
	memset(v, 0, sizeof(*v));
}

static struct guard_vma *vmas_push(struct guard_vmas *v)
{
	if (GUARD_ARRAY_GROW(v->v, v->n, v->cap, 64))
		return NULL;
	memset(&v->v[v->n], 0, sizeof(v->v[0]));
	return &v->v[v->n++];
}

static int parse_hex(const char **s, uint64_t *val)
{
	const char *p = *s;
	uint64_t x = 0;
	int digits = 0;

	for (; isxdigit((unsigned char)*p); p++, digits++) {
		if (digits == 16)
			return -EINVAL;
		x = x << 4 |
		    (uint64_t)(isdigit((unsigned char)*p) ?
				       *p - '0' :
				       tolower((unsigned char)*p) - 'a' + 10);
	}
	if (!digits)
		return -EINVAL;
	*s = p;
	*val = x;
	return 0;
}

/* "start-end perms offset dev inode [name]" opens a VMA. */
static int parse_header(struct guard_vmas *out, const char *line)
{
	struct guard_vma *prev = out->n ? &out->v[out->n - 1] : NULL;
	struct guard_vma *vma;
	uint64_t start, end;
	const char *p = line, *q;

	if (parse_hex(&p, &start) || *p++ != '-' || parse_hex(&p, &end))
		return -EINVAL;
	if (*p++ != ' ' || strlen(p) < 4 || start >= end)
		return -EINVAL;
	if (prev && start < prev->end)
		return -EINVAL;
	vma = vmas_push(out);
	if (!vma)
		return -ENOMEM;
	vma->start = start;
	vma->end = end;
	vma->exec = p[2] == 'x';
	memcpy(vma->perms, p, 4);
	q = p + 4;
	while (*q == ' ')
		q++;
	if (parse_hex(&q, &vma->offset))
		vma->offset = 0;
	/* offset dev inode, then the name: "[...]" marks kernel mappings. */
	for (int field = 0; field < 4 && *p; field++) {
		while (*p && *p != ' ')
			p++;
		while (*p == ' ')
			p++;
	}
	vma->special = *p == '[';
	if (*p && !(vma->name = strdup(p)))
		return -ENOMEM;
	return 0;
}

/* Two-letter VmFlags words: whole words only ("gu", not "gux"). */
static bool has_vmflag(const char *flags, const char *flag)
{
	for (const char *p = flags; *p;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (p[0] == flag[0] && p[0] && p[1] == flag[1] &&
		    (p[2] == ' ' || p[2] == '\t' || p[2] == '\0'))
			return true;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	return false;
}

static int parse_vmflags(struct guard_vma *vma, const char *flags)
{
	const char *p;
	size_t len;

	vma->maybe_guard = has_vmflag(flags, "gu");
	vma->locked = has_vmflag(flags, "lo");
	for (p = flags; *p == ' ' || *p == '\t'; p++)
		;
	len = strlen(p);
	while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
		len--;
	free(vma->vmflags);
	vma->vmflags = strndup(p, len);
	return vma->vmflags ? 0 : -ENOMEM;
}

static int parse_line(struct guard_vmas *out, const char *line)
{
	if (!*line)
		return 0;
	if (isdigit((unsigned char)*line) || (*line >= 'a' && *line <= 'f'))
		return parse_header(out, line);
	if (!strchr(line, ':'))
		return -EINVAL;
	if (!strncmp(line, "VmFlags:", 8)) {
		if (!out->n)
			return -EINVAL;
		return parse_vmflags(&out->v[out->n - 1], line + 8);
	}
	return 0;
}

void guard_smaps_parser_init(struct guard_smaps_parser *p,
			     struct guard_vmas *out)
{
	memset(p, 0, sizeof(*p));
	p->out = out;
}

static void end_line(struct guard_smaps_parser *p)
{
	p->line[p->len] = '\0';
	if (!p->err)
		p->err = parse_line(p->out, p->line);
	p->len = 0;
	p->overlong = false;
}

int guard_smaps_parser_feed(struct guard_smaps_parser *p, const char *buf,
			    size_t len)
{
	for (size_t i = 0; i < len && !p->err; i++) {
		if (buf[i] == '\n') {
			end_line(p);
		} else if (buf[i] == '\0') {
			p->err = -EINVAL;
		} else if (p->len < sizeof(p->line) - 1) {
			/* Long paths are cut: only the fields before them count. */
			p->line[p->len++] = buf[i];
		}
	}
	return p->err;
}

int guard_smaps_parser_finish(struct guard_smaps_parser *p)
{
	if (p->len)
		end_line(p);
	return p->err;
}
