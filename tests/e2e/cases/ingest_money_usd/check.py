"""US money formats: see NOTES.md."""
import sys

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, reconciliation, cents, labels, load_values, table, model_rows  # noqa: E402

out = sys.argv[1]
c = Checker()
att = load_values(f"{out}/attribution-2026-10.xlsx")
s = labels(att["Summary"])
models = model_rows(att["Summary"])
# 10,000.00 + 1,234.50 - 5 x 1,200.00 = 5,234.50 over 7 deals, all credited to C1 (email)
c.eq("closed-won deals", s["Closed-won deals"], 7)
c.eq("closed-won revenue", cents(s["Closed-won revenue"]), 523450)
c.eq("attributed", cents(models["linear"]["Attributed revenue"]), 523450)
c.eq("unattributed", cents(s["Unattributed revenue"]), 0)
rows, total = table(att["Summary"], "Channel")
got = {r["Channel"]: cents(r["linear credit (USD)"]) for r in rows}
c.eq("channel credit", got, {"email": 523450})
by = reconciliation(att)
c.eq("touches rows", by["touches"], [4, 1, 0, 0, 0, 3, 0, 0])
c.eq("deals rows", by["deals"], [11, 7, 0, 0, 0, 4, 0, 0])
c.done()
