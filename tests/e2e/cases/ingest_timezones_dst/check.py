"""DST gap and overlap in the touches' zone: see NOTES.md."""
import sys

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, reconciliation, cents, labels, load_values, table, model_rows  # noqa: E402

out = sys.argv[1]
c = Checker()
att = load_values(f"{out}/attribution-2026.xlsx")
s = labels(att["Summary"])
models = model_rows(att["Summary"])
c.eq("closed-won deals", s["Closed-won deals"], 3)
c.eq("closed-won revenue", cents(s["Closed-won revenue"]), 70000)
# D1 (overlap, earlier instant) and D3 attributed; D2's gap touch falls after its close
c.eq("attributed", cents(models["linear"]["Attributed revenue"]), 50000)
c.eq("unattributed", cents(s["Unattributed revenue"]), 20000)
c.eq("unattributed deals", s["Unattributed deals"], 1)
rows, total = table(att["Summary"], "Channel")
got = {r["Channel"]: cents(r["linear credit (USD)"]) for r in rows}
c.eq("channel credit", got, {"email": 10000, "paid_search": 40000})
by = reconciliation(att)
c.eq("touches rows", by["touches"], [3, 3, 0, 0, 0, 0, 0, 0])
c.eq("deals rows", by["deals"], [3, 3, 0, 0, 0, 0, 0, 0])
c.done()
