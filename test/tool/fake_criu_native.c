// SPDX-License-Identifier: GPL-2.0
/*
 * Stands in for a criu with native guard support (4.2+) in the tool's
 * test: an executable that exports collect_madv_guards and answers
 * --version.  Never dumps anything.
 */
#include <stdio.h>
#include <string.h>

__attribute__((used, visibility("default"))) void collect_madv_guards(void)
{
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--version"))
		printf("Version: 9.9.9-fake\n");
	return 0;
}
