"""Copies of rejected rows: see NOTES.md."""
import sys

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, reconciliation, cents, labels, load_values  # noqa: E402

out = sys.argv[1]
c = Checker()
att = load_values(f"{out}/attribution-2026-10.xlsx")
s = labels(att["Summary"])
c.eq("closed-won revenue", cents(s["Closed-won revenue"]), 15000)
by = reconciliation(att)
c.eq("touches rows", by["touches"], [4, 2, 1, 0, 0, 1, 0, 0])
c.eq("deals rows", by["deals"], [4, 2, 1, 0, 0, 1, 0, 0])
c.done()
