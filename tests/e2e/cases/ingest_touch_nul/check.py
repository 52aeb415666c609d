"""The NUL row is counted as rejected on the Run sheet and listed on Exceptions; the other 99
touches rows are used (NOTES.md)."""
import os
import sys

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, load_values, reconciliation  # noqa: E402

out = sys.argv[1]
c = Checker()
wb = load_values(os.path.join(out, "attribution-2026-10.xlsx"))
rec = reconciliation(wb)
# rows read, used, duplicate, filtered, unmatched, rejected, blank lines, footer lines
c.eq("touches reconciliation", rec["touches"], [100, 99, 0, 0, 0, 1, 0, 0])
c.eq("deals reconciliation", rec["deals"], [2, 2, 0, 0, 0, 0, 0, 0])
exc = [r for r in wb["Exceptions"].iter_rows(min_row=2, values_only=True) if r[0]]
c.eq("Exceptions", exc, [("touches.csv", 9, "campaign_id", "C2\ufffd",
                          "rejected: NUL byte at byte offset 262")])
c.done()
