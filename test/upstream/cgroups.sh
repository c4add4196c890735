# shellcheck shell=bash
# CRIU's zdtm.py puts every test in two cgroup v1 hierarchies of its own
# (name=zdtmtst, name=zdtmtst.defaultroot; some cgroup tests add
# zdtmtstxattr).  Named v1 hierarchies are global: they outlive the run and
# every process on the host, ours or not, is then a member.  zdtm.py's own
# scripts (test/zdtm_mount_cgroups, zdtm_umount_cgroups) handle them badly
# here, which is why the suite failed on a machine's first run:
#
#   - a hierarchy with no child cgroup dies at its last unmount, and for a
#     moment the kernel still finds it by name.  A mount in that moment asks
#     the syscall to restart (cgroup1_get_tree: "restart_syscall()").
#     mount(2) restarts; util-linux >= 2.39 mounts through fsconfig(), which
#     can't be restarted once its create step failed and returns EBUSY:
#     "zdtm already mounted or mount point busy".  Measured in the sid root
#     file system (util-linux 2.42): 123 of 200 mount/umount pairs of a
#     fresh named hierarchy fail so; with Debian 12's 2.38, 0 of 200.
#   - zdtm_umount_cgroups removes the "holder" child that keeps them alive,
#     and unmounts at once: the removed child is still going offline, so the
#     hierarchy survives without a holder (seen: they stay after the run).
#     The next zdtm.py run then finds them and makes no holder
#     (zdtm_mount_cgroups exits early), so every unmount inside that run
#     (criu's, the tests', its cleanup's) can kill them, and the next mount
#     by name races with the dying hierarchy: the EBUSY above, in zdtm.py's
#     cleanup.  Which run hits it depends on what earlier runs left.
#
# So the runner owns them: each case makes them, each with a holder, before
# its first zdtm.py run (same state for every run, whatever the host had),
# zdtm.py's two scripts are no-ops in the runner's copy of CRIU's tree, and
# at its end the case removes every zdtm hierarchy it made, retrying a
# mount that meets a dying hierarchy, until /proc/self/cgroup no longer
# lists it.  Hierarchies that were there before the case are left as found.

zdtm_hierarchies=(zdtmtst zdtmtst.defaultroot zdtmtstxattr)
cg_holder=criu-guard-holder
cg_before=

cg_listed() { grep -q ":name=$1:" /proc/self/cgroup; }

# cg_mount NAME DIR: mount the named hierarchy.  Through mount(2), which
# the kernel restarts while a hierarchy of that name is dying, not
# fsconfig(), which fails with EBUSY then (util-linux >= 2.39 uses it by
# default; LIBMOUNT_FORCE_MOUNT2 is libmount's switch); and still retrying
# an EBUSY (bounded: 100 tries, 10 s).
cg_mount() {
	local i
	for ((i = 0; i < 100; i++)); do
		LIBMOUNT_FORCE_MOUNT2=always mount -t cgroup -o "none,name=$1" zdtm "$2" \
			2>/dev/null && return 0
		sleep 0.1
	done
	LIBMOUNT_FORCE_MOUNT2=always mount -t cgroup -o "none,name=$1" zdtm "$2"
}

# cgroups_own: the two hierarchies zdtm.py needs, each kept alive by a
# holder.
cgroups_own() {
	local n d
	cg_before=$(grep -o ':name=zdtmtst[^:]*:' /proc/self/cgroup | tr '\n' ' ')
	d=$(mktemp -d /tmp/zdtm-cg.XXXXXX) || return 1
	for n in zdtmtst zdtmtst.defaultroot; do
		cg_mount "$n" "$d" || { rmdir "$d"; return 1; }
		mkdir -p "$d/$cg_holder"
		umount "$d" || { rmdir "$d"; return 1; }
	done
	rmdir "$d"
}

# cgroups_disarm TREE: zdtm.py's own scripts in the copy of CRIU's tree at
# TREE do nothing.
cgroups_disarm() {
	printf '%s\n' '#!/bin/sh' \
		'# criu-guard: test/upstream/run owns the zdtm cgroup hierarchies' \
		'# (test/upstream/cgroups.sh says why).' 'exit 0' |
		tee "$1/test/zdtm_mount_cgroups" >"$1/test/zdtm_umount_cgroups"
}

# cg_remove NAME: remove every cgroup of the hierarchy, then unmount it
# until it dies (a child still going offline keeps it alive at the first
# unmount); bounded: 30 s.
cg_remove() {
	local n=$1 d end=$((SECONDS + 30))
	d=$(mktemp -d /tmp/zdtm-cg.XXXXXX) || return 1
	while [ $SECONDS -lt $end ]; do
		cg_listed "$n" || break
		# A mount that fails meets a hierarchy still dying: look again.
		cg_mount "$n" "$d" || continue
		find "$d" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null
		umount "$d"
		sleep 0.1
	done
	rmdir "$d"
	! cg_listed "$n"
}

# cgroups_release: remove the zdtm hierarchies that were not there before;
# prints each that stays and fails.  A second look half a second later: a
# hierarchy with a child still going offline at its last unmount (a mount
# of criu's, released late) survives it, and is removed again.
cgroups_release() {
	local n rc=0 d round
	for round in 1 2; do
		[ $round = 1 ] || sleep 0.5
		for n in "${zdtm_hierarchies[@]}" $(grep -o 'name=zdtmtst[^:]*' /proc/self/cgroup |
			sed 's/^name=//'); do
			[[ $cg_before == *":name=$n:"* ]] && continue
			cg_listed "$n" || continue
			[ $round = 1 ] || echo "cgroup hierarchy name=$n came back after its removal: removed again"
			cg_remove "$n" && continue
			echo "cgroup hierarchy name=$n stays on the host"
			rc=1
		done
	done
	# Ours only: a hierarchy that was there before keeps its own cgroups.
	for n in zdtmtst zdtmtst.defaultroot; do
		[[ $cg_before == *":name=$n:"* ]] || continue
		d=$(mktemp -d /tmp/zdtm-cg.XXXXXX) || continue
		cg_mount "$n" "$d" && { rmdir "$d/$cg_holder" 2>/dev/null; umount "$d"; }
		rmdir "$d"
	done
	return $rc
}
