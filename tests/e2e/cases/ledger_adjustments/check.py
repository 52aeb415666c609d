"""Manual adjustments with the ledger (issue 13), worked by hand; deals as in ledger_months.

July (deals_m1, adjustments_m1): A1 +250.00 for P1 in 2026-07 is a line of July: P1 2,000.00 +
250.00 = 2,250.00; A9 (P2, 2026-09) waits for September. July is closed: A1 is recorded as paid.
August (deals_m2, adjustments_m2): A1's amount now reads 300.00: it was paid (250.00) and is not
paid again — the Adjustments sheet says so; A2 −100.00 for P3 dated in the closed July is posted
in August. August: P1 1,500.00; P2 true-ups 100.00 + 500.00 = 600.00; P3 −100.00 → 0.00 paid,
100.00 owed. A9 still waits.
Without the ledger, August's run pays only adjustments of August (none): A2 belongs to July's
run, which has been paid; it is the ledger that carries it into the open period.
"""
import os
import sys
import tempfile

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from ledgerlib import Sequence  # noqa: E402
from wb import Checker, cents, load_values, table  # noqa: E402

out, case, binary = sys.argv[1], sys.argv[2], sys.argv[3]
c = Checker()
with tempfile.TemporaryDirectory() as work:
    s = Sequence(binary, case, work)
    s.deals("deals_m1.csv")
    p = s.run("2026-07", "2026-07-31")
    c.eq("july", (p.returncode, p.stderr, s.pay("2026-07")),
         (0, "", {"P1": 225000, "P2": 50000, "P3": 100000}))
    wb = load_values(os.path.join(s.out, "payouts-2026-07.xlsx"))
    adj, total = table(wb["Adjustments"], "Person ID")
    c.eq("july Adjustments sheet",
         [(a["Person ID"], a["Entry"], cents(a["Amount (USD)"]), a["Explanation"]) for a in adj],
         [("P1", "manual adjustment", 25000,
           "Dispute settled: June renewal credited late (approved by CFO; adjustment A1)")])
    p = s.close("2026-07", s.run_id("2026-07"))
    c.eq("close july", p.returncode, 0)
    c.eq("A1 recorded as paid", s.q("SELECT person, amount, ref, note FROM posted"
                                    " WHERE entry = 'manual'"),
         [("P1", 25000, "A1",
           "Dispute settled: June renewal credited late (approved by CFO; adjustment A1)")])

    s.deals("deals_m2.csv")
    os.replace(os.path.join(s.dir, "adjustments_m2.csv"), os.path.join(s.dir, "adjustments.csv"))
    p = s.run("2026-08", "2026-08-31")
    c.eq("august", (p.returncode, p.stderr, s.pay("2026-08")),
         (0, "", {"P1": 150000, "P2": 60000, "P3": 0}))
    wb = load_values(os.path.join(s.out, "payouts-2026-08.xlsx"))
    adj, _ = table(wb["Adjustments"], "Person ID")
    c.eq("august manual lines",
         [(a["Person ID"], cents(a["Amount (USD)"]), a["Explanation"]) for a in adj
          if a["Entry"] == "manual adjustment"],
         [("P3", -10000, "July expense advance netted (approved by Controller; adjustment A2, "
           "for 2026-07)")])
    cells = [r[0] for r in wb["Adjustments"].iter_rows(values_only=True) if r[0]]
    c.true(f"A1's new amount is shown and not paid: {cells}",
           "adjustment A1 (adjustments.csv line 2) was paid 250.00; the file now says 300.00: it "
           "is not paid again (add a new adjustment for a difference)" in cells)
    p = s.close("2026-08", s.run_id("2026-08"))
    c.eq("close august", p.returncode, 0)
    c.eq("paid adjustments", sorted(s.q("SELECT ref, amount FROM posted WHERE entry = 'manual'")),
         [("A1", 25000), ("A2", -10000)])
    c.eq("P3 owes 100.00", s.rows("2026-08")["P3"], (0, -10000, 0, 0, 10000, 0))
    p = s.run("2026-08", "2026-08-31", ledger=False)
    c.eq("august without the ledger pays no July adjustment", s.pay("2026-08"),
         {"P1": 150000, "P2": 0, "P3": 0})
c.done()
