"""Date-only vs date-time touches in a file zone far east of the business zone: see NOTES.md."""
import sys

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, reconciliation, cents, labels, load_values, table, model_rows  # noqa: E402

out = sys.argv[1]
c = Checker()
att = load_values(f"{out}/attribution-2026-10.xlsx")
s = labels(att["Summary"])
models = model_rows(att["Summary"])
c.eq("closed-won revenue", cents(s["Closed-won revenue"]), 30000)
c.eq("attributed", cents(models["linear"]["Attributed revenue"]), 30000)
c.eq("unattributed deals", s["Unattributed deals"], 0)
rows, total = table(att["Summary"], "Channel")
got = {r["Channel"]: cents(r["linear credit (USD)"]) for r in rows}
c.eq("channel credit", got, {"email": 20000, "paid_search": 10000})
by = reconciliation(att)
c.eq("touches rows", by["touches"], [3, 3, 0, 0, 0, 0, 0, 0])
c.done()
