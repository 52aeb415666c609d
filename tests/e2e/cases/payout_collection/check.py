"""Pay on collection (pay_on = booking 50%, payment 50%), one run over July 2026, worked by hand.

Plan ae: 10% of each deal (per deal), half on booking, half as the customer pays; clawback within
90 days. L is the deal's line as computed at booking; the booking part is L × 50% rounded once;
the payment part C = L − the booking part; after each payment the collection pay to date is
C × min(1, collected ÷ deal amount) rounded once, and the line pays that less what the deal's
earlier payments paid — so the lines add up to C exactly, and the deal to L.

D1 333.33, closed 07-01: L = 33.333 → 33.33; booking 16.665 → 16.67; C = 33.33 − 16.67 = 16.66.
  PAY-1 07-05 111.11: 16.66 × 111.11/333.33 = 5.5533… → 5.55            line 5.55
  PAY-2 07-10 111.11: 16.66 × 222.22/333.33 = 11.1066… → 11.11 − 5.55   line 5.56
  PAY-3 07-15 111.11: collected in full → 16.66 − 11.11                 line 5.55
  D1 pays 16.67 + 5.55 + 5.56 + 5.55 = 33.33 = L (rounding each line alone, 5.55 × 3, would not).
  PAY-8 08-03 is after as-of: filtered.
D2 1,000.00, closed 07-02: L = 100.00; booking 50.00; C = 50.00.
  PAY-4 06-20 400.00, before the close: posted on the close day 07-02: 50 × 0.4 = 20.00
  PAY-5 07-20 −100.00 (a refund): collected 300.00: 15.00 − 20.00              line −5.00
  PAY-6 07-25 900.00: collected 1,200.00 > 1,000.00: min(1, …) = 1: 50.00 − 15.00 = 35.00
  D2 pays 50.00 + 20.00 − 5.00 + 35.00 = 100.00 = L.
D3 2,000.00, closed 07-03, cancelled 07-08: L = 200.00; booking 100.00; clawback −100.00 on
  07-08; PAY-7 07-09 2,000.00 comes after the cancellation: pays nothing (the unpaid half is
  never payable). D3 pays 0.00.
P1 July: 33.33 + 100.00 + 0.00 = 133.33.
"""
import csv
import os
import subprocess
import sys

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker  # noqa: E402

out, case, binary = sys.argv[1], sys.argv[2], sys.argv[3]
c = Checker()


def cents(s):
    neg = s.startswith("-")
    units, _, frac = s.lstrip("-").partition(".")
    v = int(units) * 100 + int((frac + "00")[:2])
    return -v if neg else v


with open(os.path.join(out, "lines-2026-07.csv"), newline="", encoding="utf-8") as fh:
    lines = list(csv.DictReader(fh))
got = [(r["line"], r["deal_id"], r["posted"], cents(r["amount"])) for r in lines]
c.eq("lines", got, [
    ("deal", "D1", "2026-07-01", 1667),
    ("collection", "D1", "2026-07-05", 555),
    ("collection", "D1", "2026-07-10", 556),
    ("collection", "D1", "2026-07-15", 555),
    ("deal", "D2", "2026-07-02", 5000),
    ("collection", "D2", "2026-07-02", 2000),
    ("collection", "D2", "2026-07-20", -500),
    ("collection", "D2", "2026-07-25", 3500),
    ("deal", "D3", "2026-07-03", 10000),
    ("clawback", "D3", "2026-07-08", -10000),
])
per_deal = {}
for r in lines:
    per_deal[r["deal_id"]] = per_deal.get(r["deal_id"], 0) + cents(r["amount"])
c.eq("each deal pays L in all (D3 cancelled: nothing)", per_deal,
     {"D1": 3333, "D2": 10000, "D3": 0})
for r in lines:
    c.eq(f"rounded + caps = amount ({r['line']} {r['deal_id']} {r['posted']})",
         cents(r["rounded"]) + cents(r["caps"]), cents(r["amount"]))
calc = {(r["deal_id"], r["posted"], r["line"]): r["calculation"] for r in lines}
c.eq("booking text", calc[("D2", "2026-07-02", "deal")],
     "1,000.00 × 10% → 100.00; L 100.00 × 50% on booking → 50.00")
c.eq("collection text", calc[("D2", "2026-07-20", "collection")],
     "payment -100.00: collected 300.00 to date of the deal's 1,000.00; L 100.00 × payment 50% × "
     "300.00 ÷ 1,000.00 − 20.00 paid before → -5.00; payment PAY-5")
c.eq("collection text, booking part rounded", calc[("D1", "2026-07-10", "collection")],
     "payment 111.11: collected 222.22 to date of the deal's 333.33; (L 33.33 − 16.67 paid on "
     "booking) × 222.22 ÷ 333.33 − 5.55 paid before = 5.55666666… → 5.56; payment PAY-2")
with open(os.path.join(out, "payroll-2026-07.csv"), newline="", encoding="utf-8") as fh:
    c.eq("payroll", [(r["person_id"], r["amount"]) for r in csv.DictReader(fh)],
         [("P1", "133.33")])
# Every calculation shown (Lines sheet, statements, explain --person) reproduces its amount by
# hand; headers, attainments and totals hold too.
p = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "..", "..", "lib",
                                                 "sheetcheck.py"),
                    "--bin", binary, "--config", os.path.join(case, "case.ini"),
                    "--run-arg=--period", "--run-arg=2026-07",
                    "--payouts", os.path.join(out, "payouts-2026-07.xlsx"),
                    "--statements", os.path.join(out, "statements"), "--checks", "abcd"],
                   capture_output=True, text=True)
c.eq("sheetcheck a-d", (p.returncode, p.stdout.splitlines()[-1:]),
     (0, ["sheetcheck: 0 failures (a: 0, b: 0, c: 0, d: 0)"]))
c.done()
