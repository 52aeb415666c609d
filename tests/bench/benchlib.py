"""Shared by tests/bench/bench.py (make bench) and scripts/bench-compare: the issue's scales, the
generated data, the bench config, and measuring one child process (wall, peak RSS).

Scales are the issue's (#12): scale S means S million touches and S x 50,000 deals over two
years, i.e. `sametable-gen --years 2 --scale 100*S` (the generator's unit is ~10,000 touches and
~500 deals; scale 10 is the issue's 10M touches / 500k deals / ~190 people data).
"""
import os
import re
import resource
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
BIN = os.environ.get("BIN", os.path.join(ROOT, "build/sametable"))
GEN = os.environ.get("GEN", os.path.join(ROOT, "build/sametable-gen"))
DIR = os.environ.get("BENCH_DIR", "/tmp/sametable-bench")
YEARS = 2
SEED = 42

# The two periods the issue measures: the nightly run (a month) and a year rerun.
PERIODS = {"month": ("2026-10", "2026-10-31"), "year": ("2026", "2026-12-31")}

STAGES = ("config", "ledger", "ingest", "join", "attribute", "incent", "write")


def gen_scale(scale):
    """The generator's --scale for an issue scale ("0.1" -> "10")."""
    v = round(float(scale) * 100, 6)
    return f"{v:g}"


def data_dir(scale):
    return os.path.join(DIR, f"issue-{scale}")


def ensure_data(scale, log=print):
    """Generate the inputs of an issue scale once (outside the repository); returns the folder."""
    d = data_dir(scale)
    if not os.path.exists(os.path.join(d, "people.csv")):
        t0 = time.perf_counter()
        subprocess.run([GEN, "--years", str(YEARS), "--scale", gen_scale(scale), "--seed",
                        str(SEED), "--out", d], check=True)
        log(f"scale {scale}: generated in {time.perf_counter() - t0:.1f} s into {d}")
    return d


def bench_ini(d, period_key, out_dir):
    """config/sametable.ini, pointed at the generated files, with the issue's four plan shapes:
    the sample's AE tiered commission; the managers' override plus a team bonus; marketing with
    a bonus on its own campaigns' attributed revenue (linear) besides the sample's company and
    sourced revenue bonuses; the SDR SPIF as in the sample. All twelve models, Markov included."""
    period, as_of = PERIODS[period_key]
    with open(os.path.join(ROOT, "config/sametable.ini"), encoding="utf-8") as fh:
        text = fh.read()
    text = re.sub(r"(?m)^as_of = .*$", f"as_of = {as_of}\nperiod = {period}", text, count=1)
    for f in ("campaigns", "touches", "deals", "people"):
        text = re.sub(rf"(?m)^{f}\s*=\s*\.\./samples/{f}\.csv$", f"{f} = {d}/{f}.csv", text)
    text = re.sub(r"(?m)^identities = .*$", "", text)
    text = re.sub(r"(?m)^contact_id\s*=\s*Contact ID$", "", text)
    text = re.sub(r"(?m)^dir = \.\./out$", f"dir = {out_dir}", text)
    text = re.sub(r"(?m)^components    = override$", "components    = override, team_bonus", text)
    text = re.sub(r"(?m)^components    = company_goal, sourced_goal$",
                  "components    = attributed_bonus, company_goal, sourced_goal", text)
    for key in ("components    = override, team_bonus",
                "components    = attributed_bonus, company_goal, sourced_goal",
                f"dir = {out_dir}", f"touches = {d}/touches.csv", f"period = {period}"):
        if key not in text:
            sys.exit(f"bench: config/sametable.ini changed shape; cannot derive '{key}'")
    text += """
[plan.mgr.team_bonus]
type         = bonus
measure      = team_revenue
period       = quarter
goal         = quota
weight       = 50%
curve        = 0%: 0%, 80%: 50%, 100%: 100%, 130%: 150%
curve_method = interpolated

[plan.mkt.attributed_bonus]
type         = bonus
measure      = attributed_revenue
model        = linear
scope        = own
period       = month
goal         = 5000000.00
weight       = 50%
curve        = 0%: 0%, 50%: 25%, 100%: 100%, 150%: 150%
curve_method = interpolated
"""
    path = os.path.join(d, f"bench-{period_key}.ini")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return path


_RUSAGE = ("import os,sys,resource\n"
           "pid=os.fork()\n"
           "if pid==0:\n"
           "    os.execvp(sys.argv[1],sys.argv[1:])\n"
           "_,st,ru=os.wait4(pid,0)\n"
           "sys.stderr.write('\\nBENCH_MAXRSS_KIB=%d\\n'%ru.ru_maxrss)\n"
           "sys.exit(os.waitstatus_to_exitcode(st))\n")


def measure(argv, env=None, cwd=None):
    """Run argv once: (wall seconds, peak RSS MiB of that process tree's largest process,
    exit code, stdout, stderr). The child is waited for with wait4 in a small fork-exec
    wrapper, so its ru_maxrss is its own (the peak of the biggest process it waited for)."""
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", _RUSAGE] + list(argv), capture_output=True,
                       env=env, cwd=cwd)
    wall = time.perf_counter() - t0
    err = p.stderr.decode("utf-8", "replace")
    m = re.search(r"\nBENCH_MAXRSS_KIB=(\d+)\n$", err)
    rss = int(m.group(1)) / 1024.0 if m else float("nan")
    if m:
        err = err[:m.start()]
    return wall, rss, p.returncode, p.stdout.decode("utf-8", "replace"), err


def stage_times(stderr):
    """`sametable run -v`'s stage lines ("sametable: ingest  4900.1 ms") as seconds."""
    out = {}
    for name, ms in re.findall(r"(?m)^sametable: (\w+)\s+([0-9.]+) ms$", stderr):
        out[name] = float(ms) / 1000.0
    return out


def strace_fsync_seconds(argv):
    """Total wall time spent inside fsync/fdatasync/syncfs (strace -T), or None without strace.
    sametable's -v does not report its fsync time, so it is measured from outside."""
    from shutil import which
    if not which("strace"):
        return None
    p = subprocess.run(["strace", "-f", "-qq", "-T", "-e", "trace=fsync,fdatasync,syncfs",
                        "-o", "/dev/stderr"] + list(argv), capture_output=True)
    total = 0.0
    for m in re.finditer(rb"(?:fsync|fdatasync|syncfs)\(.*<([0-9.]+)>", p.stderr):
        total += float(m.group(1))
    return total


def peak_self_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
