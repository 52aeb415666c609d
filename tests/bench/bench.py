"""make bench: the whole nightly job (`sametable run -v`, the sample config's models, people and
plans, see benchlib.bench_ini) at the issue's scales, for a month period (the nightly run) and a
year period (a rerun), with per-stage times, peak RSS and fsync time, as medians of BENCH_RUNS
runs; and the read speed of `sametable check` against bare libcsv over the same touches file.

Not a test: it asserts nothing, it measures. Scales are issue #12's: S million touches and
S x 50,000 deals over 2025-2026 (`sametable-gen --years 2 --scale 100*S`, generated once into
BENCH_DIR, outside the repository). This machine is shared and noisy: compare ratios taken in the
same session, not figures from different days.

With BENCH_LEDGER=N (default 12; 0 skips it) the month is also run with the payout ledger holding
N closed months before it (2025-10 … 2026-09 for N = 12: each run and closed once, through the
real commands, into BENCH_DIR/scale-S/ledger-N.db, kept for later sessions); every timed run
starts from a copy of that ledger. The line says how long preparing it took.

Environment: BENCH_SCALES (default "0.1 1 10"; add 30 if the machine has the memory and disk),
BENCH_RUNS (default 3), BENCH_PERIODS (default "month year"), BENCH_DIR (default
/tmp/sametable-bench), BENCH_FSYNC (default 1: one extra run under strace -T to time fsync;
0 skips it), BIN, GEN, BASELINE.
"""
import os
import shutil
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402

BASELINE = os.environ.get("BASELINE", os.path.join(B.ROOT, "build/libcsv_baseline"))
SCALES = os.environ.get("BENCH_SCALES", "0.1 1 10").split()
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
PERIODS = os.environ.get("BENCH_PERIODS", "month year").split()
FSYNC = os.environ.get("BENCH_FSYNC", "1") != "0"
LEDGER = int(os.environ.get("BENCH_LEDGER", "12"))


def read_speed(d):
    """`sametable check` (ingest only) against bare libcsv over the touches file."""
    ini = B.bench_ini(d, "month", os.path.join(d, "out-check"))
    sizes = {f: os.path.getsize(os.path.join(d, f)) for f in
             ("campaigns.csv", "touches.csv", "deals.csv", "people.csv")}
    total_mb = sum(sizes.values()) / 1e6
    touches_mb = sizes["touches.csv"] / 1e6
    base, ingest, rss = [], [], []
    for _ in range(RUNS):
        wall, _, rc, _, err = B.measure([BASELINE, os.path.join(d, "touches.csv")])
        if rc:
            sys.exit(f"baseline failed: {err}")
        base.append(wall)
        wall, peak, rc, _, err = B.measure([B.BIN, "check", "-v", "-c", ini])
        if rc:
            sys.exit(f"sametable check failed ({rc}): {err}")
        ingest.append(B.stage_times(err)["ingest"])
        rss.append(peak)
    b, i = statistics.median(base), statistics.median(ingest)
    print(f"  read: libcsv alone, touches file {b:6.2f} s {touches_mb / b:6.0f} MB/s; "
          f"sametable ingest, all files {i:6.2f} s {total_mb / i:6.0f} MB/s "
          f"({(total_mb / i) / (touches_mb / b):.2f}x libcsv's rate); "
          f"check peak RSS {statistics.median(rss):,.0f} MiB")


def months_before(period, n):
    """The n months before `period` (yyyy-mm), oldest first, with their last days."""
    import calendar
    y, m = map(int, period.split("-"))
    out = []
    for _ in range(n):
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
        out.append((f"{y:04d}-{m:02d}", f"{y:04d}-{m:02d}-{calendar.monthrange(y, m)[1]:02d}"))
    return out[::-1]


def ledger_prepare(d, period_key):
    """A ledger with LEDGER closed months before the month period: each month run and closed
    with the real commands once, kept in d. Returns its path."""
    db = os.path.join(d, f"ledger-{LEDGER}.db")
    if os.path.exists(db):
        return db
    import csv
    import subprocess
    import time
    tmp = db + ".building"
    for suffix in ("", "-wal", "-shm", ".lock"):
        if os.path.exists(tmp + suffix):
            os.remove(tmp + suffix)
    out = tempfile.mkdtemp(prefix="ledger-prep-", dir=d)
    ini = B.bench_ini(d, period_key, out)
    env = {k: v for k, v in os.environ.items() if k != "SAMETABLE_TEST_RUN_ID"}
    t0 = time.perf_counter()
    for month, last in months_before(B.PERIODS[period_key][0], LEDGER):
        subprocess.run([B.BIN, "run", "-c", ini, "--period", month, "--as-of", last, "--set",
                        "ledger.path=" + tmp], check=True, env=env)
        with open(os.path.join(out, f"payroll-{month}.csv"), newline="", encoding="utf-8") as fh:
            run_id = next(csv.DictReader(fh))["run_id"]
        subprocess.run([B.BIN, "close", "-c", ini, "--period", month, "--run", run_id,
                        "--payroll", os.path.join(out, f"payroll-{month}.csv"), "--set",
                        "ledger.path=" + tmp], check=True, env=env)
    import sqlite3
    con = sqlite3.connect(tmp)  # one self-contained file: the WAL folded in
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    for suffix in ("-wal", "-shm", ".lock"):
        if os.path.exists(tmp + suffix):
            os.remove(tmp + suffix)
    shutil.rmtree(out, ignore_errors=True)
    os.rename(tmp, db)
    print(f"  ledger: {LEDGER} months run and closed in {time.perf_counter() - t0:.1f} s "
          f"({os.path.getsize(db) / 1e6:,.1f} MB) into {db}")
    return db


def run_job(d, period_key, ledger=None):
    out = tempfile.mkdtemp(prefix=f"run-{period_key}-", dir=d)
    ini = B.bench_ini(d, period_key, out)
    walls, rsss, stages = [], [], {s: [] for s in B.STAGES}
    summary = ""
    argv = [B.BIN, "run", "-v", "-c", ini]
    work_db = os.path.join(out + "-ledger", "ledger.db")
    if ledger:
        argv += ["--set", "ledger.path=" + work_db]
    for _ in range(RUNS):
        shutil.rmtree(out, ignore_errors=True)
        if ledger:
            shutil.rmtree(os.path.dirname(work_db), ignore_errors=True)
            os.makedirs(os.path.dirname(work_db))
            shutil.copyfile(ledger, work_db)
        env = {k: v for k, v in os.environ.items() if k != "SAMETABLE_TEST_RUN_ID"}
        wall, rss, rc, _, err = B.measure(argv, env=env) if ledger else B.measure(argv)
        if rc:
            sys.exit(f"sametable run failed ({rc}): {err}")
        walls.append(wall)
        rsss.append(rss)
        st = B.stage_times(err)
        for s in B.STAGES:
            stages[s].append(st.get(s, float("nan")))
        summary = [ln for ln in err.splitlines() if ln.startswith("sametable: period")][-1:]
    fsync = None
    if ledger:
        shutil.rmtree(os.path.dirname(work_db), ignore_errors=True)
    if FSYNC and not ledger:
        shutil.rmtree(out, ignore_errors=True)
        fsync = B.strace_fsync_seconds([B.BIN, "run", "-c", ini])
    sizes = {}
    for root, _, files in os.walk(out):
        for f in files:
            sizes[f] = os.path.getsize(os.path.join(root, f))
    shutil.rmtree(out, ignore_errors=True)
    med = {s: statistics.median(v) for s, v in stages.items()}
    label = f"{period_key} with the ledger ({LEDGER} closed months)" if ledger else period_key
    print(f"  {label:5s} wall {statistics.median(walls):7.2f} s  peak RSS "
          f"{statistics.median(rsss):7,.0f} MiB  | " +
          "  ".join(f"{s} {med[s]:.2f}" for s in B.STAGES if med[s] == med[s]) +
          ("  | fsync " + (f"{fsync:.2f} s (strace -T, one run)" if fsync is not None
                           else "n/a (no strace)") if FSYNC else ""))
    if summary:
        print(f"        {summary[0].removeprefix('sametable: ')}")
    big = sorted(sizes.items(), key=lambda kv: -kv[1])[:4]
    print("        writes " + ", ".join(f"{k} {v / 1e6:,.1f} MB" for k, v in big))


def main():
    os.makedirs(B.DIR, exist_ok=True)
    print(f"sametable bench: {RUNS} runs per figure, medians; data in {B.DIR}; "
          f"seconds per stage from `run -v` (sametable does not report fsync time itself"
          f"{'; it is timed from outside with strace -T' if FSYNC else ''})")
    for scale in SCALES:
        d = B.ensure_data(scale)
        with open(os.path.join(d, "touches.csv"), "rb") as fh:
            n_touch = sum(1 for _ in fh) - 1
        mb = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d)
                 if f.endswith(".csv")) / 1e6
        print(f"scale {scale} (sametable-gen --years 2 --scale {B.gen_scale(scale)}): "
              f"{n_touch:,} touches, inputs {mb:,.0f} MB")
        read_speed(d)
        for p in PERIODS:
            run_job(d, p)
        if LEDGER and "month" in PERIODS:
            run_job(d, "month", ledger_prepare(d, "month"))


if __name__ == "__main__":
    main()
