"""Time zones: every instant is worked out in NOTES.md."""
import sys

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, reconciliation, cents, labels, load_values, table, model_rows  # noqa: E402

out = sys.argv[1]
c = Checker()
att = load_values(f"{out}/attribution-2026-10.xlsx")
s = labels(att["Summary"])
models = model_rows(att["Summary"])
c.eq("business zone", s["Business time zone"], "Europe/Berlin")
# In October (Berlin): D1 100 + D2 200 + D4 800 + D5 1,600 = 2,700.00; D3 closes on Nov 1 Berlin
c.eq("closed-won deals", s["Closed-won deals"], 4)
c.eq("closed-won revenue", cents(s["Closed-won revenue"]), 270000)
c.eq("attributed", cents(models["linear"]["Attributed revenue"]), 270000)
c.eq("unattributed", cents(s["Unattributed revenue"]), 0)
c.eq("unattributed deals", s["Unattributed deals"], 0)
rows, total = table(att["Summary"], "Channel")
got = {r["Channel"]: cents(r["linear credit (USD)"]) for r in rows}
# email (C1) = D1 100 + D2 200 + D5 800; paid_search (C2) = D4 800 + D5 800
c.eq("channel credit", got, {"email": 110000, "paid_search": 160000})
by = reconciliation(att)
c.eq("touches rows", by["touches"], [7, 6, 0, 1, 0, 0, 0, 0])
c.eq("deals rows", by["deals"], [5, 4, 0, 1, 0, 0, 0, 0])
c.done()
