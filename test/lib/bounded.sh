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
if [ -z "${GUARD_BOUNDED:-}" ]; then
	GUARD_REAL_CRIU=${GUARD_REAL_CRIU:-$(command -v criu)}
	export GUARD_REAL_CRIU
	PATH=$(cd "$(dirname "${BASH_SOURCE[0]}")/bin" && pwd):$PATH
	export PATH GUARD_BOUNDED=1
	export GUARD_TEST_TIMEOUT=${GUARD_TEST_TIMEOUT:-120}
fi
