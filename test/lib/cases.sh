# shellcheck shell=bash
# Sourced by every runner (test/*/run): the case protocol's exit status
# for several cases named at once, each run in a process of its own
# (runc, deb, upstream) or as a function (zdtm, and its modes; tool).

# each_case CMD... -- CASE...: runs CMD... CASE for each CASE, one after the
# other; returns 1 if any failed, 77 if every one skipped, 0 otherwise
# (meson's reading of a test's exit status).
each_case() {
	local cmd=() rc=77 c
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		cmd+=("$1")
		shift
	done
	shift
	for c in "$@"; do
		"${cmd[@]}" "$c"
		case $? in
		0) [ $rc = 77 ] && rc=0 ;;
		77) ;;
		*) rc=1 ;;
		esac
	done
	return $rc
}
