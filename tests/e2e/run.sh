#!/usr/bin/env bash
# End-to-end runner: runs the sametable binary on every case folder under tests/e2e/cases and
# compares exit code, stderr, stdout and output files with what the case expects.
#
# A case folder holds:
#   args             the command line, one argument per line; @CASE@ is the case folder,
#                    @OUT@ a fresh output folder, @SAMPLES@ the samples folder, @ROOT@ the repo
#   exit             the expected exit code (default 0)
#   stderr           the expected standard error, exactly (default: empty); same placeholders
#   stderr.grep      instead of `stderr`: lines that must each appear in standard error (fixed
#                    strings)
#   stdout           the expected standard output, exactly (optional)
#   expected/        files that must appear in @OUT@ with exactly these bytes
#   no_output        if present, @OUT@ must hold no file but the lock after the run
#   pre              a bash script run before the command (OUT and CASE in its environment)
#   check.py         run as `/usr/bin/python3 check.py OUT CASE BIN` after the command; exit 0 = pass
#   requires         paths (placeholders allowed) that must exist, e.g. a program the case
#                    runs; a missing one fails the case with its name (nothing is ever skipped)
#   awaits           a case that is expected to fail until another change lands: its text is
#                    printed under the FAIL line (the case still counts as failed)
# Ends with "N passed, N failed" on its own line; exits 1 if any case failed.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
BIN=${BIN:-build/sametable}
case $BIN in /*) ;; *) BIN="$root/$BIN" ;; esac
WRAP=${TEST_WRAP:-}
only=${1:-}

# Every run gets a run ID (the payroll CSV's run_id column, the Run sheet); a fixed one keeps
# expected files byte-exact. Cases about the ledger unset it: their run IDs must differ.
export SAMETABLE_TEST_RUN_ID=test-run

pass=0
fail=0
work=$(mktemp -d "${TMPDIR:-/tmp}/sametable-e2e.XXXXXX")
trap 'rm -rf "$work"' EXIT

subst() {
    sed -e "s|@CASE@|$1|g" -e "s|@OUT@|$2|g" -e "s|@SAMPLES@|$root/samples|g" -e "s|@ROOT@|$root|g"
}

for dir in "$here"/cases/*/; do
    dir=${dir%/}
    name=$(basename "$dir")
    [ -n "$only" ] && [ "$name" != "$only" ] && continue
    out="$work/$name/out"
    mkdir -p "$work/$name"
    problems=()
    missing=()
    if [ -f "$dir/requires" ]; then
        while IFS= read -r req || [ -n "$req" ]; do
            [ -z "$req" ] && continue
            req=$(printf '%s' "$req" | subst "$dir" "$out")
            [ -e "$req" ] || missing+=("$req")
        done <"$dir/requires"
    fi
    if [ ${#missing[@]} -gt 0 ]; then
        fail=$((fail + 1))
        echo "FAIL $name"
        printf '     cannot run: %s is missing (make deps installs what the tests need)\n' "${missing[@]}"
        continue
    fi

    if [ -f "$dir/pre" ]; then
        OUT="$out" CASE="$dir" BIN="$BIN" bash "$dir/pre" >"$work/$name/pre.log" 2>&1 ||
            problems+=("pre script failed: $(cat "$work/$name/pre.log")")
    fi
    args=()
    if [ -f "$dir/args" ]; then
        while IFS= read -r line || [ -n "$line" ]; do
            args+=("$(printf '%s' "$line" | subst "$dir" "$out")")
        done <"$dir/args"
    fi
    (cd "$work/$name" && $WRAP "$BIN" "${args[@]}" >"$work/$name/stdout" 2>"$work/$name/stderr" </dev/null)
    code=$?
    want_exit=0
    [ -f "$dir/exit" ] && want_exit=$(tr -d '[:space:]' <"$dir/exit")
    [ "$code" = "$want_exit" ] || problems+=("exit code $code, expected $want_exit")

    if [ -f "$dir/stderr" ]; then
        if ! diff -u <(subst "$dir" "$out" <"$dir/stderr") "$work/$name/stderr" >"$work/$name/stderr.diff"; then
            problems+=("stderr differs:
$(cat "$work/$name/stderr.diff")")
        fi
    elif [ -f "$dir/stderr.grep" ]; then
        while IFS= read -r pat || [ -n "$pat" ]; do
            [ -z "$pat" ] && continue
            pat=$(printf '%s' "$pat" | subst "$dir" "$out")
            grep -qF -- "$pat" "$work/$name/stderr" || problems+=("stderr lacks: $pat")
        done <"$dir/stderr.grep"
    elif [ -s "$work/$name/stderr" ] && [ -z "$WRAP" ]; then
        problems+=("unexpected stderr: $(head -c 2000 "$work/$name/stderr")")
    fi
    if [ -f "$dir/stdout" ]; then
        diff -u <(subst "$dir" "$out" <"$dir/stdout") "$work/$name/stdout" >"$work/$name/stdout.diff" ||
            problems+=("stdout differs:
$(cat "$work/$name/stdout.diff")")
    fi
    if [ -d "$dir/expected" ]; then
        for f in "$dir"/expected/*; do
            b=$(basename "$f")
            if [ ! -f "$out/$b" ]; then
                problems+=("missing output $b")
            elif ! cmp -s "$f" "$out/$b"; then
                problems+=("output $b differs:
$(diff -u "$f" "$out/$b" | head -40)")
            fi
        done
    fi
    if [ -f "$dir/no_output" ] && [ -d "$out" ]; then
        left=$(find "$out" -mindepth 1 ! -name .sametable.lock -printf '%f\n' | sort | tr '\n' ' ')
        [ -z "$left" ] || problems+=("output folder should be empty but holds: $left")
    fi
    if [ -d "$out" ]; then
        tmps=$(find "$out" -name '.*.tmp.*' -printf '%f ')
        [ -z "$tmps" ] || problems+=("temporary files left behind: $tmps")
    fi
    if [ -f "$dir/check.py" ] && [ ${#problems[@]} -eq 0 ]; then
        if ! (cd "$work/$name" && /usr/bin/python3 "$dir/check.py" "$out" "$dir" "$BIN" >"$work/$name/check.log" 2>&1); then
            problems+=("check.py failed:
$(tail -n 30 "$work/$name/check.log")")
        fi
    fi

    if [ ${#problems[@]} -eq 0 ]; then
        pass=$((pass + 1))
        echo "ok   $name"
    else
        fail=$((fail + 1))
        echo "FAIL $name"
        [ -f "$dir/awaits" ] && printf '     awaits: %s\n' "$(tr '\n' ' ' <"$dir/awaits")"
        for p in "${problems[@]}"; do printf '     %s\n' "$p"; done
    fi
done

echo "e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
