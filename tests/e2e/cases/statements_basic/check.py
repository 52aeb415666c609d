"""One statement workbook per person on a plan (issue 10, items 11-12), on the basic case's inputs
(tests/e2e/cases/basic; its check.py works every amount by hand). See NOTES.md."""
import os
import re
import sys

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, cents, load, load_values  # noqa: E402

out = sys.argv[1]
st = os.path.join(os.path.dirname(out), "st", "2026-10")
c = Checker()
c.eq("statement files", sorted(os.listdir(st)), ["P1.xlsx", "P2.xlsx", "P3.xlsx"])

# No file names anyone else (tests/e2e/lib/privacy.py), nor the unknown owner P9 of deal D4.
from privacy import check_statements, visible_text  # noqa: E402

failures, files = check_statements(st, os.path.join(os.path.dirname(__file__), "..", "basic",
                                                    "people.csv"), "person_id", "name")
c.eq("privacy failures", failures, [])
c.eq("statement files checked", files, 3)
for pid in ("P1", "P2", "P3"):
    c.true(f"{pid}: no P9", re.search(r"\bP9\b", visible_text(os.path.join(st, f"{pid}.xlsx"))) is None)

# Ada (P1, plan ae, 5% per deal): D1 5.00, D2 0.00, D3 1.00, D10 0.01 = 6.01 in October, as
# payroll pays. Year to date adds D7 (999.00 closed 2026-09-30): 999.00 × 5% = 49.95 → 55.96.
wb = load_values(os.path.join(st, "P1.xlsx"))
c.eq("sheets", wb.sheetnames, ["Statement", "Plan", "Run"])
ws = wb["Statement"]
rows = list(ws.iter_rows(values_only=True))
c.eq("heading", [r[0] for r in rows if isinstance(r[0], str) and r[0].startswith("Ada")],
     ["Ada (P1)"])
# Component table: component, type, measure, quota, measure to date, attainment, attainment
# period, earned in the period (col H), earned in the year to date (col I).
comp = {r[0]: r for r in rows if r[0] in ("commission", "Adjustments", "Total")}
c.eq("measure", comp["commission"][2], "own_revenue")
c.eq("earned this period", cents(comp["commission"][7]), 601)
c.eq("earned year to date", cents(comp["commission"][8]), 5596)
c.eq("adjustments", (cents(comp["Adjustments"][7]), cents(comp["Adjustments"][8])), (0, 0))
c.eq("total this period", cents(comp["Total"][7]), 601)
c.eq("total year to date", cents(comp["Total"][8]), 5596)
hdr = next(i for i, r in enumerate(rows) if r[0] == "Date")
c.eq("line header", rows[hdr][:8], ("Date", "Component", "Deal ID", "Account / deal name",
                                    "Deal amount (USD)", "Rate", "How it is computed",
                                    "Amount (USD)"))
lines = [r for r in rows[hdr + 1:] if r[0] is not None]
c.eq("lines (deal, deal amount, rate, amount, component #, payout period #)",
     [(r[2], cents(r[4]), r[5], cents(r[7]), r[9], r[10]) for r in lines],
     [("D1", 10000, "5%", 500, 1, 1), ("D2", 1, "5%", 0, 1, 1), ("D3", 2000, "5%", 100, 1, 1),
      ("D10", 10, "5%", 1, 1, 1)])
earned = [r for r in rows[hdr + 1:] if r[6] == "Earned in 2026-10"]
c.eq("earned in the payout period", [cents(r[7]) for r in earned], [601])
# The component table's period figure is a live SUMIF over the lines (by component number).
f = load(os.path.join(st, "P1.xlsx"))["Statement"]
cell = next(row[7] for row in f.iter_rows() if row[0].value == "commission")
c.true("earned this period is a formula", str(cell.value).startswith("=SUMIF("))
# The Plan sheet holds Ada's plan only.
plan_text = " ".join(str(v) for r in wb["Plan"].iter_rows(values_only=True) for v in r if v)
c.true("plan ae shown", "Plan ae" in plan_text)
c.true("no other plan", "Plan sdr" not in plan_text and "Plan mkt" not in plan_text)
c.done()
