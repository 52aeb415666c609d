"""Helpers for the fault-injection cases: run the binary (under TEST_WRAP, as run.sh does), take
a byte-exact snapshot of an output set, find what a run must never leave behind."""
import hashlib
import os
import resource
import shlex
import subprocess
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../../.."))
BASE_INI = os.path.join(ROOT, "tests/e2e/data/min/base.ini")
PATHS_CSV = os.path.join(ROOT, "tests/e2e/cases/attribute_whitepaper_observed/paths.csv")


def run(binary, args, fsize_limit=None):
    """Run binary with args; fsize_limit (bytes) sets RLIMIT_FSIZE in the child only, as
    `ulimit -f` would. Returns (exit code, stderr text)."""
    wrap = shlex.split(os.environ.get("TEST_WRAP", ""))

    def limit():
        if fsize_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize_limit, fsize_limit))

    p = subprocess.run(wrap + [binary] + args, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=limit)
    return p.returncode, p.stderr.decode("utf-8", "replace")


def snapshot(top):
    """Every file under top (the lock aside) with its size and SHA-256, and every directory
    (None), by relative path: equal snapshots are byte-identical sets."""
    out = {}
    for d, dirs, files in os.walk(top):
        for name in dirs:
            out[os.path.relpath(os.path.join(d, name), top) + "/"] = None
        for name in files:
            rel = os.path.relpath(os.path.join(d, name), top)
            if rel == ".sametable.lock":
                continue
            with open(os.path.join(d, name), "rb") as fh:
                data = fh.read()
            out[rel] = (len(data), hashlib.sha256(data).hexdigest()[:16])
    return out


def leftovers(top):
    """Temporary files, publish journals or manifests, and libxlsxwriter's scratch directories
    anywhere under top."""
    bad = []
    for d, dirs, files in os.walk(top):
        bad += [os.path.relpath(os.path.join(d, n), top) + "/" for n in dirs
                if n.startswith(".sametable-tmp.")]
        for name in files:
            if ".tmp." in name or name.startswith(".sametable.publish"):
                bad.append(os.path.relpath(os.path.join(d, name), top))
    return sorted(bad)


def check_set_kept(out, min_files):
    """The publish_switch_fails_* check: every file of the set published before the failed switch
    is byte-identical to the SHA-256 list `pre` wrote beside OUT (before.sha), nothing was left
    behind (no staged file, journal or manifest), and the set held at least min_files files (so
    the comparison proves something). Prints the runner's tally; returns the exit code."""
    with open(os.path.join(out, "..", "before.sha")) as fh:
        before = sorted(fh.read().splitlines(), key=lambda ln: ln.split()[1])
    after = []
    for d, _, files in os.walk(out):
        for name in files:
            rel = "./" + os.path.relpath(os.path.join(d, name), out)
            if name == ".sametable.lock":
                continue
            with open(os.path.join(d, name), "rb") as fh:
                after.append(f"{hashlib.sha256(fh.read()).hexdigest()}  {rel}")
    after.sort(key=lambda ln: ln.split()[1])
    failures = 0
    if after != before:
        print("FAIL the previous set changed:\n  before " + "\n  before ".join(before) +
              "\n  after  " + "\n  after  ".join(after))
        failures += 1
    if len(before) < min_files:
        print(f"FAIL the previous set has too few files to prove anything: {before}")
        failures += 1
    print(f"{1 - min(failures, 1)} passed, {failures} failed")
    return 1 if failures else 0


def signal_run(c, i, argv, out, delay, sig, complete):
    """Start argv + [out], send sig after delay seconds, and check what is left in out: a run
    that finished has the complete set; an interrupted one exits 128 + N (or -N when the signal
    landed before main() installed the handler — the shell reports both as 128 + N) and leaves
    either nothing or the complete set (a signal after publication), and no temporary file,
    journal or scratch directory. Returns whether the run was interrupted."""
    p = subprocess.Popen(argv + [out], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    p.send_signal(sig)
    rc = p.wait()
    left = sorted(n for n in os.listdir(out) if n != ".sametable.lock") \
        if os.path.isdir(out) else []
    if rc == 0:
        c.eq(f"finished run {i} has every output", left, complete)
        return False
    c.true(f"run {i} exit code after {sig.name}: {rc}", rc in (128 + sig.value, -sig.value))
    c.true(f"run {i} leaves no partial set: {left}", left in ([], complete))
    c.eq(f"run {i} leaves no temporary file or journal",
         leftovers(out) if os.path.isdir(out) else [], [])
    return True
