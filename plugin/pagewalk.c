// SPDX-License-Identifier: GPL-2.0
/*
 * Zero-lift through criu's GOT (see guard_pagewalk.h).  The wrappers are
 * called by criu with no context of ours, so the one run's state they
 * need is reached through `active`, set while the wrappers are in place:
 * the only way a GOT call can find it.
 */
#include <dlfcn.h>
#include <errno.h>
#include <sys/socket.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guard_got.h"
#include "guard_kernel.h"
#include "guard_log.h"
#include "guard_pagewalk.h"

#define PM_PRESENT_BIT 63

static struct guard_pagewalk *active;

static const char *const fn_names[GUARD_PW_NR] = {
	[GUARD_PW_IOCTL] = "ioctl",
	[GUARD_PW_PREAD64] = "pread64",
	[GUARD_PW_PREAD] = "pread",
	[GUARD_PW_LISTEN] = "listen",
};

typedef int (*ioctl_fn)(int, unsigned long, ...);
typedef ssize_t (*pread_fn)(int, void *, size_t, off_t);
typedef int (*listen_fn)(int, int);

/*
 * A wrapper can outlive its run: another plugin may have taken a slot
 * after us and still chain here.  It then passes straight through.
 */
static void *prev_of(enum guard_pagewalk_fn fn)
{
	if (active && active->prev[fn])
		return active->prev[fn];
	return dlsym(RTLD_DEFAULT, fn_names[fn]);
}

static bool filtering(void)
{
	return active && active->installed && active->filter;
}

static int pw_ioctl(int fd, unsigned long req, ...)
{
	ioctl_fn prev = (ioctl_fn)prev_of(GUARD_PW_IOCTL);
	struct pm_scan_arg *a;
	__u64 inv, mask;
	va_list ap;
	void *arg;
	int ret;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	a = arg;
	/*
	 * Only the pagemap knows PAGEMAP_SCAN.  Every scan leaves guards out:
	 * criu < 4.2 never asks for them, and criu 4.2 run with
	 * CRIU_GUARD_MODE=plugin then records none itself (its page walk
	 * excludes them already), as the plugin records them all.
	 */
	if (!filtering() || req != PAGEMAP_SCAN || !a || a->size < sizeof(*a))
		return prev(fd, req, arg);
	inv = a->category_inverted;
	mask = a->category_mask;
	a->category_inverted |= PAGE_IS_GUARD;
	a->category_mask |= PAGE_IS_GUARD;
	ret = prev(fd, req, arg);
	a->category_inverted = inv;
	a->category_mask = mask;
	active->scans++;
	return ret;
}

/*
 * Is fd a /proc/PID/pagemap?  procfs files are regular with size 0; the
 * rest is answered once per open file by its /proc/self/fd link and kept
 * by identity, so image and page files cost one fstat().
 */
static bool is_pagemap(struct guard_pagewalk *pw, int fd)
{
	struct guard_pagewalk_file *f;
	char path[64], link[128];
	struct stat st;
	ssize_t n;

	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size)
		return false;
	for (unsigned int i = 0; i < GUARD_PW_FILES; i++) {
		f = &pw->files[i];
		if (f->fd == fd && f->dev == st.st_dev && f->ino == st.st_ino)
			return f->pagemap;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = 0;
	f = &pw->files[pw->next_file++ % GUARD_PW_FILES];
	f->fd = fd;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->pagemap = !strncmp(link, "/proc/", 6) && n > 8 &&
		     !strcmp(link + n - 8, "/pagemap");
	return f->pagemap;
}

/* Guard entries read as holes: neither present nor swapped. */
static ssize_t filter_pagemap(struct guard_pagewalk *pw, int fd, void *buf,
			      ssize_t n, off_t off)
{
	uint64_t *e = buf;

	if (!filtering() || n <= 0 || off % sizeof(*e) || !is_pagemap(pw, fd))
		return n;
	pw->reads++;
	for (size_t i = 0; i < (size_t)n / sizeof(*e); i++) {
		if (!(e[i] & (1ULL << PM_GUARD_REGION_BIT)))
			continue;
		e[i] &= ~((1ULL << PM_PRESENT_BIT) | (1ULL << PM_SWAP_BIT));
		pw->cleared++;
	}
	return n;
}

static ssize_t pw_pread64(int fd, void *buf, size_t len, off_t off)
{
	pread_fn prev = (pread_fn)prev_of(GUARD_PW_PREAD64);

	return filter_pagemap(active, fd, buf, prev(fd, buf, len, off), off);
}

static ssize_t pw_pread(int fd, void *buf, size_t len, off_t off)
{
	pread_fn prev = (pread_fn)prev_of(GUARD_PW_PREAD);

	return filter_pagemap(active, fd, buf, prev(fd, buf, len, off), off);
}

/*
 * criu's own compel listens too, on a unix socket, at every infection: the
 * page server is the one TCP socket criu listens on during a dump.
 */
static bool tcp_socket(int fd)
{
	socklen_t len = sizeof(int);
	int dom;

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &len))
		return false;
	return dom == AF_INET || dom == AF_INET6;
}

static int pw_listen(int fd, int backlog)
{
	listen_fn prev = (listen_fn)prev_of(GUARD_PW_LISTEN);
	struct guard_pagewalk *pw = active;

	if (pw && pw->installed && pw->on_listen && !pw->listened &&
	    tcp_socket(fd)) {
		pw->listened = true;
		pw->on_listen(pw->on_listen_arg);
	}
	return prev(fd, backlog);
}

static void *const wrappers[GUARD_PW_NR] = {
	[GUARD_PW_IOCTL] = (void *)pw_ioctl,
	[GUARD_PW_PREAD64] = (void *)pw_pread64,
	[GUARD_PW_PREAD] = (void *)pw_pread,
	[GUARD_PW_LISTEN] = (void *)pw_listen,
};

static int fn_of(const char *name)
{
	for (int i = 0; i < GUARD_PW_NR; i++)
		if (!strcmp(name, fn_names[i]))
			return i;
	return -1;
}

/* A relocation of a function we wrap becomes one of pw's slots. */
static int add_slot(void *arg, const char *sym, void **slot, bool relro)
{
	struct guard_pagewalk *pw = arg;
	struct guard_pagewalk_slot *s;
	int fn = fn_of(sym);

	if (fn < 0)
		return 0;
	if (pw->n_slots == GUARD_PW_SLOTS)
		return -E2BIG;
	s = &pw->slots[pw->n_slots++];
	s->slot = slot;
	s->orig = *slot;
	s->fn = fn;
	s->relro = relro;
	return 0;
}

/*
 * What a wrapper calls: the slot's target if it is another library's
 * function (libc's, or another plugin's wrapper), else (a lazy slot still
 * points at its PLT stub, whose resolver would overwrite the slot) the
 * function the dynamic linker would bind.
 */
static int resolve_prev(struct guard_pagewalk *pw, const struct guard_exe *x)
{
	for (size_t i = 0; i < pw->n_slots; i++) {
		struct guard_pagewalk_slot *s = &pw->slots[i];

		/* Ours, left by an earlier run: chain past it, not to it. */
		if (s->orig == wrappers[s->fn])
			s->orig = dlsym(RTLD_DEFAULT, fn_names[s->fn]);
		if (!guard_exe_contains(x, (uintptr_t)s->orig))
			pw->prev[s->fn] = s->orig;
	}
	for (int fn = 0; fn < GUARD_PW_NR; fn++) {
		if (pw->prev[fn])
			continue;
		pw->prev[fn] = dlsym(RTLD_DEFAULT, fn_names[fn]);
		if (!pw->prev[fn])
			return -ENOENT;
	}
	return 0;
}

/*
 * The wrappers must outlive any dlclose() of the plugin, since a slot may
 * still point at them.  Linked into the executable itself (unit tests),
 * they are never unloaded.
 */
static int pin_self(const struct guard_exe *x)
{
	Dl_info info;

	if (guard_exe_contains(x, (uintptr_t)pw_ioctl))
		return 0;
	if (!dladdr((void *)pw_ioctl, &info) || !info.dli_fname)
		return -ENOENT;
	if (!dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE))
		return -ENOENT;
	return 0;
}

static bool has_fn(const struct guard_pagewalk *pw, enum guard_pagewalk_fn fn)
{
	for (size_t i = 0; i < pw->n_slots; i++)
		if (pw->slots[i].fn == fn)
			return true;
	return false;
}

static int locate(struct guard_pagewalk *pw, bool filter, const char **why)
{
	struct guard_exe x;
	int ret;

	ret = guard_exe_read(&x);
	if (ret == -EOPNOTSUPP) {
		*why = "this architecture's relocations are not known to the plugin";
		return ret;
	}
	if (ret) {
		*why = "criu's dynamic section can't be read";
		return -ENOEXEC;
	}
	if (guard_exe_each_slot(&x, add_slot, pw)) {
		*why = "criu has more ioctl/pread relocations than expected";
		return -E2BIG;
	}
	if (filter &&
	    (!has_fn(pw, GUARD_PW_IOCTL) ||
	     (!has_fn(pw, GUARD_PW_PREAD64) && !has_fn(pw, GUARD_PW_PREAD)))) {
		*why = "criu does not call ioctl and pread through its GOT (static build?)";
		return -ENOENT;
	}
	if (resolve_prev(pw, &x)) {
		*why = "libc's ioctl or pread can't be found";
		return -ENOENT;
	}
	if (pin_self(&x)) {
		*why = "the plugin can't pin itself in memory";
		return -ENOENT;
	}
	return 0;
}

static int install(struct guard_pagewalk *pw, bool filter,
		   guard_pagewalk_listen_fn fn, void *arg, const char **why)
{
	int ret;

	memset(pw, 0, sizeof(*pw));
	for (unsigned int i = 0; i < GUARD_PW_FILES; i++)
		pw->files[i].fd = -1;
	pw->filter = filter;
	pw->on_listen = fn;
	pw->on_listen_arg = arg;
	ret = locate(pw, filter, why);
	if (ret)
		return ret;
	/* Set before the first slot: criu is single-threaded here. */
	active = pw;
	for (size_t i = 0; i < pw->n_slots; i++) {
		ret = guard_got_write(pw->slots[i].slot, pw->slots[i].relro,
				      wrappers[pw->slots[i].fn]);
		if (ret) {
			*why = "mprotect() refused to make criu's GOT writable";
			pw->n_slots = i;
			guard_pagewalk_remove(pw);
			return ret;
		}
	}
	pw->installed = true;
	if (!guard_pagewalk_in_place(pw)) {
		*why = "a slot does not hold the wrapper after writing it";
		guard_pagewalk_remove(pw);
		return -EIO;
	}
	return 0;
}

int guard_pagewalk_install(struct guard_pagewalk *pw, const char **why)
{
	return install(pw, true, NULL, NULL, why);
}

int guard_pagewalk_install_listen(struct guard_pagewalk *pw,
				  guard_pagewalk_listen_fn fn, void *arg,
				  const char **why)
{
	return install(pw, false, fn, arg, why);
}

bool guard_pagewalk_in_place(const struct guard_pagewalk *pw)
{
	if (!pw->installed || active != pw)
		return false;
	for (size_t i = 0; i < pw->n_slots; i++)
		if (*pw->slots[i].slot != wrappers[pw->slots[i].fn])
			return false;
	return true;
}

void guard_pagewalk_remove(struct guard_pagewalk *pw)
{
	for (size_t i = 0; i < pw->n_slots; i++) {
		struct guard_pagewalk_slot *s = &pw->slots[i];

		if (*s->slot != wrappers[s->fn])
			continue;
		if (guard_got_write(s->slot, s->relro, s->orig))
			pr_perror("Can't put criu's %s slot back",
				  fn_names[s->fn]);
	}
	/*
	 * A slot another plugin took over may still chain to our wrapper,
	 * which then passes through (the plugin is pinned in memory).
	 */
	pw->installed = false;
}
