# shellcheck shell=bash
# CRIU modes beyond a plain dump and restore: leave running, stopped tasks,
# a dump that fails after the guards were lifted, page server, lazy pages,
# pre-dump, RPC (criu swrk), a second plugin, and CRIU >= 4.2's own guard
# support.  Sourced by test/zdtm/run.

imgtool() { "$build/test/zdtm/imgtool" "$@"; }

# modes_state PID: the task's state letter (R, S, T, t, Z...).
modes_state() {
	sed -E 's/^[0-9]+ \(.*\) (.).*/\1/' "/proc/$1/stat" 2>/dev/null
}

# modes_wait_stopped PID: the task reaches the stopped state (T).
modes_wait_stopped() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(modes_state "$1")" = T ] && return 0
		sleep 0.05
	done
	log "task $1 is not stopped (state $(modes_state "$1"))"
	return 1
}

# modes_same_guards PID BEFORE WHEN: the live task has exactly BEFORE.
modes_same_guards() {
	local now
	now=$(imgtool scan "$1") || { log "can't scan $1 $3"; return 1; }
	[ "$now" = "$2" ] && return 0
	log "guards of $1 $3 differ from before the dump:"
	diff <(echo "$2") <(echo "$now") | sed 's/^/    /'
	return 1
}

# modes_stopped_kept DIR BEFORE WHEN: the test stops with exactly BEFORE,
# then runs on to its verdict.
modes_stopped_kept() {
	modes_wait_stopped "$PID" || { kill -9 "$PID"; return 1; }
	guards_kept "$PID" "$2" "$3" || return 1
	kill -CONT "$PID"
	verdict "$1"
}

# guards_kept PID BEFORE WHEN: modes_same_guards, or PID killed and false.
guards_kept() {
	modes_same_guards "$@" && return 0
	kill -9 "$1" 2>/dev/null
	return 1
}

# modes_port: a TCP port on 127.0.0.1 that nothing listens on now.
modes_port() {
	local p
	for ((p = 20000 + RANDOM % 20000; ; p++)); do
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo $p; return; }
	done
}

# modes_wait_listen PORT: waits up to 10 s for a listener on PORT (a
# fixed sleep lost the race to a page server slow to start, under load).
# /proc/net/tcp, not a connection: the page server takes the first one.
modes_wait_listen() {
	local hex i
	hex=$(printf '%04X' "$1")
	for ((i = 0; i < 200; i++)); do
		grep -q ":$hex 00000000:0000 0A" /proc/net/tcp && return 0
		sleep 0.05
	done
	log "nothing listens on port $1"
	return 1
}

# The CRIU modes below are written once for any plain test (NAME DIR):
# the flows run them on guard_anon, and test/zdtm/run --criu-modes on every
# test in TESTS (as zdtm.py applies its modes).

# dump -R: criu exits, the task runs on with exactly its guards.
# need-guards: the test must have some (guard_removed has none left).
mode_leave_running() {
	local name=$1 d=$2 need=${3-} before
	start "$name" "$d" || return 1
	before=$(imgtool scan "$PID")
	[ -n "$before" ] || [ "$need" != need-guards ] ||
		{ log "test has no guards"; kill -9 "$PID"; return 1; }
	dumped "$d" -R || return 1
	guards_kept "$PID" "$before" "after dump -R" || return 1
	verdict "$d"
}
flow_leave_running() { mode_leave_running guard_anon "$work/$FUNCNAME" need-guards; }

# The same on a tree: every task checks its own guards at SIGTERM.
flow_leave_running_tree() {
	local d=$work/$FUNCNAME
	start guard_tree "$d" || return 1
	dumped "$d" -R || return 1
	verdict "$d"
}

# A task dumped while stopped is restored stopped (criu queues SIGSTOP
# before RESUME_DEVICES_LATE; plugin/inject.c retries and re-queues it),
# with its guards; SIGCONT then lets it finish.
mode_stopped() {
	local name=$1 d=$2 before
	start "$name" "$d" || return 1
	before=$(imgtool scan "$PID")
	kill -STOP "$PID"
	modes_wait_stopped "$PID" || { kill -9 "$PID"; return 1; }
	dumped "$d" || return 1
	wait_gone "$PID" || return 1
	restored "$d" || return 1
	modes_wait_stopped "$PID" || { kill -9 "$PID"; return 1; }
	guards_kept "$PID" "$before" "after restore" || return 1
	# A successful restore prints no Error line (compel used to log an
	# "Unexpected ... task interruption" before the plugin's retry).
	if grep 'Error' "$d/img/restore.log" | grep -v 'rlimit'; then
		log "Error lines in the log of a successful restore"
		kill -9 "$PID"
		return 1
	fi
	kill -CONT "$PID"
	verdict "$d"
}
flow_stopped() { mode_stopped guard_anon "$work/$FUNCNAME"; }

# restore --leave-stopped: the same for a task that was running.
flow_restore_leave_stopped() {
	local d=$work/$FUNCNAME before
	started guard_anon "$d" || return 1
	dumped "$d" || return 1
	wait_gone "$PID" || return 1
	restored "$d" --leave-stopped || return 1
	modes_stopped_kept "$d" "$before" "after restore"
}

# dump --leave-stopped: the live task stays stopped, with its guards.
flow_dump_leave_stopped() {
	local d=$work/$FUNCNAME before
	started guard_anon "$d" || return 1
	dumped "$d" --leave-stopped || return 1
	modes_stopped_kept "$d" "$before" "after dump"
}

# modes_fault_dump DIR: a dump that fails at CRIU's injected fault
# FI_DUMP_PAGES (3); the test killed if it does not.
modes_fault_dump() {
	if CRIU_FAULT=3 dump "$1" "$plugins"; then
		log "dump with CRIU_FAULT=3 succeeded"
		kill -9 "$PID"
		return 1
	fi
	logged -k "$1/img/dump.log" 'fault: Dump VMA pages failure' "the dump failed, but not at the injected fault"
}

# A dump that fails after CHECKPOINT_DEVICES lifted the guards (CRIU's
# fault injection: FI_DUMP_PAGES=3, just before the pages are read):
# exit(DUMP) puts them back and every task runs on with exactly its guards.
flow_dump_fault() {
	local d=$work/$FUNCNAME before
	needs_fault 3 && return 77
	started guard_anon "$d" || return 1
	modes_fault_dump "$d" || return 1
	[ -d "/proc/$PID" ] || { log "task died in the failed dump"; return 1; }
	guards_kept "$PID" "$before" "after the failed dump" || return 1
	verdict "$d"
}

# The same on a tree: the fault hits the first task's pages, after every
# task's guards were lifted.
flow_dump_fault_tree() {
	local d=$work/$FUNCNAME
	needs_fault 3 && return 77
	start guard_tree "$d" || return 1
	modes_fault_dump "$d" || return 1
	verdict "$d"
}

# Pages go to a page server; the plugin's images stay in the dump's
# directory.  Restore from what both wrote.
mode_page_server() {
	local name=$1 d=$2 port ps rc=0
	start "$name" "$d" || return 1
	mkdir -p "$d/pages"
	port=$(modes_port)
	"$criu" page-server -D "$d/pages" --address 127.0.0.1 --port "$port" \
		-o page-server.log -v4 &
	ps=$!
	modes_wait_listen "$port" || { kill -9 "$ps" "$PID"; return 1; }
	dump "$d" "$plugins" --page-server --address 127.0.0.1 --port "$port" ||
		{ log "dump to the page server failed"; rc=1; }
	wait "$ps" || { log "page server failed"; rc=1; }
	[ $rc = 0 ] || { kill -9 "$PID" 2>/dev/null; return 1; }
	wait_gone "$PID" || return 1
	ls "$d"/pages/pages-*.img >/dev/null 2>&1 ||
		{ log "page server wrote no pages"; return 1; }
	cp "$d"/pages/*.img "$d/img/" || return 1
	restored "$d" || return 1
	verdict "$d"
}
flow_page_server() { mode_page_server guard_anon "$work/$FUNCNAME"; }

# Lazy restore: criu lazy-pages serves the pages through userfaultfd while
# the restored task runs.  Where the kernel has no userfaultfd, restore
# --lazy-pages must be refused, not run the task without its pages.
mode_lazy_pages() {
	local name=$1 d=$2 lp rc=0 i
	start "$name" "$d" || return 1
	dumped "$d" || return 1
	wait_gone "$PID" || return 1
	rm -f "$d/img/lazy-pages.socket" # a run before this one's
	"$criu" lazy-pages -D "$d/img" -o lazy-pages.log -v4 &
	lp=$!
	# Its socket, not a fixed sleep: under load the daemon took longer.
	for ((i = 0; i < 200; i++)); do
		[ -S "$d/img/lazy-pages.socket" ] || ! kill -0 "$lp" 2>/dev/null && break
		sleep 0.05
	done
	if ! restore "$d" "$plugins" --lazy-pages; then
		# SIGTERM was seen to leave it waiting (and meson on its stdout).
		kill -9 "$lp" 2>/dev/null
		wait "$lp"
		if grep -qi 'userfaultfd' "$d/img/restore.log" "$d/img/lazy-pages.log" &&
			! grep -q 'Forking task' "$d/img/restore.log"; then
			log "SKIP: no userfaultfd here; lazy restore refused before any task"
			return 77
		fi
		log "lazy restore failed"
		return 1
	fi
	verdict "$d" || rc=1
	wait "$lp" || { log "lazy-pages daemon failed"; rc=1; }
	return $rc
}
flow_lazy_pages() { mode_lazy_pages guard_anon "$work/$FUNCNAME"; }

# modes_kill_session SID: kills every task of the test's session (a tree
# left stopped by dump --leave-stopped) and waits until none is left, so
# that a restore gets the tree's pids back.
modes_kill_session() {
	local i
	pkill -9 -s "$1"
	for ((i = 0; i < 200; i++)); do
		pgrep -s "$1" >/dev/null || return 0
		sleep 0.05
	done
	log "tasks of session $1 still exist: $(pgrep -s "$1" | tr '\n' ' ')"
	return 1
}

# Both --leave-stopped: dump leaves the live tree stopped with exactly its
# guards; it is killed, and restore brings the tree back stopped, with its
# guards, until SIGCONT.
mode_leave_stopped() {
	local name=$1 d=$2 before
	start "$name" "$d" || return 1
	before=$(imgtool scan "$PID")
	dumped "$d" --leave-stopped || return 1
	modes_wait_stopped "$PID" || { modes_kill_session "$PID"; return 1; }
	modes_same_guards "$PID" "$before" "after dump --leave-stopped" ||
		{ modes_kill_session "$PID"; return 1; }
	modes_kill_session "$PID" || return 1
	restore "$d" "$plugins" --leave-stopped ||
		{ log "restore --leave-stopped failed"; return 1; }
	modes_wait_stopped "$PID" || { modes_kill_session "$PID"; return 1; }
	modes_same_guards "$PID" "$before" "after restore --leave-stopped" ||
		{ modes_kill_session "$PID"; return 1; }
	pkill -CONT -s "$PID"
	verdict "$d"
}

# modes_nspid PID: PID's pid in its innermost pid namespace.
modes_nspid() { awk '/^NSpid:/ { print $NF }' "/proc/$1/status" 2>/dev/null; }

# The test's root as the init of a pid namespace of its own (started under
# unshare --pid: test_init's fork makes the ns init): criu dumps the
# namespace with the tree and restores it in a new one, where the root has
# a new host pid (--pidfile).  The plugin names its images by pids in the
# namespace (hooks get host pids).
mode_pidns() {
	local name=$1 d=$2 before nspids f n
	launch="unshare --pid" start "$name" "$d" || return 1
	[ "$(modes_nspid "$PID")" = 1 ] ||
		{ log "$name is pid $(modes_nspid "$PID") in its namespace, not 1"; kill -9 "$PID"; return 1; }
	before=$(imgtool scan "$PID")
	nspids=" $(for p in $(pgrep -s "$PID"); do modes_nspid "$p"; done | tr '\n' ' ')"
	dumped "$d" || return 1
	wait_gone "$PID" || return 1
	for f in "$d"/img/guard-[0-9]*.img; do
		[ -e "$f" ] || break
		n=${f##*/guard-}
		n=${n%.img}
		[[ $nspids == *" $n "* ]] ||
			{ log "$f is not named by a pid in the namespace ($nspids)"; return 1; }
	done
	if plugin_records && [ -n "$before" ] && [ ! -f "$d/img/guard-1.img" ]; then
		log "no guard-1.img for the namespace's init"
		return 1
	fi
	restored "$d" --pidfile "$d/restored.pid" || return 1
	PID=$(cat "$d/restored.pid") || return 1
	[ "$(modes_nspid "$PID")" = 1 ] ||
		{ log "restored root is pid $(modes_nspid "$PID") in its namespace, not 1"; kill -9 "$PID"; return 1; }
	guards_kept "$PID" "$before" "after restore" || return 1
	verdict "$d"
}

# Pre-dump has no CHECKPOINT_DEVICES: init(PRE_DUMP) hooks criu's page
# walk (zero-lift), so both pre-dump modes leave guard pages out.  Without
# soft-dirty (this kernel) criu aborts the pre-dump, but the plugin's line
# must be in its log and the task must keep its guards.
# modes_pre_dump DIR: both pre-dump modes into DIR/pre-MODE; returns 0 if
# each ended as expected.
modes_pre_dump() {
	local d=$1 before mode line
	before=$(imgtool scan "$PID")
	line="guard: pre-dump: zero-lift: criu's page walk skips guard pages"
	[ $native = 0 ] || line="guard: pre-dump: criu skips guard pages natively; plugin stands aside"
	for mode in splice read; do
		mkdir -p "$d/pre-$mode"
		# criu aborts (SIGABRT) where dirty tracking is off: keep bash quiet.
		if ("$criu" pre-dump -t "$PID" -D "$d/pre-$mode" -o pre-dump.log -v4 \
			-L "$plugins" --pre-dump-mode=$mode; exit $?) 2>/dev/null; then
			log "pre-dump ($mode) succeeded"
		elif grep -q 'Dirty tracking support is OFF' "$d/pre-$mode/pre-dump.log" &&
			grep -q 'BUG at' "$d/pre-$mode/pre-dump.log"; then
			log "pre-dump ($mode) aborted: no soft-dirty tracking on this kernel"
		else
			log "pre-dump ($mode) failed for an unexpected reason"
			return 1
		fi
		logged "$d/pre-$mode/pre-dump.log" "$line" "no plugin line in the $mode pre-dump log" || return 1
		modes_same_guards "$PID" "$before" "after pre-dump ($mode)" || return 1
	done
}

flow_pre_dump() {
	local d=$work/$FUNCNAME
	start guard_anon "$d" || return 1
	modes_pre_dump "$d" || { kill -9 "$PID"; return 1; }
	verdict "$d"
}

# The final dump on top of a read-mode pre-dump must restore with the
# guards.  Where pre-dump can't run (no soft-dirty), there is nothing to
# dump on top of: skipped, saying why.
flow_pre_dump_then_dump() {
	local d=$work/$FUNCNAME
	start guard_anon "$d" || return 1
	modes_pre_dump "$d" >/dev/null || { log "pre-dump failed"; kill -9 "$PID"; return 1; }
	if [ ! -f "$d/pre-read/inventory.img" ]; then
		log "SKIP: pre-dump left no images (criu needs soft-dirty tracking, which this kernel lacks)"
		ended
		return 77
	fi
	dumped "$d" --prev-images-dir ../pre-read --track-mem || return 1
	wait_gone "$PID" || return 1
	restored "$d" || return 1
	verdict "$d"
}

# criu swrk, driven over RPC by libcriu as runc and podman do.  libcriu
# has no plugin directory option: criu takes it from CRIU_CONFIG_FILE.
flow_swrk() {
	local d=$work/$FUNCNAME
	start guard_anon "$d" || return 1
	echo "libdir $plugins" >"$d/criu.conf"
	CRIU_CONFIG_FILE=$d/criu.conf "$build/test/zdtm/swrk_client" dump "$PID" "$d/img" ||
		{ log "swrk dump failed"; kill -9 "$PID"; return 1; }
	logged "$d/img/swrk-dump.log" 'guard:' "the plugin did not run in criu swrk" || return 1
	wait_gone "$PID" || return 1
	PID=$(CRIU_CONFIG_FILE=$d/criu.conf "$build/test/zdtm/swrk_client" restore "$d/img") ||
		{ log "swrk restore failed"; return 1; }
	logged -k "$d/img/swrk-restore.log" 'guard:' "the plugin did not run in the swrk restore" || return 1
	verdict "$d"
}

# A second plugin in the same directory sees every hook criu-guard also
# handles (criu-guard returns -ENOTSUP when done): for each task of a tree,
# CHECKPOINT_DEVICES at dump and RESUME_DEVICES_LATE at restore.
flow_second_plugin() {
	local d=$work/$FUNCNAME lib=$work/$FUNCNAME/lib pids hook seen order
	mkdir -p "$lib"
	# criu loads a directory's plugins in readdir order: on tmpfs the
	# newest file first.  The order is checked below, not assumed.
	cp "$build/test/zdtm/probe_plugin.so" "$lib/" &&
		cp "$plugins/guard_plugin.so" "$lib/" || return 1
	start guard_tree "$d" || return 1
	dump "$d" "$lib" || { log "dump failed"; kill -9 "$PID"; return 1; }
	wait_gone "$PID" || return 1
	restore "$d" "$lib" || { log "restore failed"; return 1; }
	verdict "$d" || return 1
	# The probe proves something only if criu asked criu-guard first.
	for f in dump restore; do
		order=$(grep -o 'Plugin "[^"]*"' "$d/img/$f.log" | tr '\n' ' ')
		[ "$order" = 'Plugin "criu-guard" Plugin "probe" ' ] ||
			{ log "$f: plugins loaded as: $order (criu-guard must come first)"; return 1; }
	done
	pids=$(cd "$d/img" && ls mm-*.img | sed 's/mm-\(.*\)\.img/\1/' | sort -n | tr '\n' ' ')
	[ -n "$pids" ] || { log "no mm images"; return 1; }
	for hook in CHECKPOINT_DEVICES RESUME_DEVICES_LATE; do
		seen=$(awk -v h=$hook '$1 == h { print $2 }' "$d/img/probe.log" | sort -n | tr '\n' ' ')
		[ "$seen" = "$pids" ] ||
			{ log "probe saw $hook for [$seen], tasks are [$pids]"; return 1; }
	done
}

# CRIU >= 4.2 collects guards itself (VMA_AREA_GUARD entries in mm-*.img).
# In auto mode the plugin leaves them to criu; with CRIU_GUARD_MODE=plugin
# it lifts them before criu looks (no zero-lift hook on 4.2: it would
# break criu's own guard scan), so criu records none, and adds them itself
# at exit(DUMP) (for a criu without any plugin directory), every one.
# Either way each range is restored by exactly one of them.
flow_native_split() {
	local d=$work/$FUNCNAME before by_criu by_plugin
	if [ $native = 0 ]; then
		log "SKIP: criu $("$criu" --version | sed -n 's/Version: //p') has no native guard support"
		return 77
	fi
	started guard_anon "$d" || return 1
	dumped "$d" || return 1
	wait_gone "$PID" || return 1
	by_criu=$(imgtool mm "$d/img" "$PID" | sed -n 's/^guard //p')
	by_plugin=$(imgtool ranges "$d/img" "$PID" 2>/dev/null)
	case $CRIU_GUARD_MODE in
	auto)
		[ "$by_criu" = "$before" ] ||
			{ log "criu's mm image does not hold the task's guards"; return 1; }
		[ -z "$by_plugin" ] || { log "plugin recorded guards in auto mode"; return 1; } ;;
	plugin)
		grep -q "guard: mm-$PID.img: $(echo "$before" | wc -l) guard ranges added as VMA_AREA_GUARD" \
			"$d/img/dump.log" || { log "criu recorded guards the plugin had lifted, or the plugin did not add them"; return 1; }
		[ "$by_criu" = "$before" ] ||
			{ log "mm image does not hold the guard records the plugin added"; return 1; }
		[ "$by_plugin" = "$before" ] ||
			{ log "plugin image does not hold the task's guards"; return 1; } ;;
	esac
	restored "$d" || return 1
	# With both kinds of range in the images, the plugin says how it split them.
	if [ -n "$by_criu" ] && [ -n "$by_plugin" ]; then
		logged -k "$d/img/restore.log" 'criu restores .* guard ranges itself' "plugin did not leave criu's ranges to criu" || return 1
	fi
	guards_kept "$PID" "$before" "after restore" || return 1
	verdict "$d"
}

# Images where the plugin repeats ranges criu (>= 4.2) recorded itself:
# restore installs each once (the plugin leaves criu's to criu, says so,
# and verifies the union), and the task ends with exactly its guards.
flow_native_overlap() {
	local d=$work/$FUNCNAME before
	if [ $native = 0 ]; then
		log "SKIP: criu $("$criu" --version | sed -n 's/Version: //p') has no native guard support"
		return 77
	fi
	started guard_anon "$d" || return 1
	CRIU_GUARD_MODE=auto dumped "$d" || return 1
	wait_gone "$PID" || return 1
	# As a dump would leave them, had the plugin recorded these ranges:
	# the inventory names it and the binding covers the images.
	imgtool copy-native "$d/img" "$PID" && imgtool name-plugin "$d/img" &&
		imgtool rebind "$d/img" || return 1
	[ "$(imgtool ranges "$d/img" "$PID")" = "$before" ] || { log "crafted image is wrong"; return 1; }
	restored "$d" || return 1
	grep -q "guard: mm-$PID.img: criu restores $(echo "$before" | wc -l) guard ranges itself; the plugin installs 0 of its" \
		"$d/img/restore.log" || { log "plugin did not leave criu's ranges to criu"; kill -9 "$PID"; return 1; }
	guards_kept "$PID" "$before" "after restore" || return 1
	verdict "$d"
}

# modes_fake_streamer SOCK: listens where criu-image-streamer would and
# takes every image pipe criu sends, without reading them: enough for
# criu dump --stream to get to the plugin's hook.  Prints its pid.
modes_fake_streamer() {
	python3 - "$1" </dev/null >/dev/null 2>&1 <<'PY' &
import array, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
s.listen(1)
c, _ = s.accept()
keep = []
while True:
    msg, anc, _, _ = c.recvmsg(4096, socket.CMSG_SPACE(16))
    if not msg and not anc:
        break
    for level, kind, data in anc:
        keep.append(array.array("i", data))
PY
	echo $!
}

# criu dump --stream sends images through criu-image-streamer, and the
# plugin's images, written beside them, would be lost from the stream:
# a task with guards is refused before anything is lifted and keeps them.
flow_dump_stream() {
	local d=$work/$FUNCNAME before streamer i
	needs_plugin_records && return 77
	started guard_anon "$d" || return 1
	streamer=$(modes_fake_streamer "$d/img/streamer-capture.sock")
	for ((i = 0; i < 100; i++)); do
		[ -S "$d/img/streamer-capture.sock" ] && break
		sleep 0.05
	done
	if dump "$d" "$plugins" --stream -R; then
		log "streamed dump of a task with guards succeeded"
		kill -9 "$PID" "$streamer" 2>/dev/null
		return 1
	fi
	kill "$streamer" 2>/dev/null
	wait "$streamer" 2>/dev/null
	grep -q "guard: task $PID has [0-9]* guard ranges, but criu dump --stream" "$d/img/dump.log" ||
		{ log "no refusal in the dump log:"; grep 'Error\|guard:' "$d/img/dump.log" | tail -n 5 | sed 's/^/    /'; kill -9 "$PID"; return 1; }
	guards_kept "$PID" "$before" "after the refused dump" || return 1
	verdict "$d"
}
