"""Pay on collection with the payout ledger (issue 13): nightly runs and closes over four months,
worked by hand.

Plan ae: 10% of each deal (per deal, monthly), pay_on = booking 50%, payment 50%; a deal
cancelled within 90 days of its close gives back what was paid for it. L is the deal's line at
booking; the booking part is L × 50% on the close day; each payment pays L × 50% × min(1,
collected ÷ deal amount) to date, less what earlier payments paid, on its paid day. A payment
after the deal's cancel day pays nothing: the unpaid part is never payable. PAY-0 names a deal no
file holds (unmatched, pays nothing) in every step.

July (deals_m1, payments_m1), run and closed:
  P1 D1 07-10 10,000.00: L = 1,000.00, booking 500.00
  P2 D2 07-20  4,000.00: L =   400.00, booking 200.00
  P3 D4 07-15 10,000.00: L = 1,000.00, booking 500.00
August (payments_m2): PAY-1 D1 08-12 6,000.00: 1,000.00 × 50% × 6,000 ÷ 10,000 = 300.00 (30% of
  L). P1 300.00, P2 0.00, P3 0.00. July's lines recompute identically: no true-up.
September (deals_m3, payments_m3):
  P1: D3 09-05 20,000.00: L = 2,000.00, booking 1,000.00. D1 cancelled 09-15, 67 days after its
      close, before the rest was paid: gives back what was paid, 500.00 (July) + 300.00
      (August) = −800.00; PAY-3 D1 09-20 4,000.00 comes after the cancellation: nothing.
      P1: 1,000.00 − 800.00 = 200.00.
  P2: D2 cancelled 09-10 before any payment: −200.00 (the booking half); PAY-4 D2 09-25 after
      it: nothing (the unpaid half is never payable). −200.00 → payroll 0.00, balance 200.00.
  P3: PAY-2 D4 09-02 10,000.00 (in full): 500.00, in the open period; D4 cancelled 09-20: gives
      back 500.00 (July, from the ledger) + 500.00 (this period's collection) = −1,000.00.
      P3: 500.00 − 1,000.00 = −500.00 → payroll 0.00, balance 500.00.
October (deals_m4, payments_m4): PAY-5 D2 10-05 0.01 after D2's cancellation: nothing. Nobody
  earns anything: payroll 0.00 each; P2 and P3 keep owing 200.00 and 500.00. No true-up or
  unclosed line ever pays a collection again or the unpaid halves.
"""
import csv
import os
import sys
import tempfile

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from ledgerlib import Sequence  # noqa: E402
from wb import Checker  # noqa: E402

out, case, binary = sys.argv[1], sys.argv[2], sys.argv[3]
c = Checker()


def lines_csv(s, period):
    with open(os.path.join(s.out, f"lines-{period}.csv"), newline="", encoding="utf-8") as fh:
        return [(r["person_id"], r["line"], r["deal_id"], r["posted"], r["amount"],
                 r["calculation"]) for r in csv.DictReader(fh)]


def step(s, period, as_of, deals, payments):
    s.deals(deals)
    s.payments(payments)
    p = s.run(period, as_of)
    c.eq(f"{period} run exit", (p.returncode, p.stderr), (0, ""))
    return p


with tempfile.TemporaryDirectory() as work:
    s = Sequence(binary, case, work)

    # ---- July: booking halves
    step(s, "2026-07", "2026-07-31", "deals_m1.csv", "payments_m1.csv")
    c.eq("july payroll", s.pay("2026-07"), {"P1": 50000, "P2": 20000, "P3": 50000})
    c.eq("july booking line text", [ln for ln in lines_csv(s, "2026-07") if ln[0] == "P1"],
         [("P1", "deal", "D1", "2026-07-10", "500.00",
           "10,000.00 × 10% → 1,000.00; L 1,000.00 × 50% on booking → 500.00")])
    p = s.close("2026-07", s.run_id("2026-07"))
    c.eq("close july", (p.returncode, p.stderr), (0, ""))
    jul = {("P1", "line", "deal", "D1", "2026-07"): 50000,
           ("P2", "line", "deal", "D2", "2026-07"): 20000,
           ("P3", "line", "deal", "D4", "2026-07"): 50000}
    c.eq("july posted", s.posted("2026-07"), jul)

    # ---- August: 60% of D1 collected
    step(s, "2026-08", "2026-08-31", "deals_m2.csv", "payments_m2.csv")
    c.eq("august payroll", s.pay("2026-08"), {"P1": 30000, "P2": 0, "P3": 0})
    c.eq("august lines", lines_csv(s, "2026-08"),
         [("P1", "collection", "D1", "2026-08-12", "300.00",
           "payment 6,000.00: collected 6,000.00 to date of the deal's 10,000.00; L 1,000.00 × "
           "payment 50% × 6,000.00 ÷ 10,000.00 → 300.00; payment PAY-1")])
    p = s.close("2026-08", s.run_id("2026-08"))
    c.eq("close august", (p.returncode, p.stderr), (0, ""))
    c.eq("august posted", s.posted("2026-08"),
         {("P1", "line", "collection", "D1", "2026-08"): 30000})
    # the next night's run of September recomputes August's collection: no true-up
    c.eq("july untouched", s.posted("2026-07"), jul)

    # ---- September: cancellations before the rest is paid
    step(s, "2026-09", "2026-09-30", "deals_m3.csv", "payments_m3.csv")
    c.eq("september payroll", s.pay("2026-09"), {"P1": 20000, "P2": 0, "P3": 0})
    sep_lines = lines_csv(s, "2026-09")
    c.eq("september lines (person, kind, deal, day, amount)", sorted(ln[:5] for ln in sep_lines),
         [("P1", "clawback", "D1", "2026-09-15", "-800.00"),
          ("P1", "deal", "D3", "2026-09-05", "1000.00"),
          ("P2", "clawback", "D2", "2026-09-10", "-200.00"),
          ("P3", "clawback", "D4", "2026-09-20", "-1000.00"),
          ("P3", "collection", "D4", "2026-09-02", "500.00")])
    p = s.close("2026-09", s.run_id("2026-09"))
    c.eq("close september", (p.returncode, p.stderr), (0, ""))
    c.eq("september posted", s.posted("2026-09"),
         {("P1", "line", "deal", "D3", "2026-09"): 100000,
          ("P1", "line", "clawback", "D1", "2026-09"): -80000,
          ("P2", "line", "clawback", "D2", "2026-09"): -20000,
          ("P3", "line", "collection", "D4", "2026-09"): 50000,
          ("P3", "line", "clawback", "D4", "2026-09"): -100000})
    c.eq("september rows (earned, adjustments, balance in, recovered, balance out, payable)",
         s.rows("2026-09"),
         {"P1": (20000, 0, 0, 0, 0, 20000), "P2": (-20000, 0, 0, 0, 20000, 0),
          "P3": (-50000, 0, 0, 0, 50000, 0)})

    # ---- October: payments after the cancellations pay nothing, ever
    step(s, "2026-10", "2026-10-31", "deals_m4.csv", "payments_m4.csv")
    c.eq("october payroll", s.pay("2026-10"), {"P1": 0, "P2": 0, "P3": 0})
    c.eq("october lines", lines_csv(s, "2026-10"), [])
    p = s.close("2026-10", s.run_id("2026-10"))
    c.eq("close october", (p.returncode, p.stderr), (0, ""))
    c.eq("october posted", s.posted("2026-10"), {})
    c.eq("october rows", s.rows("2026-10"),
         {"P1": (0, 0, 0, 0, 0, 0), "P2": (0, 0, 20000, 0, 20000, 0),
          "P3": (0, 0, 50000, 0, 50000, 0)})
    c.eq("paid in all per person", dict(s.q(
        "SELECT r.person, sum(r.payable) FROM posted_row r JOIN close c ON c.id = r.close_id"
        " WHERE c.reopened_at IS NULL GROUP BY r.person")),
         {"P1": 100000, "P2": 20000, "P3": 50000})
c.done()
