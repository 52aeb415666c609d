"""Leavers and clawbacks (issue 10 item 4), worked by hand.

Plan ae: 10% of own revenue, paid monthly, clawback within 90 days. The run is 2026-10.
  P1 Ada (active): D1 2026-10-12 2,000.00 -> 200.00; D2 closed 2026-09-10 10,000.00 paid
     1,000.00 in September, cancelled 2026-10-05 (25 days) -> clawback -1,000.00 in October.
     October nets 200.00 - 1,000.00 = -800.00: payroll 0.00, to recover 800.00.
  P2 Bo left 2026-09-15; D5 (September) was paid in September and stands: no October line,
     so Bo is in no October file.
  P3 Cy left 2026-09-20; D3 closed 2026-09-01 5,000.00 paid 500.00 in September, cancelled
     2026-10-10 (39 days) -> clawback -500.00: the leaver appears, payroll 0.00, to recover 500.00.
  P4 Di (active): D4 2026-10-20 1,000.00 -> 100.00.
  P5 Ed starts 2026-11-01: not employed in October, no lines, in no October file.
Team Sales: headcount 3 (P1, P3, P4); target incentive for October 3,000.00 × (P1 31/31 +
P3 0/31 + P4 31/31) = 6,000.00; earned 200.00 - 1,000.00 - 500.00 + 100.00 = -1,200.00; to
recover 800.00 + 500.00 = 1,300.00; payable 100.00.
"""
import os
import sys

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, cents, load_values, table  # noqa: E402

out, case, binary = sys.argv[1], sys.argv[2], sys.argv[3]
c = Checker()
wb = load_values(os.path.join(out, "payouts-2026-10.xlsx"))

rows, total = table(wb["Payouts"], "Person ID")
c.eq("Payouts rows: the leaver without lines and the future joiner are absent",
     [r["Person ID"] for r in rows], ["P1", "P3", "P4"])
c.eq("earned / to recover / payable",
     [(cents(r["Earned (USD)"]), cents(r["To recover (USD)"]), cents(r["Payable (USD)"]))
      for r in rows],
     [(-80000, 80000, 0), (-50000, 50000, 0), (10000, 0, 10000)])
c.eq("Payouts totals", (cents(total["Earned (USD)"]), cents(total["To recover (USD)"]),
                        cents(total["Payable (USD)"])), (-120000, 130000, 10000))

teams, ttotal = table(wb["Summary"], "Team")
c.eq("team roll-up",
     [(r["Team"], r["Headcount (people)"], cents(r["Target incentive for the period (USD)"]),
       cents(r["Earned (USD)"]), cents(r["To recover (USD)"]), cents(r["Payable (USD)"]))
      for r in teams],
     [("Sales", 3, 600000, -120000, 130000, 10000)])

# The Summary's to-recover list: person, payout period, amount and cause.
summary = [r for r in wb["Summary"].iter_rows(values_only=True)]
start = next(i for i, r in enumerate(summary) if r[0] == "To recover")
hdr = next(i for i in range(start, len(summary)) if summary[i][0] == "Person ID")
rec = [r[:5] for r in summary[hdr + 1:hdr + 3]]
c.eq("to recover entries", [(r[0], r[1], r[2], cents(r[3])) for r in rec],
     [("P1", "Ada", "2026-10", 80000), ("P3", "Cy", "2026-10", 50000)])
c.eq("P1's cause", rec[0][4],
     "clawback of deal D2 (-1,000.00) against 200.00 of other lines")
c.eq("P3's cause", rec[1][4],
     "clawback of deal D3 (-500.00) against 0.00 of other lines")
c.eq("nothing else after the list", summary[hdr + 3][0] if hdr + 3 < len(summary) else None,
     None)

exc = [r for r in wb["Exceptions"].iter_rows(min_row=2, values_only=True) if r[0]]
c.eq("Exceptions list both shortfalls",
     [(r[0], r[1], r[2], r[3], r[4]) for r in exc],
     [("people.csv", 2, "person_id", "P1",
       "to recover 800.00 USD in payout period 2026-10 (payroll pays 0.00): clawback of deal D2 "
       "(-1,000.00) against 200.00 of other lines"),
      ("people.csv", 4, "person_id", "P3",
       "to recover 500.00 USD in payout period 2026-10 (payroll pays 0.00): clawback of deal D3 "
       "(-500.00) against 0.00 of other lines")])
c.done()
