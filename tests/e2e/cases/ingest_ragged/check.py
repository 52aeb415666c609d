"""Ragged rows: see NOTES.md."""
import sys

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, reconciliation, cents, labels, load_values, model_rows  # noqa: E402

out = sys.argv[1]
c = Checker()
att = load_values(f"{out}/attribution-2026-10.xlsx")
s = labels(att["Summary"])
models = model_rows(att["Summary"])
# D1 100.00 + D3 7,500.00 + D5 25.00 = 7,625.00, all on L1's one touch (C1, email)
c.eq("closed-won deals", s["Closed-won deals"], 3)
c.eq("closed-won revenue", cents(s["Closed-won revenue"]), 762500)
c.eq("attributed", cents(models["linear"]["Attributed revenue"]), 762500)
c.eq("unattributed deals", s["Unattributed deals"], 0)
by = reconciliation(att)
c.eq("deals rows", by["deals"], [5, 3, 0, 0, 0, 2, 0, 0])
c.done()
