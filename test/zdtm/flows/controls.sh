# shellcheck shell=bash
# Controls: what happens without the plugin.  Sourced by test/zdtm/run.

# Stock CRIU 4.1 can't dump a process with guards: the reason for the
# plugin.  CRIU >= 4.2 can (native support): there, stock criu must dump
# and restore the guards itself, recording them in its mm image.
flow_stock_dump_fails() {
	local d=$work/$FUNCNAME rc=0
	start guard_anon "$d" || return 1
	if [ $native = 1 ]; then
		dump "$d" "$work/noplugins" ||
			{ log "stock criu with native guard support failed to dump"; kill -9 "$PID"; return 1; }
		wait_gone "$PID" || return 1
		"$build/test/zdtm/imgtool" mm "$d/img" "$PID" | grep -q '^guard ' ||
			{ log "criu's mm image records no guard ranges"; return 1; }
		restore "$d" "$work/noplugins" || { log "stock restore failed"; return 1; }
		verdict "$d"
		return
	fi
	dump "$d" "$work/noplugins" && rc=1
	grep -q "Can't splice all pages to pipe\|Can't dump page with parasite" \
		"$d/img/dump.log" || { log "dump did not fail on the guard pages"; rc=1; }
	[ -d "/proc/$PID" ] || { log "task died in the failed dump"; rc=1; }
	kill -9 "$PID" 2>/dev/null
	wait_gone "$PID"
	return $rc
}

# Images made with the plugin must not restore without it (guards would be
# silently lost); with it, the same images then restore fine.  Where criu
# has native support and the plugin stands aside (auto mode), the images
# are criu's own and must restore without the plugin.
flow_restore_needs_plugin() {
	local d=$work/$FUNCNAME
	start guard_anon "$d" || return 1
	dump "$d" "$plugins" || { log "dump failed"; return 1; }
	wait_gone "$PID" || return 1
	if [ $native = 1 ] && [ "$CRIU_GUARD_MODE" = auto ]; then
		[ ! -e "$d/img/guard-index.img" ] ||
			{ log "plugin recorded guards although criu handles them"; return 1; }
		restore "$d" "$work/noplugins" ||
			{ log "restore of criu's own guard images without the plugin failed"; return 1; }
		verdict "$d"
		return
	fi
	if restore "$d" "$work/noplugins" -o restore-noplugin.log; then
		log "restore without the plugin succeeded"
		kill -9 "$PID"
		return 1
	fi
	logged "$d/img/restore-noplugin.log" "criu-guard" "refusal does not name the plugin" || return 1
	wait_gone "$PID" || return 1
	restore "$d" "$plugins" || { log "restore with the plugin failed"; return 1; }
	verdict "$d"
}

# A guard-free task dumped with the plugin installed must restore on a
# machine without it: the plugin only makes itself required when it must.
flow_guard_free_restores_without_plugin() {
	local d=$work/$FUNCNAME
	start guard_removed "$d" || return 1
	dump "$d" "$plugins" || { log "dump failed"; return 1; }
	wait_gone "$PID" || return 1
	restore "$d" "$work/noplugins" || { log "restore without the plugin failed"; return 1; }
	verdict "$d"
}

# No plugin directory at all (/usr/lib/criu absent, no -L: a host where no
# plugin was ever installed): criu skips its check of the plugins
# inventory.img names.  The guard records the plugin adds to mm-<pid>.img
# decide instead: CRIU >= 4.2 restores them itself, CRIU 4.1 refuses the
# image.  Never a restore without the guards; with the plugin, exact.
flow_restore_no_plugin_dir() {
	local d=$work/$FUNCNAME n
	if [ -e /usr/lib/criu ] || [ -n "${CRIU_LIBS_DIR:-}" ]; then
		log "SKIP: /usr/lib/criu (or CRIU_LIBS_DIR) exists here: criu would check the inventory's plugins"
		return 77
	fi
	start guard_tree "$d" || return 1
	dump "$d" "$plugins" || { log "dump failed"; return 1; }
	wait_gone "$PID" || return 1
	if [ -e "$d/img/guard-index.img" ]; then
		n=$(grep -c 'added as VMA_AREA_GUARD entries' "$d/img/dump.log")
		[ "$n" -gt 0 ] || { log "the plugin's dump added no guard records to criu's mm images"; return 1; }
	fi
	"$build/test/zdtm/imgtool" mm "$d/img" "$PID" | grep -q '^guard ' ||
		{ log "mm-$PID.img records no guard ranges"; return 1; }
	# shellcheck disable=SC2046 # bp_env's words are VAR=VALUE assignments
	if env $(bp_env "$work/noplugins") "$criu" restore -D "$d/img" \
		-o restore-nodir.log -v4 -d; then
		if [ $native = 0 ]; then
			log "criu $(criu_version) restored without any plugin directory"
			kill -9 "$PID"
			return 1
		fi
		verdict "$d"
		return
	fi
	[ $native = 0 ] || { log "criu $(criu_version) failed to restore its own guard records"; return 1; }
	logged "$d/img/restore-nodir.log" 'VMA-s are not sorted in the image file' "criu's refusal is not the mm image's guard records" || return 1
	wait_gone "$PID" || return 1
	restore "$d" "$plugins" || { log "restore with the plugin failed"; return 1; }
	verdict "$d"
}
