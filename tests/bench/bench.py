"""make bench: generate inputs at chosen scales with sametable-gen (outside the repo), run
`sametable check` on them several times, and report median times, MB/s and peak memory.

Not a test: it asserts nothing, it measures. Figures are medians of RUNS runs; the read speed is
also given as a ratio to bare libcsv over the same touches file in the same session, which is
what DESIGN §8 and issue 3 compare against (this machine is shared and noisy).

Environment: BENCH_SCALES (default "100 1000"), BENCH_RUNS (default 5), BENCH_DIR (default
/tmp/sametable-bench), BIN, GEN, BASELINE.
"""
import os
import re
import statistics
import subprocess
import sys
import time

root = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
BIN = os.environ.get("BIN", os.path.join(root, "build/sametable"))
GEN = os.environ.get("GEN", os.path.join(root, "build/sametable-gen"))
BASELINE = os.environ.get("BASELINE", os.path.join(root, "build/libcsv_baseline"))
SCALES = os.environ.get("BENCH_SCALES", "100 1000").split()
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
DIR = os.environ.get("BENCH_DIR", "/tmp/sametable-bench")

sys.path.insert(0, os.path.join(root, "tests/e2e/lib"))
from gendata import ini  # noqa: E402

INI = ini("as_of = 2026-10-31\n",
          extra="".join(f"[format.{f}]\nmax_reject_share = 1\n"
                        for f in ("campaigns", "touches", "deals", "people")))


def run_measured(argv):
    """Wall seconds, peak RSS (MiB), stdout, stderr of one child process."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.communicate()
    wall = time.perf_counter() - t0
    # ru_maxrss of the children that have been waited for: the largest so far, so run the
    # measured process in a fresh python child to isolate it.
    return wall, p.returncode, out.decode(), err.decode()


def peak_rss_mib(argv):
    code = ("import resource,subprocess,sys;"
            "subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL);"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code] + argv, capture_output=True, text=True)
    return int(out.stdout.strip()) / 1024.0


def main():
    os.makedirs(DIR, exist_ok=True)
    print(f"sametable bench: {RUNS} runs per figure, medians; data in {DIR}")
    for scale in SCALES:
        d = os.path.join(DIR, f"scale-{scale}")
        if not os.path.exists(os.path.join(d, "people.csv")):
            t0 = time.perf_counter()
            subprocess.run([GEN, "--scale", scale, "--seed", "42", "--out", d], check=True)
            print(f"scale {scale}: generated in {time.perf_counter() - t0:.1f} s")
        with open(os.path.join(d, "bench.ini"), "w") as fh:
            fh.write(INI)
        sizes = {f: os.path.getsize(os.path.join(d, f)) for f in
                 ("campaigns.csv", "touches.csv", "deals.csv", "people.csv")}
        total_mb = sum(sizes.values()) / 1e6
        touches_mb = sizes["touches.csv"] / 1e6
        with open(os.path.join(d, "touches.csv"), "rb") as fh:
            n_touch = sum(1 for _ in fh) - 1

        base = []
        for _ in range(RUNS):
            wall, rc, _, err = run_measured([BASELINE, os.path.join(d, "touches.csv")])
            if rc:
                sys.exit(f"baseline failed: {err}")
            base.append(wall)
        ingest, total = [], []
        for _ in range(RUNS):
            wall, rc, _, err = run_measured([BIN, "check", "-v", "-c",
                                             os.path.join(d, "bench.ini")])
            if rc:
                sys.exit(f"sametable check failed ({rc}): {err}")
            m = re.search(r"ingest\s+([0-9.]+) ms", err)
            ingest.append(float(m.group(1)) / 1000.0)
            total.append(wall)
        rss = peak_rss_mib([BIN, "check", "-c", os.path.join(d, "bench.ini")])
        b, i, t = statistics.median(base), statistics.median(ingest), statistics.median(total)
        print(f"scale {scale}: {n_touch:,} touches, inputs {total_mb:,.0f} MB "
              f"(touches {touches_mb:,.0f} MB)")
        print(f"  libcsv alone, touches file : {b:7.2f} s  {touches_mb / b:7.0f} MB/s")
        print(f"  sametable ingest, all files: {i:7.2f} s  {total_mb / i:7.0f} MB/s  "
              f"({(total_mb / i) / (touches_mb / b):.2f}x libcsv's rate)")
        print(f"  sametable check, end to end: {t:7.2f} s  peak memory {rss:,.0f} MiB "
              f"({rss * 1048576 / max(n_touch, 1):.0f} bytes per touch)")


if __name__ == "__main__":
    main()
