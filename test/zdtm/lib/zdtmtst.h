/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small zdtm-compatible test library: the same life cycle and options as
 * CRIU's test/zdtm/lib, so the tests run under this project's runner and,
 * unchanged, under CRIU's zdtm.py (test/upstream/run builds them against
 * CRIU's own library).
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

/*
 * Each test defines these, as CRIU's zdtm tests do (CRIU's library prints
 * them in --help; test/upstream/run builds the tests against it too).
 */
extern const char *test_doc;
extern const char *test_author;

void test_init(int argc, char **argv);
void test_daemon(void);
void test_waitsig(void);
bool test_sigterm_seen(void);

void test_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pass(void);
void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
