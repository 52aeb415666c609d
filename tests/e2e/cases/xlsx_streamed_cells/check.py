"""Streamed workbooks keep every cell (issue 12). sametable writes workbooks in libxlsxwriter's
constant_memory mode, which drops a cell written above the row being written, silently; every
sheet therefore stops the program at such a write. This case proves the streamed output complete:
the same run (the demo, with statements, Lines and Deal credits cut short so that the cut notes
and continuation sheets are written too; then output_control_chars' hostile text) is repeated with SAMETABLE_TEST_XLSX_IN_MEMORY set, which
writes the workbooks the way libxlsxwriter keeps them in memory, and every workbook must hold the
same cells — values, formulas, cached results, formats, comments, row levels and heights, column
widths, filters (tests/e2e/lib/bookdiff.py) — while only the streamed ones lack a shared string
table (so the two runs really wrote differently).
"""
import glob
import os
import subprocess
import sys
import tempfile
import zipfile

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from bookdiff import cell_count, describe  # noqa: E402

out, case, binary = sys.argv[1], sys.argv[2], sys.argv[3]
root = os.path.abspath(os.path.join(case, "../../../.."))
args = [line.rstrip("\n") for line in open(os.path.join(case, "args"), encoding="utf-8")]
bad = 0


def shared_strings(path):
    with zipfile.ZipFile(path) as z:
        return "xl/sharedStrings.xml" in z.namelist()


with tempfile.TemporaryDirectory() as tmp:
    mem = os.path.join(tmp, "out")
    argv = [a.replace("@ROOT@", root).replace("@OUT@", mem) for a in args]
    env = dict(os.environ, SAMETABLE_TEST_XLSX_IN_MEMORY="1")
    subprocess.run([binary] + argv, env=env, check=True, stdout=subprocess.DEVNULL)
    books = sorted(glob.glob(os.path.join(out, "*.xlsx")))
    books += sorted(glob.glob(os.path.join(out, "statements", "*", "*.xlsx")))
    names = [os.path.relpath(b, out) for b in books]
    if len(books) < 3 or not any(n.startswith("statements/") for n in names):
        print(f"expected both workbooks and statements, found {names}")
        sys.exit(1)
    total = 0
    for name in names:
        a, b = os.path.join(out, name), os.path.join(mem, name)
        if not os.path.exists(b):
            print(f"{name}: not written in memory")
            bad += 1
            continue
        if shared_strings(a) or not shared_strings(b):
            print(f"{name}: streamed has shared strings {shared_strings(a)}, "
                  f"in memory {shared_strings(b)}: the two runs did not write differently")
            bad += 1
        diffs = describe(a, b)
        for d in diffs:
            print(f"{name}: {d}")
        bad += bool(diffs)
        total += cell_count(a)
    extra = sorted(set(os.path.relpath(p, mem) for p in
                       glob.glob(os.path.join(mem, "*.xlsx"))
                       + glob.glob(os.path.join(mem, "statements", "*", "*.xlsx"))) - set(names))
    if extra:
        print(f"written only in memory: {extra}")
        bad += 1
    # The demo's workbooks hold thousands of cells: a comparison of near-empty books proves little.
    if total < 5000:
        print(f"only {total} cells compared")
        bad += 1

    # Hostile text too (output_control_chars' inputs: control characters, a literal "_x0041_",
    # a line break in a name), where inline strings are escaped as shared ones are.
    hostile = os.path.join(root, "tests/e2e/cases/output_control_chars/case.ini")
    streamed = {k: v for k, v in os.environ.items() if k != "SAMETABLE_TEST_XLSX_IN_MEMORY"}
    for mode, env_run in (("streamed", streamed), ("in memory", env)):
        subprocess.run([binary, "run", "-c", hostile, "--out", os.path.join(tmp, mode)],
                       env=env_run, check=True, stdout=subprocess.DEVNULL)
    for name in ("attribution-2026-10.xlsx", "payouts-2026-10.xlsx"):
        diffs = describe(os.path.join(tmp, "streamed", name), os.path.join(tmp, "in memory", name))
        for d in diffs:
            print(f"control characters {name}: {d}")
        bad += bool(diffs)
sys.exit(1 if bad else 0)
