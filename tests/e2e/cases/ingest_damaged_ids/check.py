"""Spreadsheet-damaged and padded IDs: see NOTES.md."""
import sys

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, reconciliation, cents, labels, load_values, table, model_rows  # noqa: E402

out = sys.argv[1]
c = Checker()
att = load_values(f"{out}/attribution-2026-10.xlsx")
s = labels(att["Summary"])
models = model_rows(att["Summary"])
c.eq("closed-won deals", s["Closed-won deals"], 4)
c.eq("closed-won revenue", cents(s["Closed-won revenue"]), 100000)
c.eq("attributed", cents(models["linear"]["Attributed revenue"]), 60000)
c.eq("unattributed", cents(s["Unattributed revenue"]), 40000)
c.eq("unattributed deals", s["Unattributed deals"], 1)
rows, total = table(att["Summary"], "Channel")
got = {r["Channel"]: cents(r["linear credit (USD)"]) for r in rows}
# email = D1 100 + D3 150; paid_search = D2 200 + D3 150
c.eq("channel credit", got, {"email": 25000, "paid_search": 35000})
by = reconciliation(att)
c.eq("touches rows", by["touches"], [7, 4, 0, 0, 0, 3, 0, 0])
c.eq("deals rows", by["deals"], [5, 3, 0, 0, 1, 1, 0, 0])
c.done()
