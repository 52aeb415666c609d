"""Outputs written by four threads at once ([output] threads = 4) are the set one thread writes
([output] threads = 1): the run here writes the demo with 4 threads; this check runs the same
inputs with 1 thread into a folder of its own and compares every file.

CSV files and the per-person statement workbooks must be byte-identical. The attribution and
payouts workbooks must hold the same cells (value or formula, in every sheet) — the only
difference allowed is the Run sheet's row that shows the `threads` setting itself (4 against 1);
their XML parts other than the shared strings and that sheet must be byte-identical too.
"""
import os
import subprocess
import sys
import tempfile
import zipfile

from openpyxl import load_workbook

out, case, binary = sys.argv[1], sys.argv[2], sys.argv[3]
root = os.path.normpath(os.path.join(case, "..", "..", "..", ".."))
problems = []


def files(top):
    found = []
    for d, _, names in os.walk(top):
        for n in names:
            if not n.startswith("."):
                found.append(os.path.relpath(os.path.join(d, n), top))
    return sorted(found)


with tempfile.TemporaryDirectory() as tmp:
    one = os.path.join(tmp, "out")
    p = subprocess.run([binary, "run", "-c", os.path.join(root, "config/sametable.ini"), "--out",
                        one, "--statements", os.path.join(one, "statements"), "--set",
                        "output.threads=1"], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"the one-thread run failed ({p.returncode}): {p.stderr}")
    a, b = files(one), files(out)
    if a != b:
        problems.append(f"different files: only 1 thread {sorted(set(a) - set(b))}, "
                        f"only 4 threads {sorted(set(b) - set(a))}")
    statements = [f for f in a if f.startswith("statements/")]
    if len(statements) < 10:
        problems.append(f"only {len(statements)} statement files: the case must write many")
    for f in sorted(set(a) & set(b)):
        pa, pb = os.path.join(one, f), os.path.join(out, f)
        if f.startswith("statements/") or f.endswith(".csv"):
            with open(pa, "rb") as x, open(pb, "rb") as y:
                if x.read() != y.read():
                    problems.append(f"{f}: not byte-identical")
            continue
        # a workbook: the XML parts but the shared strings and the Run sheet, then the cells
        za, zb = zipfile.ZipFile(pa), zipfile.ZipFile(pb)
        wa, wb = load_workbook(pa), load_workbook(pb)
        run_part = f"xl/worksheets/sheet{wa.sheetnames.index('Run') + 1}.xml"
        if sorted(za.namelist()) != sorted(zb.namelist()):
            problems.append(f"{f}: different parts")
        for part in za.namelist():
            if part in ("xl/sharedStrings.xml", run_part) or part not in zb.namelist():
                continue
            if za.read(part) != zb.read(part):
                problems.append(f"{f}: part {part} differs")
        if wa.sheetnames != wb.sheetnames:
            problems.append(f"{f}: sheets {wa.sheetnames} against {wb.sheetnames}")
            continue
        cells = 0
        for name in wa.sheetnames:
            sa, sb = wa[name], wb[name]
            rows = max(sa.max_row, sb.max_row)
            cols = max(sa.max_column, sb.max_column)
            for r in range(1, rows + 1):
                for c in range(1, cols + 1):
                    va, vb = sa.cell(r, c).value, sb.cell(r, c).value
                    cells += va is not None
                    if va == vb:
                        continue
                    row = [sb.cell(r, k).value for k in range(1, cols + 1)]
                    if name == "Run" and "threads" in row and (str(va), str(vb)) == ("1", "4"):
                        continue
                    problems.append(f"{f} {name}!{sa.cell(r, c).coordinate}: {va!r} "
                                    f"against {vb!r}")
        if cells < 500:
            problems.append(f"{f}: only {cells} cells compared")

for p in problems[:30]:
    print(p)
if problems:
    sys.exit(1)
