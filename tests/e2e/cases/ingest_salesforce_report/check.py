"""Salesforce report (15-character IDs) + Data Loader touches (18): see NOTES.md."""
import sys

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, reconciliation, cents, labels, load_values, table, model_rows  # noqa: E402

out = sys.argv[1]
c = Checker()
att = load_values(f"{out}/attribution-2026-10.xlsx")
s = labels(att["Summary"])
models = model_rows(att["Summary"])
# Won in October: OPP01 48,000 + OPP02 12,000 + OPP03 3,000 + OPP05 500 = 63,500.00
c.eq("closed-won deals", s["Closed-won deals"], 4)
c.eq("closed-won revenue", cents(s["Closed-won revenue"]), 6350000)
c.eq("attributed", cents(models["linear"]["Attributed revenue"]), 6050000)
# OPP03's lead 00QDn0000XkQAb1 differs from 00QDn0000xKqaB1 only in case: no touches
c.eq("unattributed", cents(s["Unattributed revenue"]), 300000)
c.eq("unattributed deals", s["Unattributed deals"], 1)
rows, total = table(att["Summary"], "Channel")
got = {r["Channel"]: cents(r["linear credit (USD)"]) for r in rows}
# Email = 24,000 (OPP01) + 500 (OPP05); Webinar = 24,000 (OPP01) + 12,000 (OPP02)
c.eq("channel credit", got, {"Email": 2450000, "Webinar": 3600000})
c.eq("channel total", cents(total["linear credit (USD)"]), 6050000)

by = reconciliation(att)
c.eq("campaigns rows", by["campaigns"], [2, 2, 0, 0, 0, 0, 1, 3])
c.eq("touches rows", by["touches"], [5, 4, 0, 0, 0, 1, 0, 0])
c.eq("deals rows", by["deals"], [5, 3, 0, 1, 1, 0, 1, 3])
c.done()
