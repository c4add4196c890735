# shellcheck shell=bash
# The plugin's messages that more than one flow looks for, each written
# once (grep -E patterns, as they appear after "guard: " in CRIU's log).
# Sourced by test/zdtm/run with the flows.

# msg_index_missing: the guard images of a dump that held guards are gone.
msg_index_missing='guard-index.img is missing, but inventory.img names criu-guard'
# msg_task_missing PID: one task's guard image is gone.
msg_task_missing() { echo "guard-$1.img, listed in guard-index.img, is missing"; }
# msg_no_kernel: images hold guards, the kernel has none.
msg_no_kernel='images hold [0-9]+ guard ranges but this kernel has no MADV_GUARD_INSTALL'
# msg_stale_ignored: a guard-free dump beside an earlier dump's images.
msg_stale_ignored='inventory.img does not name criu-guard: no guard regions to restore; guard images in the directory .* are ignored'
# msg_no_binding_room: the binding's space can't be reserved at dump.
msg_no_binding_room="Can't reserve ([0-9]+ bytes for )?guard-binding.img"
