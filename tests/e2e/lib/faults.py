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
