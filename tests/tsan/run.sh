#!/usr/bin/env bash
# run.sh — runs the ThreadSanitizer driver built by `make tsan` (tests/tsan/tsan_csvin.c).
# Usage: bash tests/tsan/run.sh BUILD-DIR/tsan_csvin
# Any ThreadSanitizer report fails the run (exit 66), as does any failed check (exit 1).
set -euo pipefail
bin=${1:?usage: run.sh PATH-TO-tsan_csvin}
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
err=$(mktemp)
trap 'rm -f "$err"' EXIT
rc=0
"$bin" 2>"$err" || rc=$?
if [ "$rc" -ne 0 ] && grep -q 'unexpected memory mapping' "$err"; then
    # gcc 12's TSan runtime expects the program's memory at fixed ranges beside its shadow
    # memory; on kernels that randomise mmap addresses with more bits (vm.mmap_rnd_bits 30-32,
    # e.g. Ubuntu 24.04's default) it aborts at start-up with "unexpected memory mapping".
    # Without address randomisation, for this process only, it starts.
    echo "tsan: the TSan runtime cannot start under this kernel's ASLR; rerunning with setarch -R" >&2
    rc=0
    setarch "$(uname -m)" -R "$bin" 2>"$err" || rc=$?
fi
cat "$err" >&2
exit "$rc"
