# shellcheck shell=bash
# The two plugins, each without the other: the breakpoint plugin
# (guard_hwbp.so) concerns every criu run, guards or not, and stays out of
# the dump's inventory; criu-guard (guard_plugin.so) works without it
# wherever criu's breakpoints need no help.  Sourced by test/zdtm/run.

# hwbp_lib NAME SO: a plugin directory holding only the installed SO.
hwbp_lib() {
	mkdir -p "$work/$1" && cp "$plugins/$2" "$work/$1/"
}

# loaded LOG WANT: criu loaded exactly the plugins named WANT.
loaded() {
	local got
	got=$(grep -o 'Plugin "[^"]*"' "$1" | sort -u | tr '\n' ' ')
	[ "$got" = "$2" ] || { log "$1: plugins loaded: ${got:-none}, want $2"; return 1; }
}

# A guard-free task dumped and restored with the breakpoint plugin alone:
# criu single-steps where breakpoints never fire (single_stepped), the
# dump names no plugin, and it restores where the plugin is missing.
flow_hwbp_plugin_alone() {
	local d=$work/$FUNCNAME lib=$work/hwbp-only
	hwbp_lib hwbp-only guard_hwbp.so || return 1
	start guard_removed "$d" || return 1
	dump "$d" "$lib" || { log "dump with the breakpoint plugin alone failed"; kill -9 "$PID"; return 1; }
	wait_gone "$PID" || return 1
	logged "$d/img/dump.log" 'guard-hwbp: ' "the breakpoint plugin wrote nothing to the dump log" || return 1
	loaded "$d/img/dump.log" 'Plugin "criu-guard-hwbp" ' || return 1
	single_stepped "$d/img/dump.log" || return 1
	! grep -qa 'criu-guard-hwbp' "$d/img/inventory.img" ||
		{ log "the dump's inventory names the breakpoint plugin"; return 1; }
	restore "$d" "$work/noplugins" ||
		{ log "a dump made with the breakpoint plugin does not restore without it"; return 1; }
	verdict "$d" || return 1
	# The other way round: restored with the breakpoint plugin alone.
	d=$work/$FUNCNAME-restore
	start guard_removed "$d" || return 1
	dump "$d" "$work/noplugins" || { log "dump without plugins failed"; kill -9 "$PID"; return 1; }
	wait_gone "$PID" || return 1
	restore "$d" "$lib" || { log "restore with the breakpoint plugin alone failed"; return 1; }
	loaded "$d/img/restore.log" 'Plugin "criu-guard-hwbp" ' || { kill -9 "$PID"; return 1; }
	single_stepped "$d/img/restore.log" || { kill -9 "$PID"; return 1; }
	verdict "$d"
}

# criu-guard alone: a guarded task dumps and restores, the breakpoint
# plugin's lines are absent (bp_env gives criu CRIU_FAULT=130 where
# breakpoints are taken as broken, as a user without it would).
flow_guard_plugin_alone() {
	local d=$work/$FUNCNAME lib=$work/guard-only f
	hwbp_lib guard-only guard_plugin.so || return 1
	start guard_anon "$d" || return 1
	dump "$d" "$lib" || { log "dump with criu-guard alone failed"; kill -9 "$PID"; return 1; }
	wait_gone "$PID" || return 1
	restore "$d" "$lib" || { log "restore with criu-guard alone failed"; return 1; }
	for f in dump restore; do
		loaded "$d/img/$f.log" 'Plugin "criu-guard" ' || { kill -9 "$PID"; return 1; }
		logged -k "$d/img/$f.log" 'guard: ' "criu-guard wrote nothing to the $f log" || return 1
		! grep -q 'guard-hwbp: ' "$d/img/$f.log" ||
			{ log "breakpoint plugin lines in the $f log without the plugin"; kill -9 "$PID"; return 1; }
	done
	verdict "$d"
}

# A setting with a value not in its table fails the dump before anything
# is touched, with the plugin's prefix and the values it could be.
flow_bad_setting() {
	local d=$work/$FUNCNAME rc=0 var want
	start guard_anon "$d" || return 1
	for var in HWBP MODE; do
		case $var in
		HWBP) want='guard-hwbp: CRIU_GUARD_HWBP=bogus is not auto, off or broken' ;;
		MODE) want='guard: CRIU_GUARD_MODE=bogus is not auto or plugin' ;;
		esac
		if env "CRIU_GUARD_$var=bogus" "$criu" dump -t "$PID" -D "$d/img" \
			-o "bad-$var.log" -v4 -L "$plugins"; then
			log "dump with CRIU_GUARD_$var=bogus succeeded"
			return 1
		fi
		grep -qF "$want" "$d/img/bad-$var.log" ||
			{ log "no '$want' in the log"; rc=1; }
		[ -d "/proc/$PID" ] || { log "the task died in the refused dump"; return 1; }
	done
	# Still dumpable: the refusals left nothing behind.
	dumped "$d" || return 1
	wait_gone "$PID" || return 1
	restored "$d" || return 1
	verdict "$d" || rc=1
	return $rc
}
