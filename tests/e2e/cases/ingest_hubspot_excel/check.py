"""HubSpot deals re-saved by Excel: the numbers are worked out in NOTES.md."""
import sys

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, reconciliation, cents, labels, load_values, table, model_rows  # noqa: E402

out = sys.argv[1]
c = Checker()
att = load_values(f"{out}/attribution-2026-10.xlsx")
s = labels(att["Summary"])
models = model_rows(att["Summary"])
# Closed-won in October: 39779198701 48,000.00 + 39779198702 1,234.56 + 39779198704 250.00
c.eq("closed-won deals", s["Closed-won deals"], 3)
c.eq("closed-won revenue", cents(s["Closed-won revenue"]), 4948456)
c.eq("attributed", cents(models["linear"]["Attributed revenue"]), 4923456)
c.eq("unattributed", cents(s["Unattributed revenue"]), 25000)
c.eq("unattributed deals", s["Unattributed deals"], 1)
rows, total = table(att["Summary"], "Channel")
got = {r["Channel"]: cents(r["linear credit (USD)"]) for r in rows}
# email = 24,000.00 + 617.28; webinar = 24,000.00 + 617.28
c.eq("channel credit", got, {"email": 2461728, "webinar": 2461728})
c.eq("channel total", cents(total["linear credit (USD)"]), 4923456)

by = reconciliation(att)
c.eq("campaigns rows", by["campaigns"], [2, 2, 0, 0, 0, 0, 0, 0])
c.eq("touches rows", by["touches"], [4, 4, 0, 0, 0, 0, 0, 0])
c.eq("deals rows", by["deals"], [7, 2, 0, 3, 1, 1, 0, 0])
c.done()
