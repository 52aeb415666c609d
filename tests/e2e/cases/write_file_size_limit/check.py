"""`ulimit -f`: a run or an attribute past the file size limit exits 74 with one line of ours
naming the cause and the output file, leaves no temporary file, and the set published before it
is byte-identical (issue 11, item 4). The first set is made with another commission rate (run) or
model list (attribute), so a new set would differ from it byte for byte.

Under an 8 KiB limit (`ulimit -f 8`) run's first output, the attribution workbook (~21 KiB), is
refused; under 4 KiB attribute's CSV (165 bytes) passes and its workbook (~6 KiB) is refused.
Which libxlsxwriter part meets the limit first varies; the line is the same: the EFBIG is seen
in the zip writer's errno, or in a part cut short that reading the workbook back finds.
"""
import os
import sys
import tempfile

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from faults import BASE_INI, PATHS_CSV, leftovers, run, snapshot  # noqa: E402
from wb import Checker  # noqa: E402

binary = sys.argv[3]
c = Checker()
CAUSE = "File too large (over the file size limit, ulimit -f)"


def refused(what, out, args, limit, target):
    """Publish a first set, then run args under the limit: exit 74, one line, old set kept."""
    before = snapshot(out)
    c.true(f"{what}: the first set is larger than the limit",
           any(v is not None and v[0] > limit for v in before.values()))
    rc, err = run(binary, args, fsize_limit=limit)
    c.eq(f"{what} under the limit: exit code and stderr", (rc, err),
         (74, f"sametable: cannot write '{out}/{target}': {CAUSE}\n"))
    c.eq(f"{what}: the previous set is byte-identical", snapshot(out), before)
    c.eq(f"{what}: no temporary file, journal or manifest left", leftovers(out), [])
    # Without the limit the same command publishes a new set: the limit was the cause.
    rc, err = run(binary, args)
    c.eq(f"{what} without the limit", (rc, err), (0, ""))
    c.true(f"{what}: without the limit the set is new", snapshot(out) != before)


with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "run")
    rc, err = run(binary, ["run", "-c", BASE_INI, "--out", out, "--set",
                           "plan.ae.commission.rate=20%"])
    c.eq("run: the first set", (rc, err), (0, ""))
    before = snapshot(out)
    # -v under the limit: our stage timings still reach stderr while libxlsxwriter's own
    # "[ERROR]" lines are caught and shown as notes of ours.
    rc, err = run(binary, ["-v", "run", "-c", BASE_INI, "--out", out], fsize_limit=8192)
    lines = err.splitlines()
    c.eq("-v: exit code", rc, 74)
    c.eq("-v: every stage timing", [ln.split()[1] for ln in lines if ln.endswith(" ms")],
         ["config", "ingest", "join", "attribute", "incent", "write"])
    c.true("-v: the error line",
           f"sametable: cannot write '{out}/attribution-2026-10.xlsx': {CAUSE}" in lines)
    c.eq("-v: every line is one of ours", [ln for ln in lines if not ln.startswith("sametable: ")],
         [])
    c.true("-v: no raw libxlsxwriter line", not any("[ERROR]" in ln for ln in lines))
    c.eq("-v: the previous set is byte-identical", snapshot(out), before)
    refused("run", out, ["run", "-c", BASE_INI, "--out", out], 8192, "attribution-2026-10.xlsx")

    out = os.path.join(tmp, "attribute")
    rc, err = run(binary, ["attribute", "--paths", PATHS_CSV, "--models", "markov", "--out", out])
    c.eq("attribute: the first set", (rc, err), (0, ""))
    refused("attribute", out,
            ["attribute", "--paths", PATHS_CSV, "--models", "markov,linear", "--out", out], 4096,
            "path-attribution.xlsx")
c.done()
print(f"{0 if c.failures else 1} passed, {c.failures} failed")
