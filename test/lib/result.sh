# shellcheck shell=bash
# Sourced by the runners (test/*/run): their exit status as meson's test
# runner reads it.

# result_exit PASSED FAILED SKIPPED: exits 1 if anything failed, 77 (meson's
# SKIP) if nothing ran but skipped cases (each has said why), 0 otherwise.
result_exit() {
	[ "$2" = 0 ] || exit 1
	[ "$1" = 0 ] && [ "$3" != 0 ] && exit 77
	exit 0
}
