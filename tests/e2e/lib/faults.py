"""Helpers for the fault-injection cases: run the binary (under TEST_WRAP, as run.sh does), take
a byte-exact snapshot of an output set, find what a run must never leave behind."""
import hashlib
import os
import resource
import shlex
import subprocess

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
    """Temporary files and publish journals or manifests anywhere under top."""
    bad = []
    for d, _, files in os.walk(top):
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
