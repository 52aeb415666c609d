"""Duplicate, conflicting and multi-lead deals: see NOTES.md."""
import sys

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, reconciliation, cents, labels, load_values, table, model_rows  # noqa: E402

out = sys.argv[1]
c = Checker()
att = load_values(f"{out}/attribution-2026-10.xlsx")
s = labels(att["Summary"])
models = model_rows(att["Summary"])
# D1 100 (counted once) + D3 400 + D4 800 + D5 1,600 = 2,900.00; D2 rejected
c.eq("closed-won deals", s["Closed-won deals"], 4)
c.eq("closed-won revenue", cents(s["Closed-won revenue"]), 290000)
# D3 is attributed through its second row's lead L4 (L3 has no touches)
c.eq("attributed", cents(models["linear"]["Attributed revenue"]), 290000)
c.eq("unattributed", cents(s["Unattributed revenue"]), 0)
c.eq("unattributed deals", s["Unattributed deals"], 0)
rows, total = table(att["Summary"], "Channel")
got = {r["Channel"]: cents(r["linear credit (USD)"]) for r in rows}
# email (C1) = D1 100 + D4 400 (L5) + D5 1,600; paid_search (C2) = D3 400 (L4) + D4 400 (L6)
c.eq("channel credit", got, {"email": 210000, "paid_search": 80000})
by = reconciliation(att)
c.eq("touches rows", by["touches"], [5, 5, 0, 0, 0, 0, 0, 0])
c.eq("deals rows", by["deals"], [8, 5, 1, 0, 0, 2, 0, 0])
c.done()
