"""German Excel export (declared delimiter): the numbers are worked out in NOTES.md."""
import sys

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, reconciliation, cents, labels, load_values, table, model_rows  # noqa: E402

out = sys.argv[1]
c = Checker()
att = load_values(f"{out}/attribution-2026-10.xlsx")
s = labels(att["Summary"])
models = model_rows(att["Summary"])
# O1 48.000,00 + O2 1.234,5 (= 1,234.50) + O4 750 = 49,984.50 EUR, all attributed
c.eq("currency", s["Currency"], "EUR")
c.eq("business zone", s["Business time zone"], "Europe/Berlin")
c.eq("closed-won deals", s["Closed-won deals"], 3)
c.eq("closed-won revenue", cents(s["Closed-won revenue"]), 4998450)
c.eq("attributed", cents(models["linear"]["Attributed revenue"]), 4998450)
c.eq("unattributed", cents(s["Unattributed revenue"]), 0)
c.eq("unattributed deals", s["Unattributed deals"], 0)
rows, total = table(att["Summary"], "Channel")
got = {r["Channel"]: cents(r["linear credit (EUR)"]) for r in rows}
# E-Mail = 24.000,00 (O1) + 1.234,50 (O2); Events = 24.000,00 (O1) + 750,00 (O4)
c.eq("channel credit", got, {"E-Mail": 2523450, "Events": 2475000})
c.eq("channel total", cents(total["linear credit (EUR)"]), 4998450)

by = reconciliation(att)
c.eq("campaigns rows", by["campaigns"], [2, 2, 0, 0, 0, 0, 0, 0])
c.eq("touches rows", by["touches"], [5, 5, 0, 0, 0, 0, 0, 0])
c.eq("deals rows", by["deals"], [4, 3, 0, 1, 0, 0, 0, 0])
c.done()
