#!/usr/bin/env bash
# run_program.sh — the whole program under ThreadSanitizer (built by `make tsan` as
# build-tsan/sametable): the demo written by four writer threads at once, statements included,
# then the same run with a file size limit that makes writing fail while other threads write.
# Usage: bash tests/tsan/run_program.sh BUILD-DIR/sametable
# Any ThreadSanitizer report fails (exit 66), as does a run that does not end as expected.
set -euo pipefail
bin=${1:?usage: run_program.sh PATH-TO-TSAN-sametable}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/sametable-tsan.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Reports go to a file: while a writer thread has fd 2 caught for libxlsxwriter (diag.h), a
# report written to stderr would land in the caught text.
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 log_path=$work/tsan suppressions=$root/tests/tsan/suppressions.txt ${TSAN_OPTIONS:-}"
pre=()
if ! "$bin" --version >/dev/null 2>&1; then
    # See run.sh: gcc 12's TSan runtime and kernels with more mmap randomisation bits.
    pre=(setarch "$(uname -m)" -R)
fi
fail() {
    echo "tsan: $*" >&2
    cat "$work"/tsan* 2>/dev/null >&2 || true
    exit 1
}
run() { # expected-exit, then the arguments
    local want=$1 rc=0
    shift
    "${pre[@]}" "$bin" run -q -c "$root/config/sametable.ini" --set output.threads=4 "$@" \
        2>"$work/stderr" || rc=$?
    if ls "$work"/tsan* >/dev/null 2>&1; then
        cat "$work"/tsan* >&2
        exit 66
    fi
    [ "$rc" -eq "$want" ] || fail "exit $rc, expected $want: $(cat "$work/stderr")"
}
# Three times: which thread reaches a shared lookup first varies from run to run.
for i in 1 2 3; do
    rm -rf "$work/out"
    run 0 --out "$work/out" --statements "$work/out/statements"
done
n=$(ls "$work/out/statements"/*/ | wc -l)
[ "$n" -ge 10 ] || fail "only $n statement files written"
# 60 KiB: smaller than the payouts workbook and its parts, while other files are written too.
(ulimit -f 60 && run 74 --out "$work/small" --statements "$work/small/statements")
grep -q "File too large" "$work/stderr" || fail "no 'File too large' message: $(cat "$work/stderr")"
[ -z "$(ls -A "$work/small" 2>/dev/null | grep -v '^\.sametable\.lock$')" ] ||
    fail "a failed run left files: $(ls -A "$work/small")"
echo "tsan: the program ran clean with 4 writer threads ($n statements; a failing set too)"
