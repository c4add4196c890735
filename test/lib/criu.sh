# shellcheck shell=bash
# Sourced by test/zdtm/run and test/tool/run: start a zdtm-style test
# program, dump it with criu, restore it, read its verdict.
#
# The runner sets criu (the criu to run) and plugins (the plugin directory,
# dump's and restore's default -L; stage_install sets it), and may define
# or set:
#   bp_env LIBDIR   extra environment for a criu run with -L LIBDIR, as
#                   VAR=VALUE words (default none)
#   log MSG...      where a complaint goes (default: none)
#   launch          a command prefix for start_prog (e.g. setarch -R)
#   verdict_wait    50 ms polls for a verdict (default 400)
#   verbose         1: verdict prints the test's output
# PID is the test's pid: set by start_prog, used by dump and verdict.
# shellcheck disable=SC2154 # criu and plugins are the runner's

bp_env() { :; }

# say MSG...: through the runner's log, if it has one.
say() { declare -F log >/dev/null && log "$@"; return 0; }

# wait_gone PID: waits up to 10 s for PID to exit.
wait_gone() {
	local pid=$1 i
	for ((i = 0; i < 200; i++)); do
		[ -d "/proc/$pid" ] || return 0
		sleep 0.05
	done
	say "pid $pid still exists"
	return 1
}

# start_prog PROG DIR [ARGS...]: runs the test program (with ARGS before
# the pid and out files) until it is ready (it writes
# its pid file); sets PID.  Its output goes to DIR/stdout and DIR/out.
start_prog() {
	local prog=$1 d=$2
	shift 2
	mkdir -p "$d/img"
	${launch-} setsid "$prog" "$@" --pidfile="$d/pid" --outfile="$d/out" \
		</dev/null >"$d/stdout" 2>&1 || return 1
	PID=$(cat "$d/pid")
}

# dump DIR [LIBDIR [CRIU_ARGS...]]: criu dump of PID into DIR/img.
dump() {
	local d=$1 libdir=${2:-$plugins}
	shift $(($# < 2 ? $# : 2))
	# shellcheck disable=SC2046 # bp_env's words are VAR=VALUE assignments
	env $(bp_env "$libdir") "$criu" dump -t "$PID" -D "$d/img" -o dump.log -v4 -L "$libdir" "$@"
}

# restore DIR [LIBDIR [CRIU_ARGS...]]: criu restore -d from DIR/img.
restore() {
	local d=$1 libdir=${2:-$plugins}
	shift $(($# < 2 ? $# : 2))
	# shellcheck disable=SC2046
	env $(bp_env "$libdir") "$criu" restore -D "$d/img" -o restore.log -v4 -L "$libdir" -d "$@"
}

# stage_install BUILD DIR: the plugins and the tool installed from BUILD
# into DIR/stage as users get them (meson install); sets plugins to the
# directory criu loads them from (both plugins there).
stage_install() {
	meson install -C "$1" --no-rebuild --quiet --destdir "$2/stage" >/dev/null ||
		{ echo "meson install failed" >&2; return 1; }
	plugins=$(find "$2/stage" -name guard_plugin.so -printf '%h\n' | head -1)
	[ -n "$plugins" ] || { echo "guard_plugin.so not installed" >&2; return 1; }
	[ -f "$plugins/guard_hwbp.so" ] ||
		{ echo "guard_hwbp.so not installed beside it" >&2; return 1; }
}

# verdict DIR: SIGTERM the restored test and wait for PASS or FAIL.
verdict() {
	local rc
	kill -TERM "$PID" 2>/dev/null
	await_verdict "$1/out"
	rc=$?
	wait_gone "$PID"
	[ "${verbose:-0}" = 1 ] && sed 's/^/    /' "$1/out"
	return $rc
}

# await_verdict FILE [UNTIL]: waits (50 ms polls, verdict_wait of them) for
# FILE's PASS or FAIL line, and for the command UNTIL, if given, to succeed
# (e.g. "the container has stopped"); succeeds if FILE says PASS.  For a
# test whose verdict lands in a file while its process is out of reach (a
# container's).
await_verdict() {
	local f=$1 until=${2:-true} i
	for ((i = 0; i < ${verdict_wait:-400}; i++)); do
		grep -qE '^(PASS|FAIL)' "$f" 2>/dev/null && $until && break
		sleep 0.05
	done
	grep -q '^PASS$' "$f" 2>/dev/null
}

# await_file FILE [WHILE]: waits (50 ms polls, 10 s) for FILE to exist,
# giving up early once the command WHILE, if given, fails (e.g. "the
# container still runs").
await_file() {
	local f=$1 while=${2:-true} i
	for ((i = 0; i < 200; i++)); do
		[ -e "$f" ] && return 0
		$while || break
		sleep 0.05
	done
	[ -e "$f" ]
}
