// SPDX-License-Identifier: GPL-2.0
/*
 * The harness itself: a case that crashes or bails out fails alone, and
 * the cases after it still run.
 */
#include <stdlib.h>
#include <unistd.h>

#include "unit.h"

static int ran[2]; /* a pipe: each inner case that runs writes a byte */

static void mark(char c)
{
	if (write(ran[1], &c, 1) != 1)
		_exit(3);
}

/*
 * Dies by a signal, as a failed assert() does.  Not SIGSEGV: the
 * sanitizers catch that one and count it as a bug in the project.
 */
static void inner_crash(void)
{
	mark('c');
	abort();
}

static void inner_assert(void)
{
	mark('a');
	ASSERT(0 == 1);
	mark('!'); /* not reached: ASSERT ends the case */
}

static void inner_pass(void)
{
	mark('p');
	EXPECT(1 == 1);
}

static void test_isolation(void)
{
	static const struct unit_test inner[] = {
		{ "crash", inner_crash },
		{ "assert", inner_assert },
		{ "pass", inner_pass },
	};
	char got[8] = { 0 };
	ssize_t n;

	ASSERT(!pipe(ran));
	printf("# an inner suite with two failing cases follows, as it should\n");
	EXPECT_EQ(unit_run("inner", inner, UNIT_ARRAY_SIZE(inner)), 1);
	close(ran[1]);
	n = read(ran[0], got, sizeof(got) - 1);
	close(ran[0]);
	EXPECT_EQ(n, 3);
	EXPECT_MSG(!strcmp(got, "cap"), "inner cases ran: \"%s\"", got);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{ "isolation", test_isolation },
	};

	return unit_run("unit", tests, UNIT_ARRAY_SIZE(tests));
}
