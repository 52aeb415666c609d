#!/usr/bin/env bash
# fuzz.sh — build the libFuzzer targets in tests/fuzz and run each for FUZZ_SECONDS.
#
# Usage: bash scripts/fuzz.sh [target...]        (targets: csvin money date; default all)
# Environment:
#   FUZZ_SECONDS   seconds per target (default 60)
#   FUZZ_PARALLEL  1 = run the targets at the same time instead of one after another (default 0)
#   FUZZ_MAX_LEN   libFuzzer -max_len (default 65536)
#   CLANG          compiler (default clang)
# Builds into build-fuzz/, fuzzes a writable copy of tests/fuzz/corpus/<target> kept in
# build-fuzz/corpus/<target> (it grows from run to run; delete it to start over), and writes
# crash inputs to build-fuzz/crashes/<target>-crash-<sha1> (or -timeout-, -oom-, -leak-).
# Once fixed, keep a reproducer as tests/fuzz/corpus/<target>/regress-<what>: it is a seed for the
# next run, and `make fuzz-replay` (part of `make check`) runs every corpus file through its target.
# Exit status: 0 when no target found anything, 1 when one did, 2 on a build or setup failure.
set -euo pipefail

cd "$(dirname "$0")/.."

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_PARALLEL=${FUZZ_PARALLEL:-0}
FUZZ_MAX_LEN=${FUZZ_MAX_LEN:-65536}
CLANG=${CLANG:-clang}
OUT=build-fuzz
ALL_TARGETS=(csvin money date)

sources_of() {
    case "$1" in
    csvin) echo "src/csvin.c src/csvin_pipe.c src/diag.c src/util.c" ;;
    money) echo "src/money.c src/util.c" ;;
    date) echo "src/date.c src/util.c" ;;
    *) return 1 ;;
    esac
}

die() {
    echo "fuzz: $*" >&2
    exit 2
}

if [ $# -gt 0 ]; then
    TARGETS=("$@")
else
    TARGETS=("${ALL_TARGETS[@]}")
fi
for t in "${TARGETS[@]}"; do
    sources_of "$t" >/dev/null || die "unknown target '$t' (known: ${ALL_TARGETS[*]})"
done
case "$FUZZ_SECONDS" in '' | *[!0-9]*) die "FUZZ_SECONDS must be a whole number of seconds" ;; esac

# ---- toolchain ----------------------------------------------------------------------------------

apt_install() {
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || die "need root or sudo to install: $*"
        sudo="sudo"
    fi
    echo "fuzz: installing $*"
    $sudo apt-get update -qq || die "apt-get update failed"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" ||
        die "apt-get install $* failed"
}

# Whether clang can link a trivial fuzz target with ASan and UBSan (libFuzzer's runtime is in
# libclang-rt-14-dev on Debian bookworm).
fuzzer_runtime_ok() {
    local dir
    dir=$(mktemp -d)
    printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
        'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
        'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
        >"$dir/t.c"
    local rc=0
    "$CLANG" -fsanitize=fuzzer,address,undefined "$dir/t.c" -o "$dir/t" >/dev/null 2>&1 || rc=1
    rm -rf "$dir"
    return $rc
}

if ! command -v "$CLANG" >/dev/null; then
    [ "$CLANG" = clang ] || die "compiler '$CLANG' not found"
    apt_install clang
fi
if ! fuzzer_runtime_ok; then
    apt_install libclang-rt-14-dev
    fuzzer_runtime_ok || die "$CLANG cannot link -fsanitize=fuzzer even with libclang-rt-14-dev"
fi
if [ ! -f /usr/include/csv.h ]; then
    apt_install libcsv-dev
fi

# ---- build --------------------------------------------------------------------------------------

# shellcheck disable=SC2054 # the commas belong to -fsanitize=
CFLAGS=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
    -fno-omit-frame-pointer -std=c17 -D_DEFAULT_SOURCE -Iinclude -isystem /usr/include/iniparser)

mkdir -p "$OUT/crashes"
for t in "${TARGETS[@]}"; do
    echo "fuzz: building $OUT/fuzz_$t"
    # shellcheck disable=SC2046 # the source list is meant to split
    "$CLANG" "${CFLAGS[@]}" "tests/fuzz/fuzz_$t.c" $(sources_of "$t") -lcsv -o "$OUT/fuzz_$t" ||
        die "cannot build fuzz_$t"
done

# ---- run ----------------------------------------------------------------------------------------

run_target() {
    local t=$1 corpus="$OUT/corpus/$1" log="$OUT/fuzz_$1.log"
    local opts=(-max_len="$FUZZ_MAX_LEN" -timeout=10 -max_total_time="$FUZZ_SECONDS"
        -print_final_stats=1 -artifact_prefix="$OUT/crashes/$t-")
    [ -f "tests/fuzz/$t.dict" ] && opts+=(-dict="tests/fuzz/$t.dict")
    mkdir -p "$corpus"
    # Seeds are copied in, never written to: libFuzzer adds and removes files in its corpus.
    cp -n tests/fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null || true
    local rc=0
    "./$OUT/fuzz_$t" "${opts[@]}" "$corpus" >"$log" 2>&1 || rc=$?
    echo "$rc" >"$OUT/fuzz_$t.rc"
}

if [ "$FUZZ_PARALLEL" = 1 ]; then
    pids=()
    for t in "${TARGETS[@]}"; do
        echo "fuzz: running fuzz_$t for ${FUZZ_SECONDS}s (log $OUT/fuzz_$t.log)"
        run_target "$t" &
        pids+=($!)
    done
    for p in "${pids[@]}"; do
        wait "$p"
    done
else
    for t in "${TARGETS[@]}"; do
        echo "fuzz: running fuzz_$t for ${FUZZ_SECONDS}s (log $OUT/fuzz_$t.log)"
        run_target "$t"
    done
fi

# ---- report -------------------------------------------------------------------------------------

failed=0
for t in "${TARGETS[@]}"; do
    log="$OUT/fuzz_$t.log"
    rc=$(cat "$OUT/fuzz_$t.rc")
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    files=$(find "$OUT/corpus/$t" -type f | wc -l)
    bytes=$(find "$OUT/corpus/$t" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')
    printf 'fuzz_%-6s %s execs, corpus %s files (%s bytes)' "$t" "${execs:-?}" "$files" "$bytes"
    if [ "$rc" -ne 0 ]; then
        failed=1
        echo ", FAILED (exit $rc)"
        grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz_[a-z]+: invariant|sametable: BUG)' "$log" |
            head -n 5 | sed 's/^/  /'
        sed -n 's/^artifact_prefix=.*; Test unit written to /  reproducer: /p' "$log"
        echo "  full log: $log"
    else
        echo
    fi
done
exit $failed
