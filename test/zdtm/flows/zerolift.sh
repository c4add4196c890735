# shellcheck shell=bash
# Zero-lift: on CRIU < 4.2 the plugin hooks criu's page walk so that it
# skips guard pages (plugin/pagewalk.c); no task is ever touched at dump.
# Where the hook can't be had (CRIU_GUARD_DISABLE=pagewalk stands for
# that), the guards are lifted and reinstalled as before.  Sourced by
# test/zdtm/run; uses imgtool and modes_* from flows/modes.sh.

# zl_needs_hook: 0 (SKIP said) where criu >= 4.2 walks past guards itself;
# there the plugin hooks nothing (auto: stands aside; plugin: lifts).
zl_needs_hook() {
	plugin_records || { needs_plugin_records; return 0; }
	[ $native = 1 ] || return 1
	log "SKIP: criu $(criu_version) walks past guard pages itself: the plugin hooks nothing there"
}

# zl_hooked LOG: the dump or pre-dump at LOG ran with the hook, and
# injected nothing into any task.
zl_hooked() {
	logged "$1" "guard: .*zero-lift: criu's page walk skips guard pages" "no zero-lift line in $1" || return 1
	if grep -q 'guard: .*; lifting$\|guard: timing dump .*injected=[1-9]' "$1"; then
		log "a syscall was injected at dump ($1)"
		return 1
	fi
}

# zl_dump_live DIR: dump -R with the plugin, the page walk hooked (the
# log says so); the test killed if not.
zl_dump_live() {
	dumped "$1" -R || return 1
	zl_hooked "$1/img/dump.log" && return 0
	kill -9 "$PID"
	return 1
}

# dump -R of a tree with threads: nothing lifted (criu's log says so), the
# live tasks keep exactly their guards, the images restore exactly.
flow_zero_lift_tree() {
	local d=$work/$FUNCNAME before
	zl_needs_hook && return 77
	started guard_tree "$d" || return 1
	zl_dump_live "$d" || return 1
	logged -k "$d/img/dump.log" 'guard: dump done: zero-lift: [1-9][0-9]* page scans' "the hook filtered no page scan" || return 1
	guards_kept "$PID" "$before" "after dump -R" || return 1
	verdict "$d"
}

# criu's other page walk: pread() of pagemap, where it does not use
# PAGEMAP_SCAN (CRIU's fault injection FI_DONT_USE_PAGEMAP_SCAN=135).
flow_zero_lift_pread() {
	local d=$work/$FUNCNAME before
	zl_needs_hook && return 77
	needs_fault 135 && return 77
	started guard_anon "$d" || return 1
	CRIU_FAULT=135 dumped "$d" || return 1
	wait_gone "$PID" || return 1
	zl_hooked "$d/img/dump.log" || return 1
	grep -q 'guard: dump done: zero-lift: 0 page scans and [1-9][0-9]* pagemap reads filtered, [1-9][0-9]* guard entries read as holes' \
		"$d/img/dump.log" || { log "the pread path was not filtered:"; grep 'zero-lift' "$d/img/dump.log" | sed 's/^/    /'; return 1; }
	restored "$d" || return 1
	guards_kept "$PID" "$before" "after restore" || return 1
	verdict "$d"
}

# Where criu's page walk can't be hooked, the plugin says so and lifts as
# before: the path is tested, and dump -R still leaves every guard.
flow_zero_lift_fallback() {
	local d=$work/$FUNCNAME before
	zl_needs_hook && return 77
	started guard_tree "$d" || return 1
	CRIU_GUARD_DISABLE=pagewalk dumped "$d" -R || return 1
	logged -k "$d/img/dump.log" "guard: dump: criu's page walk can't be hooked (CRIU_GUARD_DISABLE" "no fallback warning in the log" || return 1
	logged -k "$d/img/dump.log" 'guard: task .*; lifting$' "the fallback lifted nothing" || return 1
	guards_kept "$PID" "$before" "after dump -R" || return 1
	verdict "$d" || return 1
	# A lifted dump restores exactly.
	d=$d/plain
	start guard_threads "$d" || return 1
	CRIU_GUARD_DISABLE=pagewalk dumped "$d" || return 1
	wait_gone "$PID" || return 1
	restored "$d" || return 1
	verdict "$d"
}

# Guards inside an mlock()ed VMA: nothing is lifted, so the dump works and
# the live task keeps them.  The kernel refuses MADV_GUARD_INSTALL in the
# locked VMA criu restores, so the restore is refused at init, naming the
# range, before any task exists.
flow_zero_lift_locked() {
	local d=$work/$FUNCNAME before
	zl_needs_hook && return 77
	started guard_mlock_onfault "$d" || return 1
	zl_dump_live "$d" || return 1
	guards_kept "$PID" "$before" "after dump -R" || return 1
	verdict "$d" || return 1
	cp -a "$d/img" "$d/orig"
	failures_refused "$d" img "a guard range lies in the mlock\\(\\)ed mapping .*refusing the restore"
}

# zl_sweep_one NAME SIG DELAY_MS ARGS...: dumps NAME (dump ARGS), kills
# criu with SIG after DELAY_MS; then every task is alive with exactly its
# guards (the test checks its own at SIGTERM; the root's are compared
# here), or gone where criu decided so: a plain dump that finished, or
# criu's parasite still inside the task when criu died (stock criu leaves
# a guard-free task so too).  Prints one word: alive, dumped, parasite.
zl_sweep_one() {
	local name=$1 sig=$2 ms=$3 d before cpid infected cured
	shift 3
	d=$work/flow_zero_lift_kill_sweep/$name-$sig-$ms${1:-}
	rm -rf "$d"
	start "$name" "$d" >&2 || return 1
	before=$(imgtool scan "$PID")
	# Not through dump(): $! must be criu itself (env and the bound exec it).
	# shellcheck disable=SC2046 # bp_env's words are VAR=VALUE assignments
	env $(bp_env "$plugins") "$criu" dump -t "$PID" -D "$d/img" -o dump.log -v4 \
		-L "$plugins" "$@" 2>/dev/null &
	cpid=$!
	sleep "$(printf '0.%03d' "$ms")"
	kill -"$sig" "$cpid" 2>/dev/null
	wait "$cpid" 2>/dev/null
	zl_reap_criu "$d/img"
	# A plain dump that finished kills the tree (perhaps still dying):
	# criu unseizes each task into TASK_DEAD (2) once the dump succeeded,
	# before it logs the end, so a kill in between leaves the tree dead
	# as criu decided.
	if [ $# = 0 ] && grep -qsE "Dumping finished successfully|Unseizing $PID into 2\$" "$d/img/dump.log"; then
		wait_gone "$PID" >&2 || return 1
		echo dumped
		return 0
	fi
	# No log: criu died before it opened one.
	infected=$(grep -c 'Parasite syscall_ip at' "$d/img/dump.log" 2>/dev/null)
	cured=$(grep -c 'is going to execute the syscall 15, required is 15' "$d/img/dump.log" 2>/dev/null)
	if [ ! -d "/proc/$PID" ] || grep -q '^State:.*zombie' "/proc/$PID/status" 2>/dev/null; then
		if [ "${infected:-0}" -gt "${cured:-0}" ]; then
			echo parasite
			return 0
		fi
		log "$name $sig ${ms}ms $*: the task died outside criu's parasite ($infected infected, $cured cured; criu's last line: $(tail -1 "$d/img/dump.log"))" >&2
		return 1
	fi
	kill -CONT "$PID" 2>/dev/null
	modes_same_guards "$PID" "$before" "after criu died ($sig ${ms}ms $*)" >&2 ||
		{ kill -9 "$PID"; return 1; }
	verdict "$d" && { echo alive; return 0; }
	# The root lives; a task of its tree with criu's parasite still inside
	# when criu died is as stock criu leaves it (the parasite ends it).
	if [ "${infected:-0}" -gt "${cured:-0}" ]; then
		log "$name $sig ${ms}ms $*: a task of the tree had criu's parasite inside ($infected infected, $cured cured): $(grep -m1 FAIL "$d/out")" >&2
		echo parasite
		return 0
	fi
	{ log "$name $sig ${ms}ms $*: the test failed its own check ($infected infected, $cured cured; criu's last line: $(tail -1 "$d/img/dump.log")):"; sed 's/^/    /' "$d/out" | tail -5; } >&2
	return 1
}

# zl_reap_criu IMGDIR: a process criu forked for IMGDIR's dump may outlive
# the criu killed (seen stopped or in a tracing stop, 4.1.1): killed here,
# by pid, so that nothing is left behind.
zl_reap_criu() {
	local p
	for p in /proc/[0-9]*; do
		case $(readlink "$p/exe" 2>/dev/null) in */criu) ;; *) continue ;; esac
		{ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -q -- "criu dump .*-D $1 " || continue
		log "a criu process ${p#/proc/} outlived the killed criu ($(awk '/^State:/ {print $2 $3}' "$p/status" 2>/dev/null)): killed" >&2
		kill -9 "${p#/proc/}" 2>/dev/null
	done
}

# Kill sweep: criu killed by SIGKILL, SIGTERM or SIGINT at many moments of
# dump and dump -R, on a small tree, a task with threads and a task with
# 5,000 ranges.  Nothing is lifted, so nothing can be lost.  Bounded: each
# criu by GUARD_TEST_TIMEOUT, each test by its verdict wait.
flow_zero_lift_kill_sweep() {
	local name sig ms r a rc=0 n=0 alive=0 dumped=0 parasite=0 t0
	zl_needs_hook && return 77
	# Seen on this branch (1 of 4 sweeps, 2026-12-07): criu killed while
	# it single-steps tasks leaves a task of the tree alive but another
	# dead or silent ("2 problems in the tree").
	# Not yet told apart from stock criu in that mode, so not counted
	# either way: the sweep runs on the breakpoint branch.
	if [ "${nobp:-0}" = 1 ]; then
		log "SKIP: criu single-steps here ($nobp_why); a kill while it steps a task out of the parasite can take the task with it, a hazard of that criu mode not yet separated from the plugin's (see docs/testing.md)"
		return 77
	fi
	t0=$(date +%s)
	for name in guard_tree guard_threads guard_many; do
		for a in -R ""; do
			for sig in KILL TERM INT; do
				for ms in 4 25 80; do
					# shellcheck disable=SC2086 # "" is no argument
					r=$(zl_sweep_one "$name" "$sig" "$ms" $a) || { rc=1; continue; }
					n=$((n + 1))
					case $r in
					alive) alive=$((alive + 1)) ;;
					dumped) dumped=$((dumped + 1)) ;;
					parasite) parasite=$((parasite + 1)) ;;
					esac
				done
			done
		done
	done
	log "kill sweep: $n runs in $(($(date +%s) - t0)) s: $alive alive with exactly their guards, $dumped dumped (plain dump finished), $parasite gone with criu's parasite inside"
	return $rc
}

# Pre-dump iterations (live migration): pre-dump, a second pre-dump on
# top of it, guards installed and removed in between, the final dump and
# an exact restore, in criu's default (splice) and read pre-dump modes.
# Needs soft-dirty tracking: SKIP where criu check says it is missing.
# zl_move N: guard_moving's step N (SIGUSR1), waited for.
zl_move() {
	local i
	kill -USR1 "$PID"
	for ((i = 0; i < 100; i++)); do
		grep -q "^step $1 done" "$d/out" 2>/dev/null && return 0
		sleep 0.05
	done
	log "guard_moving did not finish step $1"
	return 1
}

zl_pre_dump_flow() {
	local mode=$1 d=$work/$2 before
	zl_needs_hook && return 77
	if ! "$criu" check --feature mem_dirty_track >/dev/null 2>&1; then
		log "SKIP: criu check --feature mem_dirty_track fails: this kernel has no soft-dirty tracking, which pre-dump needs"
		return 77
	fi
	start guard_moving "$d" || return 1
	mkdir -p "$d/pre1" "$d/pre2"
	"$criu" pre-dump -t "$PID" -D "$d/pre1" -o pre-dump.log -v4 -L "$plugins" \
		--pre-dump-mode="$mode" || { log "first pre-dump ($mode) failed"; kill -9 "$PID"; return 1; }
	zl_hooked "$d/pre1/pre-dump.log" || { kill -9 "$PID"; return 1; }
	# The test moves its guards: a new one over a dumped page, one gone.
	zl_move 1 || { kill -9 "$PID"; return 1; }
	"$criu" pre-dump -t "$PID" -D "$d/pre2" -o pre-dump.log -v4 -L "$plugins" \
		--pre-dump-mode="$mode" --prev-images-dir ../pre1 --track-mem ||
		{ log "second pre-dump ($mode) failed"; kill -9 "$PID"; return 1; }
	zl_move 2 || { kill -9 "$PID"; return 1; }
	before=$(imgtool scan "$PID")
	dumped "$d" --prev-images-dir ../pre2 --track-mem || return 1
	wait_gone "$PID" || return 1
	restored "$d" || return 1
	guards_kept "$PID" "$before" "after restore" || return 1
	verdict "$d"
}
flow_zero_lift_pre_dump_splice() { zl_pre_dump_flow splice "$FUNCNAME"; }
flow_zero_lift_pre_dump_read() { zl_pre_dump_flow read "$FUNCNAME"; }
