// SPDX-License-Identifier: GPL-2.0
/*
 * Dump and restore through libcriu, i.e. "criu swrk" driven over RPC, the
 * way runc and podman drive CRIU.  libcriu has no plugin directory option;
 * criu swrk takes it from a config file (CRIU_CONFIG_FILE, "libdir DIR").
 *
 *   swrk_client dump PID DIR [leave-running]
 *   swrk_client restore DIR      prints the restored root's pid
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criu.h>

static int setup(const char *dir, const char *log)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	if (fd < 0) {
		perror(dir);
		return -1;
	}
	if (criu_init_opts())
		return -1;
	criu_set_images_dir_fd(fd);
	criu_set_log_level(4);
	criu_set_log_file(log);
	return 0;
}

int main(int argc, char **argv)
{
	int ret;

	if (argc >= 4 && !strcmp(argv[1], "dump")) {
		if (setup(argv[3], "swrk-dump.log"))
			return 1;
		criu_set_pid(atoi(argv[2]));
		criu_set_leave_running(argc > 4 &&
				       !strcmp(argv[4], "leave-running"));
		ret = criu_dump();
		if (ret < 0) {
			fprintf(stderr, "criu_dump: %d\n", ret);
			return 1;
		}
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "restore")) {
		if (setup(argv[2], "swrk-restore.log"))
			return 1;
		ret = criu_restore();
		if (ret <= 0) {
			fprintf(stderr, "criu_restore: %d\n", ret);
			return 1;
		}
		printf("%d\n", ret);
		return 0;
	}
	fprintf(stderr, "usage: swrk_client dump PID DIR [leave-running] | "
			"restore DIR\n");
	return 2;
}
