# shellcheck shell=bash
# The adversary's damaged image sets (issue 21): every single-bit flip of
# inventory.img and guard-binding.img of a real dump, an inventory from
# another dump, the plugins entry removed or its tag changed, and stale
# guard images in a reused directory.  Each is refused, naming the file,
# or restores exactly: never rc 0 without the guards.  Sourced by
# test/zdtm/run; uses failures_* from flows/failures.sh.

flipcheck() { "$build/test/zdtm/flipcheck" "$@"; }

# adversary_refused DIR CASE FILE: a real criu restore of DIR/CASE fails
# before any task is forked, and an error names FILE, or criu refused the
# inventory itself (criu/image.c) before the plugin's init ran.
adversary_refused() {
	local d=$1 c=$2 file=$3 log=$1/$2/restore.log
	# shellcheck disable=SC2046
	if env $(bp_env "$plugins") "$criu" restore -D "$d/$c" -o restore.log -v4 -L "$plugins" -d; then
		log "$c: restore succeeded"
		kill -9 "$PID" 2>/dev/null
		wait_gone "$PID"
		return 1
	fi
	if grep -q 'Forking task' "$log" || [ -d "/proc/$PID" ]; then
		log "$c: refused only after tasks were created"
		kill -9 "$PID" 2>/dev/null
		return 1
	fi
	grep -Eq "(guard: |Error).*$file" "$log" && return 0
	if [ "$file" = inventory.img ] && grep -q 'Error (criu/image.c' "$log" &&
		! grep -q 'guard: ' "$log"; then
		log "$c: criu refused the inventory itself: $(grep -o 'Error (criu/image.c.*' "$log" | head -1)"
		return 0
	fi
	log "$c: no error naming $file:"
	grep 'guard:\|Error' "$log" | sed 's/^/    /'
	return 1
}

# adversary_exact DIR CASE: a real criu restore of DIR/CASE succeeds and
# the test finds every guard (its verdict).  $size: the out file's size
# at the dump (criu checks it; a verdict appends to it).
adversary_exact() {
	local d=$1 c=$2
	truncate -s "$size" "$d/out"
	rm -rf "$d/img" && cp -a "$d/$c" "$d/img"
	restore "$d" "$plugins" || { log "$c: refused by criu, with no refusal by the plugin"; return 1; }
	verdict "$d" || { log "$c: restored without its guards"; return 1; }
}

# adversary_flips DIR FILE: every flip of FILE judged by the restore's
# decision; real criu for each flip not refused, every inventory flip that
# still decodes without naming the plugin (the issue's silent losses) and
# every 61st of the rest.  Prints the counts.
adversary_flips() {
	local d=$1 file=$2 out=$1/flips-$2 off bit v class msg rc=0 n=0 real=0
	rm -rf "$d/flip" && cp -a "$d/orig" "$d/flip"
	flipcheck "$d/flip" "$file" >"$out"
	case $? in 0 | 1) ;; *) log "flipcheck $file failed: $(cat "$out")"; return 1 ;; esac
	# shellcheck disable=SC2034
	while read -r off bit v class rest; do
		n=$((n + 1))
		case $v in
		refused) [ "$class" = unnamed ] || [ $((n % 61)) = 0 ] || continue ;;
		*) log "$file byte $off bit $bit: $v $class $rest"; rc=1 ;;
		esac
		real=$((real + 1))
		failures_case "$d" one-flip
		printf '%b' "$(printf '\\%03o' $(($(od -An -tu1 -j "$off" -N1 "$d/orig/$file") ^ (1 << bit))))" |
			dd of="$d/one-flip/$file" bs=1 seek="$off" conv=notrunc status=none
		case $v in
		bound) adversary_exact "$d" one-flip || rc=1 ;;
		*) msg=$(adversary_refused "$d" one-flip "$file") ||
			{ log "$file byte $off bit $bit ($v $class):"; echo "$msg"; rc=1; continue; }
			[ -z "$msg" ] || log "$file byte $off bit $bit:${msg#*one-flip:}" ;;
		esac
	done <"$out"
	log "$file: $n flips: $(awk '{print $3 ($4 == "-" ? "" : "/" $4)}' "$out" | sort | uniq -c | xargs); $real restored by criu"
	return $rc
}

flow_restore_bit_flips() {
	local d=$work/$FUNCNAME rc=0 t0=$SECONDS
	# A tree (guards in private anonymous, private file and shared
	# memory, a zombie): the binding covers several tasks.
	failures_dump guard_tree "$d" || return 1
	needs_plugin_records && return 77
	size=$(stat -c %s "$d/out")
	adversary_flips "$d" inventory.img || rc=1
	adversary_flips "$d" guard-binding.img || rc=1
	log "$((SECONDS - t0))s"
	# The pristine images still restore exactly.
	adversary_exact "$d" orig || rc=1
	return $rc
}

# adversary_inventory DIR CASE HOW: DIR/CASE/inventory.img with the
# plugins entry (tag 0x62, length 12, holding tag 0x62, length 10, the
# plugin's name: 14 bytes) removed or its tag changed to field 13, which
# criu and protobuf skip.
adversary_inventory() {
	local f=$1/$2/inventory.img at len hex pat pre
	hex=$(od -An -v -tx1 "$f" | tr -d ' \n')
	pat=620c620a$(printf criu-guard | od -An -tx1 | tr -d ' \n')
	pre=${hex%%"$pat"*}
	if [ "$pre" = "$hex" ] || [ $((${#pre} % 2)) != 0 ]; then
		log "no plugins entry in $f"
		return 1
	fi
	at=$((${#pre} / 2))
	case $3 in
	retag) printf '\152' | dd of="$f" bs=1 seek="$at" conv=notrunc status=none ;;
	remove)
		len=$(($(stat -c %s "$f") - 14))
		{ head -c "$at" "$f"; tail -c +$((at + 15)) "$f"; } >"$f.new"
		# The entry's length (after the magic) loses them too.
		printf '%b' "$(printf '\\%03o\\%03o\\%03o\\%03o' $(((len - 8) & 255)) $(((len - 8) >> 8 & 255)) 0 0)" |
			dd of="$f.new" bs=1 seek=4 conv=notrunc status=none
		mv "$f.new" "$f" ;;
	esac
}

# The inventory swapped or edited, the guard images of the dump beside
# it: refused naming inventory.img.  Stale guard images of an earlier dump
# in a reused directory, of the same pid or another: ignored, restored.
flow_restore_swapped_inventory() {
	local d=$work/$FUNCNAME a b s p r rc=0
	local pat="inventory.img does not name criu-guard, but guard-binding.img binds this dump's task"
	failures_dump guard_anon "$d/a" || return 1
	p=$PID a=$d/a
	needs_plugin_records && return 77
	# A guard-free dump (guards installed, then removed) at the same pid.
	b=$d/b
	failures_dump_at guard_removed "$b" "$p"
	case $? in 0) ;; 77) return 77 ;; *) return 1 ;; esac
	PID=$p

	failures_case "$a" foreign && cp "$b/img/inventory.img" "$a/foreign/"
	failures_refused "$a" foreign "$pat $p" || rc=1
	failures_case "$a" removed && adversary_inventory "$a" removed remove
	failures_refused "$a" removed "$pat $p" || rc=1
	failures_case "$a" retagged && adversary_inventory "$a" retagged retag
	failures_refused "$a" retagged "$pat $p" || rc=1
	# The same with the binding damaged or gone too: nothing proves the
	# guard images stale, so they are not ignored.
	failures_case "$a" foreign-no-binding && cp "$b/img/inventory.img" "$a/foreign-no-binding/" &&
		truncate -s 30 "$a/foreign-no-binding/guard-binding.img"
	failures_refused "$a" foreign-no-binding "guard-binding.img can't be read, and inventory.img does not name criu-guard" || rc=1
	failures_case "$a" foreign-binding-gone && cp "$b/img/inventory.img" "$a/foreign-binding-gone/" &&
		rm "$a/foreign-binding-gone/guard-binding.img"
	failures_refused "$a" foreign-binding-gone "guard-$p.img holds [0-9]+ guard ranges of this dump's task $p, but inventory.img does not name criu-guard and guard-binding.img is missing" || rc=1

	# Stale at another pid: a dump without the plugin (which would remove
	# the stale binding; so does criu >= 4.2 in auto mode) into a copy of
	# the guard dump's directory.  core-P.img and mm-P.img of the earlier
	# dump stay and match its binding, but P is not in this pstree.img.
	s=$d/s
	start guard_removed "$s" || return 1
	[ "$PID" != "$p" ] || { log "SKIP: the stale dump got the earlier pid $p"; kill -9 "$PID"; return 77; }
	cp -an "$a/orig/." "$s/img/"
	dump "$s" "$work/noplugins" || { log "dump s failed"; kill -9 "$PID"; return 1; }
	wait_gone "$PID" || return 1
	if [ ! -f "$s/img/core-$p.img" ] || [ ! -f "$s/img/guard-binding.img" ]; then
		log "no stale images of $p"
		return 1
	fi
	restore "$s" "$plugins" || { log "guard-free dump beside stale images of another pid refused"; return 1; }
	grep -Eq "guard: $msg_stale_ignored" "$s/img/restore.log" ||
		{ log "no line saying the stale images were ignored"; rc=1; }
	verdict "$s" || rc=1
	log "stale images of pid $p beside a dump of pid $PID: ignored, restored"
	return $rc
}
