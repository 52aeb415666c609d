"""Yen amounts: see NOTES.md. Workbook money is in major units, which for JPY are yen."""
import sys

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, reconciliation, labels, load_values, table, model_rows  # noqa: E402

out = sys.argv[1]
c = Checker()
att = load_values(f"{out}/attribution-2026-10.xlsx")
s = labels(att["Summary"])
models = model_rows(att["Summary"])
c.eq("currency", s["Currency"], "JPY")
# 1,200,000 + 1,234,567 + 500 = 2,435,067 yen
c.eq("closed-won deals", s["Closed-won deals"], 3)
c.eq("closed-won revenue", s["Closed-won revenue"], 2435067)
c.eq("attributed", models["linear"]["Attributed revenue"], 2435067)
rows, total = table(att["Summary"], "Channel")
got = {r["Channel"]: r["linear credit (JPY)"] for r in rows}
# D2's odd yen goes to C1 (touched first): C1 600,000 + 617,284 + 250; C2 600,000 + 617,283 + 250
c.eq("channel credit", got, {"email": 1217534, "paid_search": 1217533})
c.eq("channel total", total["linear credit (JPY)"], 2435067)
by = reconciliation(att)
c.eq("deals rows", by["deals"], [6, 3, 0, 0, 0, 3, 0, 0])
c.done()
