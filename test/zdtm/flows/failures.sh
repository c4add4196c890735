# shellcheck shell=bash
# Failure semantics.  Bad images are refused at init(RESTORE), before criu
# creates any task, with a message naming the file and the fault; a kernel
# without guard support is refused the same way; a reinstall that fails at
# RESUME_DEVICES_LATE (whose result criu ignores) kills the restored tree,
# or with CRIU_GUARD_ON_FAILURE=continue lets it run with a warning.
# Sourced by test/zdtm/run; uses imgtool from flows/modes.sh.

# The dumps here are made by the plugin (CRIU_GUARD_MODE=plugin), so that
# there are plugin images to damage where criu also has native support;
# the restores run in the mode under test.

# failures_dump TEST DIR: dump TEST with the plugin into DIR/img and keep a
# pristine copy in DIR/orig; sets PID.
failures_dump() {
	local name=$1 d=$2
	start "$name" "$d" || return 1
	CRIU_GUARD_MODE=plugin dumped "$d" || return 1
	wait_gone "$PID" || return 1
	[ -f "$d/img/guard-$PID.img" ] || { log "no guard-$PID.img"; return 1; }
	cp -a "$d/img" "$d/orig"
}

# failures_refused DIR CASE PATTERN [ENV...]: restore from DIR/CASE (a
# damaged copy) must fail before any task is forked, with PATTERN
# (an extended regex naming file and fault) in the log.
failures_refused() {
	local d=$1 c=$2 pat=$3 log; shift 3
	log=$d/$c/restore.log
	if env "$@" "$criu" restore -D "$d/$c" -o restore.log -v4 -L "$plugins" -d; then
		log "$c: restore succeeded"
		kill -9 "$PID" 2>/dev/null
		wait_gone "$PID"
		return 1
	fi
	grep -Eq "guard: .*$pat" "$log" ||
		{ log "$c: no message matching '$pat':"; grep 'guard:\|Error' "$log" | sed 's/^/    /'; return 1; }
	if grep -q 'Forking task' "$log" || [ -d "/proc/$PID" ]; then
		log "$c: refused only after tasks were created"
		kill -9 "$PID" 2>/dev/null
		return 1
	fi
	log "$c: refused: $(grep -Eo "guard: .*$pat.*" "$log" | head -1)"
}

# failures_restore_killed DIR [ENV...]: restore from DIR/img, whose task
# can't get its guards back: whatever criu reports (it ignores the hook's
# result), the task must be gone, killed by the plugin, which says so.
failures_restore_killed() {
	local d=$1; shift
	if ([ $# = 0 ] || export "$@"; restore "$d" "$plugins"); then
		log "criu reported success"
	else
		log "criu reported failure: $(grep -o 'Error.*' "$d/img/restore.log" | grep -v rlimit | head -1)"
	fi
	wait_gone "$PID" || { log "restored task runs on without its guards"; kill -9 "$PID"; return 1; }
	logged "$d/img/restore.log" "guard: task $PID .*can't get its guard regions back: killing the restored tree" "no kill message in the log" || return 1
}

# failures_ran_without DIR: the restored task ran on without its guards
# (CRIU_GUARD_ON_FAILURE=continue) and the restore log warned; then ends it.
failures_ran_without() {
	logged -k "$1/img/restore.log" "guard: task $PID .*runs WITHOUT its guard regions (CRIU_GUARD_ON_FAILURE=continue)" "no warning in the log" || return 1
	ended
}

# failures_case DIR CASE: a fresh copy of the pristine images to damage.
failures_case() {
	rm -rf "${1:?}/$2"
	cp -a "$1/orig" "$1/$2"
}

flow_restore_bad_images() {
	local d=$work/$FUNCNAME img rc=0 page
	failures_dump guard_anon "$d" || return 1
	img=guard-$PID.img
	page=$(getconf PAGESIZE)

	failures_case "$d" missing && rm "$d/missing/$img"
	failures_refused "$d" missing "$(msg_task_missing "$PID")" || rc=1

	failures_case "$d" no-index && rm "$d/no-index/guard-index.img"
	failures_refused "$d" no-index "$msg_index_missing" || rc=1

	failures_case "$d" truncated && truncate -s 12 "$d/truncated/$img"
	failures_refused "$d" truncated "$img: .*truncated" || rc=1

	failures_case "$d" empty && : >"$d/empty/$img"
	failures_refused "$d" empty "$img: empty \(0 bytes\)" || rc=1

	# Same size, payload overwritten: protobuf can't decode 0xff varints.
	failures_case "$d" corrupt &&
		printf '\377%.0s' $(seq 1 $(($(stat -c %s "$d/corrupt/$img") - 8))) |
		dd of="$d/corrupt/$img" bs=1 seek=8 conv=notrunc status=none
	failures_refused "$d" corrupt "$img: corrupt" || rc=1

	failures_case "$d" magic &&
		printf 'XXXX' | dd of="$d/magic/$img" bs=1 conv=notrunc status=none
	failures_refused "$d" magic "$img: bad magic" || rc=1

	failures_case "$d" page-size &&
		imgtool set-page-size "$d/page-size/$img" $((page * 16))
	failures_refused "$d" page-size "$img: made with page size $((page * 16)), this system has $page" || rc=1

	failures_case "$d" index-page-size &&
		imgtool set-page-size "$d/index-page-size/guard-index.img" $((page * 16))
	failures_refused "$d" index-page-size "guard-index.img: made with page size" || rc=1

	# A range where the task has no mapping (below mmap_min_addr): only
	# criu's mm image can tell, and it is read at init.
	failures_case "$d" outside &&
		imgtool add-range "$d/outside/$img" $((page * 4)) $((page * 5))
	failures_refused "$d" outside "$img \(checked against mm-$PID.img\): guard range .* outside the task's mappings" || rc=1

	failures_case "$d" no-mm && rm "$d/no-mm/mm-$PID.img"
	failures_refused "$d" no-mm "$img has guard ranges but criu's mm-$PID.img is missing" || rc=1

	# Nothing was left behind: the pristine images still restore.
	[ $rc = 0 ] || return 1
	rm -rf "$d/img" && cp -a "$d/orig" "$d/img"
	restore "$d" "$plugins" || { log "pristine restore failed"; return 1; }
	verdict "$d"
}

# A kernel without guard regions (CRIU_GUARD_DISABLE=madv masks them) can't
# restore images that hold guards: refused at init.
flow_restore_no_kernel_support() {
	local d=$work/$FUNCNAME
	failures_dump guard_anon "$d" || return 1
	failures_case "$d" nokernel
	failures_refused "$d" nokernel "$msg_no_kernel" \
		CRIU_GUARD_DISABLE=madv || return 1
	rm -rf "$d/img" && cp -a "$d/orig" "$d/img"
	restored "$d" || return 1
	verdict "$d"
}

# failures_unguardable_range DIR: adds to the image a guard range in the
# task's [vvar] mapping (from criu's dump log).  It passes every check at
# init (it is inside a mapping), but the kernel refuses MADV_GUARD_INSTALL
# in such a special mapping: a real reinstall failure at
# RESUME_DEVICES_LATE.  (A range in an mlock()ed VMA is refused at init:
# flow_zero_lift_locked.)
failures_unguardable_range() {
	local d=$1 addr page
	page=$(getconf PAGESIZE)
	addr=$(sed -n 's/^([0-9. ]*) \(0x[0-9a-f]*\)-0x[0-9a-f]* .* vvar .*/\1/p' "$d/img/dump.log" | head -1)
	[ -n "$addr" ] || { log "no [vvar] mapping in the dump log"; return 1; }
	imgtool add-range "$d/img/guard-$PID.img" $((addr)) $((addr + page)) &&
		imgtool rebind "$d/img"
}

# Default (CRIU_GUARD_ON_FAILURE=kill): the plugin kills the restored tree
# and says why.  criu ignores the hook's result, but then can't detach the
# dead task and reports the restore failed (4.1.1); either way no task may
# run on.
flow_reinstall_fails_kill() {
	local d=$work/$FUNCNAME
	failures_dump guard_anon "$d" || return 1
	failures_unguardable_range "$d" || return 1
	failures_restore_killed "$d" || return 1
	logged "$d/img/restore.log" "guard: madvise.*Invalid argument\|guard: .*EINVAL\|guard: .*Invalid argument" "no kernel refusal in the log" || return 1
	! grep -q '^PASS' "$d/out" || { log "the killed test wrote PASS"; return 1; }
}

# CRIU_GUARD_ON_FAILURE=continue: the task runs on, and the log warns.
flow_reinstall_fails_continue() {
	local d=$work/$FUNCNAME
	failures_dump guard_anon "$d" || return 1
	failures_unguardable_range "$d" || return 1
	CRIU_GUARD_ON_FAILURE=continue restored "$d" || return 1
	sleep 0.2
	[ -d "/proc/$PID" ] || { log "task did not survive with CRIU_GUARD_ON_FAILURE=continue"; return 1; }
	failures_ran_without "$d"
}

# Guards in an mlock()ed VMA where the dump has to lift them (criu's page
# walk not hooked: CRIU_GUARD_DISABLE=pagewalk): MADV_GUARD_REMOVE works
# there but MADV_GUARD_INSTALL does not, so lifted guards could never come
# back.  The dump must fail before lifting, and the task keep its guards.
# (With zero-lift nothing is lifted: flow_zero_lift_locked.)
flow_dump_locked_guards() {
	local d=$work/$FUNCNAME before
	needs_plugin_records && return 77
	started guard_mlock_onfault "$d" || return 1
	if CRIU_GUARD_DISABLE=pagewalk dump "$d" "$plugins" -R; then
		log "dump of guards in locked memory succeeded"
		kill -9 "$PID"
		return 1
	fi
	logged -k "$d/img/dump.log" "guard: task $PID: guards in the mlock()ed VMA .* can't be lifted" "no refusal in the dump log" || return 1
	guards_kept "$PID" "$before" "after the refused dump" || return 1
	verdict "$d"
}

# failures_start_at NAME DIR WANT: starts NAME as pid WANT (the pid of an
# earlier, dumped test): the test library sets ns_last_pid just below it
# right before its fork (ZDTM_PID), and a fork elsewhere in criu-env's pid
# namespace (a bound's watchdog polls) can take it only in that instant.
# Sets PID; returns 77 (with a SKIP line) if WANT could not be had.
failures_start_at() {
	local name=$1 d=$2 want=$3 k
	[ -w /proc/sys/kernel/ns_last_pid ] ||
		{ log "SKIP: can't write ns_last_pid"; return 77; }
	for ((k = 1; k <= 8; k++)); do
		rm -rf "$d"
		ZDTM_PID=$want start "$name" "$d" || return 1
		[ "$PID" = "$want" ] && return 0
		kill -9 "$PID"
		wait_gone "$PID" || return 1
	done
	log "SKIP: could not start $name as pid $want"
	return 77
}

# failures_dump_at NAME DIR WANT: NAME started as pid WANT
# (failures_start_at) and dumped by the plugin; returns as failures_start_at
# does (77: the pid could not be had, SKIP said).
failures_dump_at() {
	local r
	failures_start_at "$1" "$2" "$3"
	r=$?
	[ $r = 0 ] || return $r
	CRIU_GUARD_MODE=plugin dump "$2" "$plugins" ||
		{ log "dump ${2##*/} failed"; kill -9 "$PID"; return 1; }
	wait_gone "$PID" || return 1
}

# failures_guard_files SRC DST: copies every guard image of SRC to DST.
failures_guard_files() {
	cp "$1"/guard-*.img "$2/"
}

# Guard images that are not the dump's own, as the issue's adversary made
# them, and the guard images gone.  Each case is refused at init with a
# message naming the file, or (stale images beside a dump that did not
# use the plugin) restores exactly.  The other dumps run the same pid.
flow_restore_foreign_images() {
	local d=$work/$FUNCNAME a b c p rc=0 r launch
	# Without ASLR two runs of a program have the same layout and guards:
	# only the binding can tell their images apart.
	launch="setarch $(uname -m) -R"
	failures_dump guard_anon "$d/a" || return 1
	p=$PID a=$d/a
	needs_plugin_records && return 77
	# The same pid: a guard-free process, and another run of the program.
	b=$d/b c=$d/c
	for r in "guard_removed $b" "guard_anon $c"; do
		# shellcheck disable=SC2086 # NAME DIR
		failures_dump_at $r "$p"
		case $? in 0) ;; 77) return 77 ;; *) return 1 ;; esac
	done
	PID=$p

	failures_case "$a" no-guard-images && rm "$a/no-guard-images"/guard-*.img
	failures_refused "$a" no-guard-images "$msg_index_missing" || rc=1

	failures_case "$a" no-task-images && rm "$a/no-task-images/guard-$p.img"
	failures_refused "$a" no-task-images "$(msg_task_missing "$p")" || rc=1

	failures_case "$a" no-binding && rm "$a/no-binding/guard-binding.img"
	failures_refused "$a" no-binding "guard-binding.img is missing" || rc=1

	failures_case "$a" binding-truncated && truncate -s 20 "$a/binding-truncated/guard-binding.img"
	failures_refused "$a" binding-truncated "guard-binding.img: .*truncated" || rc=1

	failures_case "$a" binding-garbage && head -c 300 /dev/urandom >"$a/binding-garbage/guard-binding.img"
	failures_refused "$a" binding-garbage "guard-binding.img: (bad magic|.*truncated)" || rc=1

	# guard-P.img of a guard-free process with the same pid: no ranges,
	# a valid image, and the tree would run with none of its guards.
	failures_case "$a" from-guard-free && cp "$b/img/guard-$p.img" "$a/from-guard-free/"
	failures_refused "$a" from-guard-free "guard-$p.img is not the file the guard images were dumped with" || rc=1

	# Every guard image of another run of the same program, same pid,
	# same layout.
	failures_case "$a" other-run && failures_guard_files "$c/img" "$a/other-run"
	failures_refused "$a" other-run "inventory.img is not the file the guard images were dumped with" || rc=1

	# A guard-free dump into a reused directory: the guard images of the
	# earlier dump are stale (the inventory does not name the plugin);
	# ignored, and the process restores exactly.
	failures_guard_files "$a/orig" "$b/img"
	restore "$b" "$plugins" || { log "guard-free dump with stale guard images refused"; return 1; }
	grep -Eq "guard: $msg_stale_ignored" "$b/img/restore.log" ||
		{ log "no line saying the stale images were ignored"; rc=1; }
	verdict "$b" || rc=1
	return $rc
}

# A task whose pid in its namespace can't be read at RESUME_DEVICES_LATE
# (CRIU_GUARD_DISABLE=nspid fails the read, as for a vanished task) can't
# be matched to its image: the on-failure policy applies, as for any
# reinstall failure (criu ignores the hook's result).
flow_restore_nspid_fails() {
	local d=$work/$FUNCNAME
	failures_dump guard_anon "$d" || return 1
	failures_restore_killed "$d" CRIU_GUARD_DISABLE=nspid || return 1
	logged "$d/img/restore.log" "guard: task $PID: can't read its pid in its namespace (NSpid)" "no NSpid failure in the log" || return 1
	# CRIU_GUARD_ON_FAILURE=continue: it runs on, with a warning.
	rm -rf "$d/img" && cp -a "$d/orig" "$d/img"
	CRIU_GUARD_DISABLE=nspid CRIU_GUARD_ON_FAILURE=continue restore "$d" "$plugins" ||
		{ log "restore with CRIU_GUARD_ON_FAILURE=continue failed"; return 1; }
	failures_ran_without "$d"
}

# The binding is written at exit(DUMP), when criu has decided the dump
# succeeded; its space is reserved at CHECKPOINT_DEVICES, while the dump
# can still fail.  Where it can't be reserved (here guard-binding.img.tmp
# is a directory), the dump fails, and the task runs on with its guards.
flow_dump_binding_unwritable() {
	local d=$work/$FUNCNAME before
	needs_plugin_records && return 77
	started guard_anon "$d" || return 1
	mkdir "$d/img/guard-binding.img.tmp"
	if dump "$d" "$plugins"; then
		log "dump succeeded with a binding that can't be written"
		return 1
	fi
	grep -Eq "guard: $msg_no_binding_room" "$d/img/dump.log" ||
		{ log "no message about the binding in the dump log"; kill -9 "$PID"; return 1; }
	! grep -q 'Dumping finished successfully' "$d/img/dump.log" ||
		{ log "criu declared success"; kill -9 "$PID"; return 1; }
	guards_kept "$PID" "$before" "after the failed dump" || return 1
	verdict "$d"
}

# A full disk at any point of the dump: the images go to a small tmpfs
# whose free space is swept around what the dump needs.  Whenever criu
# says "Dumping finished successfully", the binding is there and the
# images restore; otherwise the dump failed and the task runs on with its
# guards.  Never a success that can't be restored.
flow_dump_full_disk() {
	local d=$work/$FUNCNAME need free rc=0 ok=0 failed=0 reserve=0 page before
	needs_plugin_records && return 77
	page=$(getconf PAGESIZE)
	start guard_anon "$d/probe" || return 1
	dump "$d/probe" "$plugins" -W "$d/probe" || { log "dump failed"; kill -9 "$PID"; return 1; }
	wait_gone "$PID" || return 1
	# tmpfs counts whole pages per file.
	need=$(find "$d/probe/img" -type f -printf '%s\n' |
		awk -v p="$page" '{ n += int(($1 + p - 1) / p) } END { print n }')
	for ((free = need - 6; free <= need + 2; free++)); do
		local c=$d/free-$free
		mkdir -p "$c/img"
		mount -t tmpfs -o size=$(((need + 16) * page)) none "$c/img" || { log "SKIP: can't mount a tmpfs"; return 77; }
		start guard_anon "$c" || { umount "$c/img"; return 1; }
		before=$(imgtool scan "$PID")
		fallocate -l $(((need + 16 - free) * page)) "$c/img/filler" 2>/dev/null ||
			head -c $(((need + 16 - free) * page)) /dev/zero >"$c/img/filler" 2>/dev/null
		# The log goes beside the tmpfs (-W), where there is room for it.
		if dump "$c" "$plugins" -W "$c" 2>/dev/null; then
			wait_gone "$PID" || rc=1
			rm -f "$c/img/filler"
			if [ ! -f "$c/img/guard-binding.img" ]; then
				log "free $free pages: dump succeeded without guard-binding.img"
				rc=1
			elif ! restore "$c" "$plugins" -W "$c" || ! verdict "$c"; then
				log "free $free pages: dump succeeded but does not restore"
				rc=1
			fi
			ok=$((ok + 1))
		else
			modes_same_guards "$PID" "$before" "after a dump on a full disk" || rc=1
			kill -9 "$PID" 2>/dev/null
			wait_gone "$PID" || rc=1
			failed=$((failed + 1))
			grep -Eq "guard: $msg_no_binding_room" "$c/dump.log" &&
				reserve=$((reserve + 1))
		fi
		umount "$c/img"
	done
	log "full disk: $ok dumps succeeded and restored, $failed failed with every task untouched ($reserve of them at the binding's reservation)"
	[ $ok -gt 0 ] && [ $failed -gt 0 ] || { log "the sweep missed the edge ($ok ok, $failed failed)"; rc=1; }
	return $rc
}

# A task whose guard image would exceed what a restore reads (64 MiB,
# about 3.7 million ranges): the dump is refused before any guard is
# lifted, so it never makes images that can't be restored, and the task
# keeps every guard (guard_huge counts them after the refused dump).
flow_dump_too_big() {
	local d=$work/$FUNCNAME
	needs_plugin_records && return 77
	start guard_huge "$d" || return 1
	if dump "$d" "$plugins" -R; then
		log "dump of a task with an oversized guard image succeeded"
		kill -9 "$PID"
		return 1
	fi
	grep -q "guard: guard-$PID.img would hold [0-9]* bytes, more than the 64 MiB a restore reads: refused" "$d/img/dump.log" ||
		{ log "no refusal in the dump log"; grep 'Error\|guard:' "$d/img/dump.log" | tail -n 5 | sed 's/^/    /'; kill -9 "$PID"; return 1; }
	! grep -q "guard: task $PID .*lifting" "$d/img/dump.log" ||
		{ log "guards were lifted before the refusal"; kill -9 "$PID"; return 1; }
	log "refused: $(grep -o "guard: guard-$PID.img would hold.*" "$d/img/dump.log")"
	verdict "$d"
}
