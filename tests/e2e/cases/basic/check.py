"""Hand-worked expectations for the basic case (see the inputs beside this file).

Deals closed-won in 2026-10 (as of 2026-10-31, lookback 90 days, linear model):
  D1  L1 100.00 closed 2026-10-05. L1's touches up to the close: C1 (10-01), C2 (10-02), C1 (10-03)
      (the exact repeat of the 10-01 touch is a duplicate). Weights C1 2, C2 1 of 3:
      10000 * 2/3 = 6666.67 -> 6666 rem 2/3; 10000 * 1/3 = 3333.33 -> 3333 rem 1/3; one cent left
      goes to the larger remainder, C1: C1 66.67, C2 33.33.
  D2  L2 0.01 closed 10-05. Touches C2 (10-02), C1 (10-03): weights 1, 1; one cent, equal
      remainders, tie to the earlier touch's campaign: C2 0.01.
  D3  L3 20.00: L3 has no touches -> unattributed (deal bucket: unmatched).
  D4  L4 30.00 closed 10-15: L4's only touch is 10-16, after the close -> unattributed.
  D5  L5 10.00 closed 10-31: touch 08-02 is exactly 90 days before (inside, both ends inclusive),
      touch 08-01 23:59:59 is 91 days before (outside): C3 (direct) 10.00.
  D9  L9 50.00 closed 10-10 (a date: the whole day counts): touch 10-10 23:59 counts, 10-11 00:00
      does not: C1 50.00.
  D10 L1 0.10 closed 10-20: same three touches as D1: 10 * 2/3 = 6.67 -> 6 rem 2/3, 3.33 -> 3 rem
      1/3, leftover cent to C1: C1 0.07, C2 0.03.
  Closed-won = 100 + 0.01 + 20 + 30 + 10 + 50 + 0.10 = 210.11; unattributed = 20 + 30 = 50.00
  (2 deals); attributed = 160.11.
  Channels: email (C1) 66.67 + 50 + 0.07 = 116.74; paid_search (C2) 33.33 + 0.01 + 0.03 = 33.37;
  direct (C3) 10.00; webinar (the unknown campaign CX's own channel) 0. Sum 160.11.

Payouts (one line per deal, rounded half away from zero):
  P1 (ae, 5%): D1 5.00, D2 0.0005 -> 0.00, D3 1.00, D10 0.005 -> 0.01; total 6.01, revenue 120.11,
  4 deals. P2 (sdr, 3%): D5 0.30, D9 1.50; total 1.80, revenue 60.00, 2 deals. P3: nothing.
  D4's owner P9 is not in the people file: 1 deal (30.00) pays no one. Total payout 7.81.

Rows: touches 14 = 10 used + 1 duplicate (line 5) + 1 filtered (11-02, after as-of) + 1 unmatched
  (CX) + 1 rejected (2026-02-30); deals 12 = 7 used + 1 duplicate (D1 again) + 2 filtered
  (lost, November) + 1 unmatched (D3) + 1 rejected ('12,50'). D7 (closed won 2026-09-30) is kept
  for the statements' year to date (every run computes it), so it is used, not filtered; it
  stays out of October's attribution and pay.
"""
import csv
import sys

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, cents, labels, load, load_values, table, model_rows  # noqa: E402

out = sys.argv[1]
c = Checker()

att = load_values(f"{out}/attribution-2026-10.xlsx")
s = labels(att["Summary"])
c.eq("closed-won deals", s["Closed-won deals"], 7)
c.eq("closed-won revenue", cents(s["Closed-won revenue"]), 21011)
models = model_rows(att["Summary"])
c.eq("attributed (cached)", cents(models["linear"]["Attributed revenue"]), 16011)
c.eq("unattributed", cents(s["Unattributed revenue"]), 5000)
c.eq("unattributed deals", s["Unattributed deals"], 2)
c.eq("check cell", cents(models["linear"]["Check (= 0)"]), 0)
c.eq("unattributed in the model row", cents(models["linear"]["Unattributed revenue"]), 5000)
rows, total = table(att["Summary"], "Channel")
got = {r["Channel"]: cents(r["linear credit (USD)"]) for r in rows}
c.eq("channel credit", got, {"direct": 1000, "email": 11674, "paid_search": 3337, "webinar": 0})
c.eq("channel total", cents(total["linear credit (USD)"]), 16011)

# Formulas are live: the total is a SUM over the channel rows, attributed refers to it.
f = load(f"{out}/attribution-2026-10.xlsx")["Summary"]
formulas = [cell.value for row in f.iter_rows() for cell in row
            if isinstance(cell.value, str) and cell.value.startswith("=")]
c.true("a SUM total formula", any(v.startswith("=SUM(") for v in formulas))

run = att["Run"]
rec, _ = table(run, "File")
byfile = {r["File"]: r for r in rec}
c.eq("touch reconciliation",
     [byfile["touches"][k] for k in ("Rows read", "Used", "Duplicate", "Filtered", "Unmatched",
                                     "Rejected")], [14, 10, 1, 1, 1, 1])
c.eq("deal reconciliation",
     [byfile["deals"][k] for k in ("Rows read", "Used", "Duplicate", "Filtered", "Unmatched",
                                   "Rejected")], [12, 7, 1, 2, 1, 1])

pay = load_values(f"{out}/payouts-2026-10.xlsx")
rows, total = table(pay["Payouts"], "Person ID")
byp = {r["Person ID"]: r for r in rows}
c.eq("people rows", list(byp), ["P1", "P2", "P3"])
c.eq("P1 payout", cents(byp["P1"]["Earned (USD)"]), 601)
c.eq("P1 revenue", cents(byp["P1"]["Own revenue (USD)"]), 12011)
c.eq("P1 deals", byp["P1"]["Deals closed (count)"], 4)
c.eq("P2 payout", cents(byp["P2"]["Earned (USD)"]), 180)
c.eq("P2 revenue", cents(byp["P2"]["Own revenue (USD)"]), 6000)
c.eq("P3 payout", cents(byp["P3"]["Earned (USD)"]), 0)
c.eq("payout total", cents(total["Earned (USD)"]), 781)
ps = labels(pay["Summary"])
c.eq("deals paying no one", ps["Deals that pay no one"], 1)
c.eq("their revenue", cents(ps["Their revenue"]), 3000)

# Exceptions: both rejects, the unknown campaign CX (1 touch, line 13) and, on payouts only, D4
# (line 5) whose owner P9 is not in the people file.
exc = [r for r in pay["Exceptions"].iter_rows(min_row=2, values_only=True)]
c.eq("payouts exceptions", [(r[0], r[1], r[3]) for r in exc],
     [("touches.csv", 15, "2026-02-30T10:00:00Z"), ("deals.csv", 13, "12,50"),
      ("touches.csv", 13, "CX"), ("deals.csv", 5, "P9")])
c.eq("attribution exceptions", len(list(att["Exceptions"].iter_rows(min_row=2))), 3)

with open(f"{out}/rejects-2026-10.csv", newline="", encoding="utf-8") as fh:
    rej = list(csv.DictReader(fh))
c.eq("reject count", len(rej), 2)
c.eq("touch reject", (rej[0]["file"], rej[0]["line"], rej[0]["column"], rej[0]["value"]),
     ("touches.csv", "15", "touched_at", "2026-02-30T10:00:00Z"))
c.true("touch reject reason", rej[0]["reason"].startswith("bad date"))
c.eq("deal reject", (rej[1]["file"], rej[1]["line"], rej[1]["column"], rej[1]["value"]),
     ("deals.csv", "13", "Amount", "12,50"))
c.true("deal reject reason", rej[1]["reason"].startswith("bad amount"))
c.done()
