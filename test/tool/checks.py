#!/usr/bin/env python3
"""What test/tool/run asserts on criu-guard's --json output: each check a
named predicate over the decoded document d and the test's own values
(arguments, as strings), so that Python, not bash, reads the JSON, and a
failed check is named.

    checks.py NAME [ARG...] <JSON

Exits 0 if the check holds, 1 if it does not, 2 if NAME is unknown or the
input is not JSON.
"""
import json
import sys

CHECKS = {}


def check(f):
    CHECKS[f.__name__] = f
    return f


def hexint(s):
    return int(s, 16)


def guards(d):
    return [g for v in d["vmas"] for g in v["guards"]]


# criu-guard check --json
@check
def kernel_features(d):
    return all(d[k] for k in ("madv_guard", "scan_guard", "pagemap_bit",
                              "smaps_gu", "process_madvise_self"))


@check
def criu_version(d, version):
    return d["criu_version"] == version


@check
def sizes(d):
    return d["page_size"] > 0 and hexint(d["task_size"]) > 1 << 40 and d["works"]


@check
def guarded_dump_works(d):
    return d["guarded_dump_works"] and d["reason"] is None and d["plugin_installed"]


@check
def hwbp_plugin_beside(d):
    return d["hwbp_plugin_installed"] and d["hwbp_plugin"].endswith("/guard_hwbp.so")


@check
def host_features_bool(d):
    return type(d["soft_dirty"]) is bool and type(d["userfaultfd"]) is bool


@check
def hwbp(d, state):
    return d["hwbp"] == state


@check
def criu_native(d, want):
    return d["criu_native"] is {"true": True, "false": False, "null": None}[want]


@check
def fake_native(d):
    return d["criu_native"] is True and d["criu_version"] == "9.9.9-fake"


@check
def script_criu(d):
    return d["criu_native"] is None and d["criu_version"] == "0.0" \
        and "older than 4.0" in d["reason"]


@check
def missing_criu(d):
    return d["criu"] is None and "criu not found" in d["reason"]


@check
def scan_pagemap_masked(d):
    return d["scan_guard_masked"] and d["pagemap_bit_masked"] and not d["works"]


@check
def reason_contains(d, text):
    return text in d["reason"]


@check
def find_with(d, how):
    return d["find_with"] == how


@check
def hwbp_plugin_missing(d, suffix):
    return d["plugin_installed"] and not d["hwbp_plugin_installed"] \
        and d["hwbp_plugin"].endswith(suffix)


@check
def says_install_hwbp(d):
    return "install the plugin guard_hwbp.so" in d["hwbp_outcome"] \
        and "criu hangs" in d["reason"]


# criu-guard scan --json.  test/zdtm/guard_anon.c: guards at pages 0,
# 10-12 and 31 of a 32-page VMA, and at page 4 of an 8-page one.
@check
def anon_layout(d):
    return d["ranges"] == 4 and d["pages"] == 6 and d["vmas_with_guards"] == 2


@check
def anon_vmas(d):
    return sorted(g["pages"] for g in guards(d)) == [1, 1, 1, 3] and all(
        v["perms"] == "rw-p" and v["maybe_guard"] and "gu" in v["vmflags"].split()
        for v in d["vmas"] if v["guards"])


@check
def lists_binary(d, name):
    return any(v["name"] and v["name"].endswith("/" + name) and "x" in v["perms"]
               for v in d["vmas"])


@check
def has_vma_named(d, name_hex):
    # The name as bytes (hex): UTF-8 in it is text, and each byte that is
    # not UTF-8 the tool writes as the code point of the same number.
    raw = bytes.fromhex(name_hex).decode("utf-8", errors="surrogateescape")
    want = "".join(chr(ord(c) - 0xDC00) if 0xDC80 <= ord(c) <= 0xDCFF else c for c in raw)
    return any(v["name"] == want for v in d["vmas"])


@check
def no_guards(d):
    return d["ranges"] == 0 and d["vmas"] == []


@check
def first_guarded_vma(d):
    print([v["start"] for v in d["vmas"] if v["guards"]][0])
    return True


# criu-guard show --json
@check
def show_one_task(d, pid):
    t = d["tasks"]
    return d["ok"] and d["index"]["pids"] == [int(pid)] and len(t) == 1 \
        and t[0]["status"] == "ok" and t[0]["pages"] == 6


@check
def show_matches_scan(d):
    scanned = [(g["start"], g["end"]) for g in guards(d["scan"])]
    shown = [(r["start"], r["end"]) for r in d["show"]["tasks"][0]["ranges"]]
    return scanned == shown


@check
def show_index_missing(d):
    t = d["tasks"][0]
    return d["index"]["status"] == "missing" and t["listed"] is False and t["status"] == "ok"


@check
def show_bound(d):
    i = d["index"]
    return d["binding"] == "ok" and i["version"] == 1 and i["page_size"] > 0 and bool(i["arch"])


@check
def binding(d, state):
    return d["binding"] == state


# criu-guard verify --json
@check
def verify_match(d):
    return d["match"] and d["in_index"] and d["only_in_image"] == [] \
        and d["only_in_process"] == [] and len(d["image_ranges"]) == 4


@check
def only_in_process_is(d, rng):
    start, end = (hexint(x) for x in rng.split("-"))
    got = [(hexint(r["start"]), hexint(r["end"])) for r in d["only_in_process"]]
    return got == [(start, end)] and d["only_in_image"] == []


@check
def unbound_mismatch(d):
    return d["bound"] is False and d["match"] is False


@check
def flipped(d, base, page):
    base, page = hexint(base), int(page)
    lost = [hexint(r["start"]) - base for r in d["only_in_image"]]
    added = [hexint(r["start"]) - base for r in d["only_in_process"]]
    return lost == [8 * page] and added == [12 * page] and not d["match"]


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in CHECKS:
        print(f"checks.py: no check {sys.argv[1:2]}", file=sys.stderr)
        return 2
    try:
        d = json.load(sys.stdin)
    except ValueError as e:
        print(f"checks.py: not JSON: {e}", file=sys.stderr)
        return 2
    try:
        ok = CHECKS[sys.argv[1]](d, *sys.argv[2:])
    except (KeyError, IndexError, TypeError, ValueError) as e:
        print(f"checks.py: {sys.argv[1]}: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
