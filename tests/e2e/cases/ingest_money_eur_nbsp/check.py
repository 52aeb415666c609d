"""NBSP-grouped euro amounts: see NOTES.md."""
import sys

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, reconciliation, cents, labels, load_values, table, model_rows  # noqa: E402

out = sys.argv[1]
c = Checker()
att = load_values(f"{out}/attribution-2026-10.xlsx")
s = labels(att["Summary"])
models = model_rows(att["Summary"])
# 1,234.50 + 12,345,678.90 + 1,000.00 + 2,500.00 = 12,350,413.40 EUR
c.eq("closed-won deals", s["Closed-won deals"], 4)
c.eq("closed-won revenue", cents(s["Closed-won revenue"]), 1235041340)
c.eq("attributed", cents(models["linear"]["Attributed revenue"]), 1235041340)
rows, total = table(att["Summary"], "Channel")
got = {r["Channel"]: cents(r["linear credit (EUR)"]) for r in rows}
c.eq("channel credit", got, {"email": 1235041340})
by = reconciliation(att)
c.eq("deals rows", by["deals"], [5, 4, 0, 0, 0, 1, 0, 0])
c.done()
