# shellcheck shell=bash
# What depends on the kernel: a kernel without guard regions (Debian 13's
# 6.12), the PAGEMAP_SCAN path where smaps has no "gu" (6.16-6.18), and
# iterative migration, lazy pages across a page server and userfaultfd,
# which need soft-dirty and userfaultfd (every Debian kernel, not this
# host's).  scripts/vm runs them in guests on Debian's kernels; where the
# kernel can't run one, it says SKIP and why.  Sourced by test/zdtm/run.
#
# Names with "noguard" or "kernel_" run on every kernel (test/zdtm/run's
# guard_free); the others need guard regions.

# kernels_feature NAME: true or false, as criu-guard check saw this kernel
# when the run started (test/zdtm/run's host_check).
kernels_feature() {
	"$GUARD_TEST_LIB/json-get" "$1" <<<"$host_check"
}

# kernels_no_guards_only: returns 0 (SKIP said) on a kernel with guards.
kernels_no_guards_only() {
	[ "$(kernels_feature madv_guard)" = true ] || return 1
	log "SKIP: kernel $(uname -r) has guard regions; this flow is about kernels without them (Linux < 6.13; scripts/vm --kernel 6.12)"
}

# kernels_needs FEATURE WHY: returns 0 (SKIP said) where FEATURE is off.
kernels_needs() {
	[ "$(kernels_feature "$1")" = true ] && return 1
	log "SKIP: kernel $(uname -r) has no $2 (criu-guard check: $1 false); Debian's kernels have it: scripts/vm"
}

# A kernel without guard regions: criu-guard check says so and that a
# guarded dump can't work, in both of its outputs.
flow_kernel_check_no_guards() {
	local out
	kernels_no_guards_only && return 77
	out=$("$build/tool/criu-guard" check 2>&1)
	grep -Eq '^guard install \(MADV_GUARD_INSTALL\) +no: guard regions need Linux >= 6.13' <<<"$out" ||
		{ log "check does not say the kernel lacks guards:"; sed 's/^/    /' <<<"$out"; return 1; }
	grep -Eq '^plugin can work here +no.*the kernel has no guard regions' <<<"$out" ||
		{ log "check does not say why the plugin can't work:"; sed 's/^/    /' <<<"$out"; return 1; }
	[ "$(kernels_feature madv_guard)" = false ] ||
		{ log "check --json does not say madv_guard false"; return 1; }
}

# A guard-free task on a kernel without guards: the plugin stands aside,
# says so, and the dump restores exactly (without the plugin, too).
flow_kernel_noguard_dump() {
	local d=$work/$FUNCNAME
	kernels_no_guards_only && return 77
	start noguard_anon "$d" || return 1
	dumped "$d" || return 1
	wait_gone "$PID" || return 1
	logged "$d/img/dump.log" 'guard: kernel has no guard regions; nothing to do' "the plugin did not stand aside in the dump log" || return 1
	restore "$d" "$work/noplugins" || { log "restore without the plugin failed"; return 1; }
	verdict "$d"
}

# A guarded image (made on a kernel with guards: scripts/vm-suite makes it
# on the host before booting) is refused at restore init on a kernel
# without guards, before any task exists.
flow_kernel_guarded_image_refused() {
	local d=$work/$FUNCNAME fixture=${ZDTM_GUARDED_IMAGE:-$build/vm-fixture/guard_anon}
	kernels_no_guards_only && return 77
	if [ ! -f "$fixture/pid" ]; then
		log "SKIP: no guarded image at $fixture (scripts/vm-suite dumps one on the host before it boots a kernel without guards)"
		return 77
	fi
	mkdir -p "$d"
	cp -a "$fixture/img" "$d/img" || return 1
	PID=$(cat "$fixture/pid")
	if "$criu" restore -D "$d/img" -o restore.log -v4 -L "$plugins" -d; then
		log "restore of a guarded image succeeded on a kernel without guards"
		kill -9 "$PID" 2>/dev/null
		return 1
	fi
	grep -Eq "guard: .*$msg_no_kernel" "$d/img/restore.log" ||
		{ log "no refusal naming the kernel:"; grep 'guard:\|Error' "$d/img/restore.log" | sed 's/^/    /'; return 1; }
	# The dumped pid came from another machine: here it may be anyone's.
	if grep -q 'Forking task' "$d/img/restore.log" || pgrep -f "test/zdtm/guard_anon" >/dev/null; then
		log "refused only after tasks were created"
		pkill -9 -f "test/zdtm/guard_anon"
		return 1
	fi
}

# CRIU_GUARD_SCAN=smaps where smaps has no "gu" (6.16-6.18): the plugin
# falls back to PAGEMAP_SCAN and the dump is still exact; where smaps has
# it, the smaps path itself is exact.
flow_scan_smaps() {
	local d=$work/$FUNCNAME gu
	gu=$(kernels_feature smaps_gu)
	start guard_anon "$d" || return 1
	CRIU_GUARD_SCAN=smaps dumped "$d" || return 1
	wait_gone "$PID" || return 1
	if plugin_records; then
		logged "$d/img/dump.log" "guard: kernel: .* smaps_gu=$([ "$gu" = true ] && echo 1 || echo 0)" "the plugin's kernel line does not match criu-guard check (smaps_gu $gu)" || return 1
	fi
	restored "$d" || return 1
	verdict "$d"
}

# kernels_wait_file FILE: waits up to 30 s for FILE.
kernels_wait_file() {
	local i
	for ((i = 0; i < 600; i++)); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	log "no $1 after 30 s"
	return 1
}

# kernels_errors LOG: what criu said went wrong, for the flow's output.
kernels_errors() { grep -E 'Error|guard:.*(fail|refus|can.t)' "$1" 2>/dev/null | tail -5 | sed 's/^/    /'; }

# Iterative migration, as runc, podman and LXD migrate a busy container:
# two pre-dumps (the second tracking memory since the first), then the
# final dump on top of them; the restore must be exact, guards included.
# migrate_iterative NAME DIR [PRE-DUMP ARGS...]
migrate_iterative() {
	local name=$1 d=$2 step; shift 2
	kernels_needs soft_dirty "soft-dirty (CONFIG_MEM_SOFT_DIRTY): criu pre-dump can't track memory" && return 77
	start "$name" "$d" || return 1
	mkdir -p "$d/pre1" "$d/pre2"
	for step in pre1 pre2; do
		local prev=()
		[ $step = pre2 ] && prev=(--prev-images-dir ../pre1 --track-mem)
		if ! "$criu" pre-dump -t "$PID" -D "$d/$step" -o pre-dump.log -v4 \
			-L "$plugins" "${prev[@]}" "$@"; then
			log "criu pre-dump ($step${1:+, $*}) failed:"
			kernels_errors "$d/$step/pre-dump.log"
			kill -9 "$PID"
			return 1
		fi
	done
	if ! dump "$d" "$plugins" --prev-images-dir ../pre2 --track-mem; then
		log "the final dump on top of the pre-dumps failed:"
		kernels_errors "$d/img/dump.log"
		kill -9 "$PID"
		return 1
	fi
	wait_gone "$PID" || return 1
	restore "$d" "$plugins" || { log "restore failed:"; kernels_errors "$d/img/restore.log"; return 1; }
	verdict "$d"
}
flow_migrate_iterative() { migrate_iterative guard_anon "$work/$FUNCNAME"; }
flow_migrate_iterative_read() {
	migrate_iterative guard_anon "$work/$FUNCNAME" --pre-dump-mode=read
}
flow_migrate_noguard_iterative() { migrate_iterative noguard_anon "$work/$FUNCNAME"; }

# kernels_no_tee DIR: returns 0 (SKIP said) where the kernel refused tee()
# on criu's page pipe: this host's 6.18 build does, guards or not (Debian's
# kernels don't), and then there is nothing to learn about guards.
kernels_no_tee() {
	grep -q 'page-pipe: tee: .*Operation not permitted' "$1/img/dump.log" 2>/dev/null || return 1
	log "SKIP: kernel $(uname -r) refuses tee() on criu's page pipe (EPERM), so a lazy dump can't serve pages, guards or not; Debian's kernels don't: scripts/vm"
}

# Lazy migration: the dump keeps the pages and serves them; criu
# lazy-pages on the restoring side fetches them across the page server
# (--page-server) and feeds the restored task through userfaultfd.  The
# dumped task lives until its pages are served, so it runs as the init of
# a pid namespace of its own and is restored into a new one, as on another
# machine.
# migrate_lazy NAME DIR
migrate_lazy() {
	local name=$1 d=$2 port dp lp rc=0 orig
	kernels_needs userfaultfd "userfaultfd: criu lazy-pages can't run" && return 77
	launch="unshare --pid" start "$name" "$d" || return 1
	orig=$PID
	port=$(modes_port)
	"$criu" dump -t "$PID" -D "$d/img" -o dump.log -v4 -L "$plugins" \
		--lazy-pages --address 127.0.0.1 --port "$port" &
	dp=$!
	# The images are complete once the inventory is written; then the dump
	# only serves pages.
	kernels_wait_file "$d/img/inventory.img" || { kill "$dp"; kill -9 "$PID"; return 1; }
	"$criu" lazy-pages --page-server --address 127.0.0.1 --port "$port" \
		-D "$d/img" -o lazy-pages.log -v4 &
	lp=$!
	# Under QEMU's emulation the daemon takes longer than a fixed pause.
	kernels_wait_file "$d/img/lazy-pages.socket" || { kill "$lp" "$dp"; kill -9 "$orig"; return 1; }
	if ! restore "$d" "$plugins" --lazy-pages --pidfile "$d/restored.pid"; then
		kill "$lp" "$dp" 2>/dev/null
		wait "$lp" "$dp"
		kill -9 "$orig" 2>/dev/null
		wait_gone "$orig"
		kernels_no_tee "$d" && return 77
		log "lazy restore failed:"
		kernels_errors "$d/img/restore.log"
		kernels_errors "$d/img/dump.log"
		return 1
	fi
	PID=$(cat "$d/restored.pid") || return 1
	verdict "$d" || rc=1
	wait "$lp" || { log "criu lazy-pages failed:"; kernels_errors "$d/img/lazy-pages.log"; rc=1; }
	wait "$dp" || { log "the lazy dump (page server) failed:"; kernels_errors "$d/img/dump.log"; rc=1; }
	wait_gone "$orig" || { kill -9 "$orig"; rc=1; }
	[ $rc = 0 ] || ! kernels_no_tee "$d" || return 77
	return $rc
}
flow_migrate_lazy_remote() { migrate_lazy guard_anon "$work/$FUNCNAME"; }
flow_migrate_noguard_lazy_remote() { migrate_lazy noguard_anon "$work/$FUNCNAME"; }
