# shellcheck shell=bash
# Sourced by every runner (test/*/run, scripts/suite, scripts/demo,
# bench/run): puts test/lib/bin first in PATH, so that every criu, runc,
# crun and podman the tests start, by hand or through runc, crun, podman or
# libcriu, is bounded by GUARD_TEST_TIMEOUT seconds (default 120).  On a
# host whose hardware breakpoints never fire, CRIU 4.1 waits forever at the
# end of a dump; a bound turns that into a failure that says so.
#
# GUARD_REAL_CRIU: the criu binary behind the bound, for what must look at
# the binary itself (its symbols), not run it.
# GUARD_TEST_LIB: this folder (json-get, the tests' one JSON reader).
GUARD_TEST_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -z "${GUARD_BOUNDED:-}" ]; then
	GUARD_REAL_CRIU=${GUARD_REAL_CRIU:-$(command -v criu)}
	export GUARD_REAL_CRIU
	PATH=$(cd "$(dirname "${BASH_SOURCE[0]}")/bin" && pwd):$PATH
	export PATH GUARD_BOUNDED=1
	export GUARD_TEST_TIMEOUT=${GUARD_TEST_TIMEOUT:-120}
fi

# guard_criu_native CRIU_GUARD [CRIU]: prints 1 if CRIU (default: the criu
# behind the bound) handles guard regions itself (>= 4.2), 0 if not, as
# criu-guard check answers it from the plugin's own definition
# (include/guard_criu_syms.h); fails where it can't tell.
guard_criu_native() {
	local crit=${2:-$GUARD_REAL_CRIU} v
	v=$("$1" --json check --criu "$crit" | "$GUARD_TEST_LIB/json-get" criu_native)
	case $v in
	true) echo 1 ;;
	false) echo 0 ;;
	*) echo "criu-guard check can't tell whether $crit handles guards itself" >&2
	   return 1 ;;
	esac
}
