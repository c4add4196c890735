/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The view through which criu < 4.2 reads a CRIU >= 4.2 dump
 * (guard_native_images.h): a subdirectory of the images directory with
 * relative symlinks to every entry and the plugin's copies of the mm and
 * pagemap images that criu < 4.2 can't read as they are.
 */
#ifndef CRIU_GUARD_NATIVE_VIEW_H
#define CRIU_GUARD_NATIVE_VIEW_H

#include "guard_native_images.h"

#define GUARD_VIEW_PREFIX ".criu-guard-view."

/*
 * Builds the view of the directory behind img_fd and points img_fd at it
 * (dup3: criu's own descriptor, inherited by the tasks it forks).  Views
 * whose criu is gone are removed first.  0, or an error with a message;
 * on error the directory and img_fd are as they were.
 */
int guard_native_view_up(int img_fd, struct guard_native *nv);

/*
 * Points img_fd back at the user's directory and removes the view; files
 * criu wrote into it (stats-restore) move to the directory.
 */
void guard_native_view_down(struct guard_native *nv);

#endif
