"""A full disk: a run or an attribute that meets ENOSPC while writing exits 74 with one line of
ours naming the cause and the output file; no "[ERROR]" line of libxlsxwriter reaches stderr,
nothing is left behind, and the set published before it is byte-identical (issue 11, item 4).

The disk is a 256 KiB tmpfs mounted here (we are root here and in CI); a mount that fails fails
the test. The first set is published while there is room, then a filler file takes all but a few
pages: 8 KiB for run (the journal's page and one more: the attribution workbook, written first,
cannot fit), 12 KiB for attribute (journal, CSV, and one page for a ~6 KiB workbook). Without
the filler the same command publishes: the full disk was the cause.
"""
import errno
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from faults import BASE_INI, PATHS_CSV, leftovers, run, snapshot  # noqa: E402
from wb import Checker  # noqa: E402

binary = sys.argv[3]
c = Checker()
CAUSE = "No space left on device"


def fill(disk, leave):
    """Take every free byte of the filesystem, then give back `leave` bytes."""
    path = os.path.join(disk, "filler")
    block = b"\0" * 4096
    with open(path, "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(block)
        except OSError as e:
            if e.errno != errno.ENOSPC:
                raise
    os.truncate(path, os.path.getsize(path) - leave)
    return path


def refused(what, disk, out, first, args, leave, target):
    rc, err = run(binary, first)
    c.eq(f"{what}: the first set", (rc, err), (0, ""))
    before = snapshot(out)
    filler = fill(disk, leave)
    rc, err = run(binary, args)
    c.eq(f"{what} on a full disk: exit code and stderr", (rc, err),
         (74, f"sametable: cannot write '{out}/{target}': {CAUSE}\n"))
    c.true(f"{what}: no libxlsxwriter line on stderr", "[ERROR]" not in err)
    c.eq(f"{what}: the previous set is byte-identical", snapshot(out), before)
    c.eq(f"{what}: no temporary file, journal or manifest left", leftovers(out), [])
    os.unlink(filler)
    rc, err = run(binary, args)
    c.eq(f"{what} with room again", (rc, err), (0, ""))
    c.true(f"{what}: with room again the set is new", snapshot(out) != before)


with tempfile.TemporaryDirectory() as tmp:
    disk = os.path.join(tmp, "disk")
    os.mkdir(disk)
    m = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "sametable-e2e", disk],
                       capture_output=True, text=True)
    if m.returncode != 0:
        print(f"FAIL cannot mount a tmpfs (the test needs root): {m.stderr.strip()}")
        sys.exit(1)
    try:
        out = os.path.join(disk, "run")
        refused("run", disk, out,
                ["run", "-c", BASE_INI, "--out", out, "--set", "plan.ae.commission.rate=20%"],
                ["run", "-c", BASE_INI, "--out", out], 8192, "attribution-2026-10.xlsx")
        for name in os.listdir(disk):
            subprocess.run(["rm", "-rf", os.path.join(disk, name)], check=True)
        out = os.path.join(disk, "attribute")
        refused("attribute", disk, out,
                ["attribute", "--paths", PATHS_CSV, "--models", "markov", "--out", out],
                ["attribute", "--paths", PATHS_CSV, "--models", "markov,linear", "--out", out],
                12288, "path-attribution.xlsx")
    finally:
        subprocess.run(["umount", disk], check=False)
c.done()
print(f"{0 if c.failures else 1} passed, {c.failures} failed")
