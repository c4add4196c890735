/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small zdtm-compatible test library: the same life cycle and options as
 * CRIU's test/zdtm/lib, so the tests run under this project's runner and,
 * with little change, under CRIU's zdtm.py.
 *
 *   test_init()    parses --pidfile= and --outfile=, forks; the parent
 *                  waits for test_daemon() and writes the child's pid
 *   test_daemon()  "ready to be dumped"
 *   test_waitsig() waits for SIGTERM (sent after restore)
 *   pass()/fail()  write the verdict to the outfile
 */
#ifndef ZDTMTST_H
#define ZDTMTST_H

#include <stdbool.h>

void test_init(int argc, char **argv);
void test_daemon(void);
void test_waitsig(void);
bool test_sigterm_seen(void);

void test_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pass(void);
void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
