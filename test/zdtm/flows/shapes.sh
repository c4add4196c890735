# shellcheck shell=bash
# Mapping and task shapes that need more than run_test: scale cases with
# their dump and restore times logged, and a tree in its own pid namespace.
# Sourced by test/zdtm/run; the plain shapes are in TESTS.

# shapes_secs T0 T1: seconds between two `date +%s.%N` stamps.
shapes_secs() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'
}

# shapes_timed TEST DIR: run_test, logging how long dump and restore took
# (a record for the report, not an assertion).
shapes_timed() {
	local name=$1 d=$2 t0 t1 t2 t3
	start "$name" "$d" || return 1
	t0=$(date +%s.%N)
	dumped "$d" || return 1
	t1=$(date +%s.%N)
	wait_gone "$PID" || return 1
	t2=$(date +%s.%N)
	restored "$d" || return 1
	t3=$(date +%s.%N)
	log "$name: dump $(shapes_secs "$t0" "$t1") s, restore $(shapes_secs "$t2" "$t3") s"
	verdict "$d"
}

# 5,000 guard ranges in one task.
flow_scale_guards() {
	shapes_timed guard_many "$work/$FUNCNAME"
}

# 200 tasks in one tree, each with guards.
flow_scale_tree() {
	local d=$work/$FUNCNAME n
	shapes_timed guard_tree_scale "$d" || return 1
	plugin_records || return 0 # criu keeps the guards in its own images
	n=$(find "$d/img" -name 'guard-[0-9]*.img' | wc -l)
	[ "$n" = 200 ] || { log "$n task guard images, expected 200"; return 1; }
}

# A tree whose root is the init of its own pid namespace: criu dumps the
# namespace (-t names the init by its host pid) and restores it in a new
# one, where the root gets a new host pid (--pidfile).
flow_pidns() {
	local d=$work/$FUNCNAME f n rc=0
	start guard_pidns "$d" || return 1
	dumped "$d" || return 1
	wait_gone "$PID" || return 1
	# Four tasks; images must use their pids in the namespace (1..4).
	# (None where criu keeps the guards in its own images.)
	if plugin_records; then
		for f in "$d"/img/guard-[0-9]*.img; do
			n=${f##*/guard-}
			n=${n%.img}
			[ "$n" -le 4 ] || { log "guard image named by host pid: $f"; rc=1; }
		done
		[ -f "$d/img/guard-1.img" ] || { log "no guard-1.img for the ns init"; rc=1; }
		n=$(find "$d/img" -name 'guard-[0-9]*.img' | wc -l)
		[ "$n" = 4 ] || { log "$n task guard images, expected 4"; rc=1; }
	fi
	restored "$d" --pidfile "$d/restored.pid" || return 1
	PID=$(cat "$d/restored.pid") || return 1
	verdict "$d" || rc=1
	return $rc
}
