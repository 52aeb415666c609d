"""The second export's header line is the one rejected row; its 40 data rows are used
(NOTES.md)."""
import os
import sys

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, load_values, reconciliation  # noqa: E402

out = sys.argv[1]
c = Checker()
wb = load_values(os.path.join(out, "attribution-2026-10.xlsx"))
rec = reconciliation(wb)
c.eq("touches reconciliation", rec["touches"], [101, 100, 0, 0, 0, 1, 0, 0])
exc = [r for r in wb["Exceptions"].iter_rows(min_row=2, values_only=True) if r[0]]
c.eq("Exceptions", exc, [("touches.csv", 62, "lead_id", "\ufffdlead_id",
                          "rejected: byte order mark U+FEFF at byte offset 1774 (allowed only at "
                          "the very start of the file)")])
c.done()
