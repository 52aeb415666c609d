"""Adjustments: every row in one bucket on the Run sheet (both workbooks) and in `sametable check`;
the same file at the default max_reject_share fails. See NOTES.md."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, load_values, reconciliation  # noqa: E402

out, case, binary = sys.argv[1], sys.argv[2], sys.argv[3]
c = Checker()
# 18 data rows = 3 used (lines 2, 3, 17) + 15 rejected; never a duplicate (line 16 repeats A1).
for book in ("attribution-2026-10.xlsx", "payouts-2026-10.xlsx"):
    rec = reconciliation(load_values(f"{out}/{book}"))
    c.eq(f"{book} adjustments rows", rec.get("adjustments"), [18, 3, 0, 0, 0, 15, 0, 0])
c.check_command(binary, case)
# Without the raised share (default 0 for adjustments), the first bad row fails the run.
with tempfile.TemporaryDirectory() as d:
    p = subprocess.run([binary, "run", "-c", os.path.join(case, "case.ini"), "--out", d, "--set",
                        "format.adjustments.max_reject_share=0"], capture_output=True, text=True)
    c.eq("share 0: exit", p.returncode, 65)
    lines = p.stderr.splitlines()
    c.eq("share 0: first message", lines[0] if lines else "",
         "sametable: adjustments.csv:4: empty adjustment_id: '' in column 'adjustment_id'")
    c.eq("share 0: summary", lines[-1] if lines else "",
         "sametable: adjustments.csv: 15 of 18 data rows rejected, more than allowed "
         "([format.adjustments] max_reject_share 0)")
    c.eq("share 0: nothing written", [n for n in os.listdir(d) if not n.startswith(".")], [])
c.done()
