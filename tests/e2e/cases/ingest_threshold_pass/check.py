"""1 of 100 touch rows rejected with max_reject_share 0.01: the run passes. See NOTES.md."""
import sys

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, reconciliation, cents, labels, load_values, model_rows  # noqa: E402

out = sys.argv[1]
c = Checker()
att = load_values(f"{out}/attribution-2026-10.xlsx")
s = labels(att["Summary"])
models = model_rows(att["Summary"])
c.eq("closed-won revenue", cents(s["Closed-won revenue"]), 10000)
c.eq("attributed", cents(models["linear"]["Attributed revenue"]), 10000)
by = reconciliation(att)
c.eq("touches rows", by["touches"], [100, 99, 0, 0, 0, 1, 0, 0])
c.eq("deals rows", by["deals"], [1, 1, 0, 0, 0, 0, 0, 0])
c.done()
