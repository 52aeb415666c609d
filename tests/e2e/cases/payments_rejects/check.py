"""Payments: every row in one bucket on the Run sheet and in `sametable check`. See NOTES.md."""
import sys

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, load_values, reconciliation  # noqa: E402

out, case, binary = sys.argv[1], sys.argv[2], sys.argv[3]
c = Checker()
# 16 data rows = 3 used (lines 2-4) + 1 filtered (line 15, paid after as-of) + 2 unmatched
# (lines 5-6: D0 closed outside the run's window, D404 in no file) + 10 rejected.
rec = reconciliation(load_values(f"{out}/attribution-2026-10.xlsx"))
c.eq("payments rows", rec.get("payments"), [16, 3, 0, 1, 2, 10, 0, 0])
c.eq("deals rows", rec.get("deals"), [3, 2, 0, 1, 0, 0, 0, 0])
c.check_command(binary, case)
c.done()
