"""A quarter rerun on monthly plans (issue 10 item 3), worked by hand.

AEs have a quarterly quota, are paid monthly, 5% of own revenue up to quota and 10% above it
(marginal, period to date); the manager gets 2% of the team's revenue, paid once a quarter.

P1 Ada, quota 100,000.00 for the quarter, active all of Q3:
  D1 2026-07-10 40,000.00: 0 -> 40,000.00, 40,000.00 × 5% = 2,000.00                 (July)
  D2 2026-08-05 50,000.00: 40,000.00 -> 90,000.00, × 5% = 2,500.00                  (August)
  D4 2026-09-15 20,000.00: 90,000.00 -> 110,000.00 crosses 100,000.00:
     10,000.00 × 5% + 10,000.00 × 10% = 500.00 + 1,000.00 = 1,500.00              (September)
P2 Bo, quota 60,000.00, starts 2026-08-01: active 61 of Q3's 92 days, effective quota
  60,000.00 × 61/92 = 39,782.608695…; no July row (not employed then, no line).
  D3 2026-08-20 30,000.00: 0 -> 30,000.00, × 5% = 1,500.00                          (August)
  D5 2026-09-25 40,000.00: 30,000.00 -> 70,000.00 crosses 39,782.61:
     9,782.608695… × 5% + 30,217.391304… × 10% = 489.130434… + 3,021.739130… = 3,510.869565…
     -> 3,510.87                                                                  (September)
P3 Cy (their manager), 2% of D1..D5 = 2% × 180,000.00 = 3,600.00 in one row, 2026-Q3.
D6 closes in October, outside the run. (A run over 2026-09 pays the manager's whole 2026-Q3
row too: a quarterly plan pays in the run whose period ends its quarter.) Payroll (expected/) has these six rows; this script
checks that the Payouts sheet has the same rows in the same order with the same amounts, that
the Summary says the run spans four payout periods, that Components and attainment agree, and
that each month's own run pays exactly that month's rows (so the quarter file is no new pay).
"""
import csv
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, cents, labels, load_values, table  # noqa: E402

out, case, binary = sys.argv[1], sys.argv[2], sys.argv[3]
c = Checker()


def payroll(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return [(r["person_id"], r["period"], int(round(float(r["amount"]) * 100)))
                for r in csv.DictReader(fh)]


want = [("P1", "2026-07", 200000), ("P1", "2026-08", 250000), ("P1", "2026-09", 150000),
        ("P2", "2026-08", 150000), ("P2", "2026-09", 351087), ("P3", "2026-Q3", 360000)]
got = payroll(os.path.join(out, "payroll-2026-Q3.csv"))
c.eq("payroll rows", got, want)

wb = load_values(os.path.join(out, "payouts-2026-Q3.xlsx"))
rows, total = table(wb["Payouts"], "Person ID")
c.eq("Payouts rows = payroll rows, in order",
     [(r["Person ID"], r["Payout period"], cents(r["Payable (USD)"])) for r in rows], want)
c.eq("Payouts earned = payable (nothing negative)",
     [cents(r["Earned (USD)"]) for r in rows], [w[2] for w in want])
c.eq("Payouts total", cents(total["Payable (USD)"]), sum(w[2] for w in want))
c.eq("headcount counts each person once", [r["Headcount (1 per person)"] for r in rows],
     [1, 0, 0, 1, 0, 1])
# P2 joins on 2026-08-01: August's and September's own-revenue quota are a third of 60,000.00
# each (full months); P1's a third of 100,000.00.
c.eq("own-revenue quota per month",
     [round(r["Own-revenue quota for the payout period (USD)"] or 0, 2) for r in rows],
     [33333.33, 33333.33, 33333.33, 20000.0, 20000.0, 0])
# commission attainment at each month's end: P1 40%, 90%, 110%; P2 30,000 / 39,782.61 and
# 70,000 / 39,782.61 (= 70,000 × 92 / 3,660,000); the manager's override has no quota.
att = [r["commission attainment (%)"] for r in rows]
wants = [0.4, 0.9, 1.1, 30000 * 92 / 3660000, 70000 * 92 / 3660000, None]
c.true(f"commission attainment {att}",
       all((a is None and w is None) or (a is not None and w is not None and abs(a - w) < 1e-12)
           for a, w in zip(att, wants)))

s = labels(wb["Summary"])
c.eq("Summary lists the payout periods", s.get("Payout periods"),
     "2026-07, 2026-08, 2026-09, 2026-Q3")
c.true("Summary says the run spans several payout periods",
       "This run spans 4 payout periods: 2026-07, 2026-08, 2026-09 and 2026-Q3." in s)
trows, ttotal = table(wb["Summary"], "Team")
c.eq("team headcount", [r["Headcount (people)"] for r in trows], [3])
# reps' revenue 180,000.00 against 100,000.00 + 60,000.00 × 61/92: the AEs' quota for Q3 by
# month = 3 × 33,333.33… + 2 × 20,000.00 = 140,000.00
c.eq("reps' revenue", cents(ttotal["Reps' own revenue (USD)"]), 18000000)
c.eq("reps' quota", cents(ttotal["Reps' own-revenue quota for the period (USD)"]), 14000000)

comp, ctotal = table(wb["Components"], "Person ID")
c.eq("Components rows",
     [(r["Person ID"], r["Payout period"], r["Component"], cents(r["Amount (USD)"]))
      for r in comp],
     [("P1", "2026-07", "commission", 200000), ("P1", "2026-08", "commission", 250000),
      ("P1", "2026-09", "commission", 150000), ("P2", "2026-08", "commission", 150000),
      ("P2", "2026-09", "commission", 351087), ("P3", "2026-Q3", "override", 360000)])
lines, _ = table(wb["Lines"], "Person ID")
c.eq("Lines payout period numbers", [(r["Deal ID"], r["Payout period #"]) for r in lines],
     [("D1", 1), ("D2", 2), ("D4", 3), ("D3", 2), ("D5", 3),
      ("D1", 4), ("D2", 4), ("D3", 4), ("D4", 4), ("D5", 4)])

# Each month's own run pays exactly that month's rows, and the run over September (the last
# month of Q3) also the quarterly plan's 2026-Q3 row, whole: the quarter file holds no new pay.
with tempfile.TemporaryDirectory() as tmp:
    for month in ("2026-07", "2026-08", "2026-09"):
        d = os.path.join(tmp, month)
        subprocess.run([binary, "run", "-c", os.path.join(case, "case.ini"), "--period", month,
                        "--out", d], check=True)
        c.eq(f"{month} run = the quarter's {month} rows",
             payroll(os.path.join(d, f"payroll-{month}.csv")),
             [w for w in want if w[1] == month or (month == "2026-09" and w[1] == "2026-Q3")])
        if month == "2026-08":  # the manager is absent, and the Summary says why
            ms = labels(load_values(os.path.join(d, "payouts-2026-08.xlsx"))["Summary"])
            c.true("2026-08 Summary explains the quarterly plan's absence",
                   "1 person is on plans paid per quarter or year: paid by the run whose period "
                   "ends their payout period, not by this one." in ms)
c.done()
