"""The deal row with a stray BOM is rejected and shown with its amount; the other two deals are
attributed (NOTES.md)."""
import os
import sys

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, cents, labels, load_values, reconciliation  # noqa: E402

out = sys.argv[1]
c = Checker()
wb = load_values(os.path.join(out, "attribution-2026-10.xlsx"))
c.eq("deals reconciliation", reconciliation(wb)["deals"], [3, 2, 0, 0, 0, 1, 0, 0])
summary = wb["Summary"]
rows = list(summary.iter_rows(values_only=True))
hit = [r for r in rows if r[0] == "deals.csv:3"]
c.eq("rejected deal listed once on Summary", len(hit), 1)
if hit:
    c.eq("its amount as written", cents(hit[0][1]), 20000)
    c.eq("its currency", hit[0][2], "USD")
s = labels(summary)
c.eq("closed-won deals", s.get("Closed-won deals"), 2)
c.eq("closed-won revenue", cents(s.get("Closed-won revenue")), 40000)
c.done()
