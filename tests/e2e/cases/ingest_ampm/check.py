"""12-hour clock times: see NOTES.md."""
import sys

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, cents, labels, load_values, table, model_rows  # noqa: E402

out = sys.argv[1]
c = Checker()
att = load_values(f"{out}/attribution-2026-10.xlsx")
s = labels(att["Summary"])
models = model_rows(att["Summary"])
c.eq("closed-won revenue", cents(s["Closed-won revenue"]), 30000)
c.eq("attributed", cents(models["linear"]["Attributed revenue"]), 30000)
rows, total = table(att["Summary"], "Channel")
got = {r["Channel"]: cents(r["linear credit (USD)"]) for r in rows}
# D1 -> C1 only (00:30 before 06:00; 12:30 PM after); D2 -> C2 only (noon before 23:00; 23:30 after)
c.eq("channel credit", got, {"email": 10000, "paid_search": 20000})
c.done()
