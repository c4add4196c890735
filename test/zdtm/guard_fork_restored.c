// SPDX-License-Identifier: GPL-2.0
/*
 * A fork after restore: the restored task forks, and the child must see
 * exactly what its parent sees (fork copies guard markers): every guard
 * page faults on read and write, every other page holds its bytes.  Guards
 * in private anonymous memory, a private file mapping and shmem, so the
 * child inherits guards of each kind of mapping CRIU restored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guardtst.h"
#include "zdtmtst.h"

const char *test_doc =
	"Fork after restore: parent and child both fault on the guards";
const char *test_author = "criu-guard";

struct fork_check {
	struct gt_region **regions;
	size_t n;
};

/* Forks; the child checks every region and exits with its problem count. */
static int check_in_child(void *arg, bool restored)
{
	struct fork_check *fc = arg;
	int status, bad;
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		test_msg("fork: %m\n");
		return 1;
	}
	if (pid == 0) {
		bad = gt_verify_all(fc->regions, fc->n);
		_exit(bad > 100 ? 100 : bad);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
		test_msg("child %s: did not exit normally (status %#x)\n",
			 restored ? "after restore" : "before the dump",
			 status);
		return 1;
	}
	if (WEXITSTATUS(status))
		test_msg("child %s: %d problems\n",
			 restored ? "after restore" : "before the dump",
			 WEXITSTATUS(status));
	return WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
	struct gt_region *r[3];
	struct fork_check fc = { r, 3 };
	char path[64];
	void *shm;
	int ret;

	test_init(argc, argv);
	snprintf(path, sizeof(path), "/tmp/zdtm-fork-restored.%d", getpid());
	r[0] = gt_map_anon("fork-anon", 16);
	r[1] = gt_map_file("fork-file", path, 8, MAP_PRIVATE);
	shm = mmap(NULL, 8 * gt_page, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	r[2] = shm == MAP_FAILED ? NULL : gt_wrap("fork-shmem", shm, 8);
	if (!r[0] || !r[1] || !r[2]) {
		fail("can't map the regions");
		return 1;
	}
	gt_fill(r[0]);
	gt_fill(r[2]);
	if (gt_guard(r[0], 0, 2) || gt_guard(r[0], 7, 1) ||
	    gt_guard(r[0], 15, 1) || gt_guard(r[1], 3, 2) ||
	    gt_guard(r[2], 1, 1) || gt_guard(r[2], 6, 2)) {
		fail("MADV_GUARD_INSTALL");
		return 1;
	}
	ret = gt_run_with(r, 3, check_in_child, &fc);
	unlink(path);
	return ret;
}
