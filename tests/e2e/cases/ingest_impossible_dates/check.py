"""Impossible dates: see NOTES.md."""
import sys

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, reconciliation, cents, labels, load_values, model_rows  # noqa: E402

out = sys.argv[1]
c = Checker()
att = load_values(f"{out}/attribution-2026-10.xlsx")
s = labels(att["Summary"])
models = model_rows(att["Summary"])
# D1 100.00 (L1: touch 10-01) + D6 50.00 (L2: touch 10-02) = 150.00
c.eq("closed-won deals", s["Closed-won deals"], 2)
c.eq("closed-won revenue", cents(s["Closed-won revenue"]), 15000)
c.eq("attributed", cents(models["linear"]["Attributed revenue"]), 15000)
by = reconciliation(att)
c.eq("touches rows", by["touches"], [4, 2, 0, 1, 0, 1, 0, 0])
c.eq("deals rows", by["deals"], [6, 2, 0, 1, 0, 3, 0, 0])
c.done()
