"""The ledger turned on in September with a baseline of July and August (issue 13): nothing is
paid twice. Same data as ledger_months.

July and August run without the ledger (stateless): July pays P1 2,000.00, P2 500.00, P3
1,000.00; August pays P1 1,500.00 and P2, P3 0.00 (stateless, August's run does not pay the
late D4 or D2's new amount: they are July's lines). `close --baseline` records both payroll
files. September with the ledger compares each person's recomputed July and August with the
baseline (a payroll file has no lines, so per person and payout period):
  P1: July 2,000.00 = 2,000.00, August 1,500.00 = 1,500.00: nothing again; September D5 7,500.00
      and D1's clawback − 2,000.00 (no per-deal payment known: the line recomputed) → 5,500.00
  P2: July now D2 600.00 + D4 500.00 = 1,100.00, baseline 500.00: true-up + 600.00; D2's
      clawback − 600.00 → 0.00
  P3: 1,000.00 = 1,000.00; D7's clawback − 500.00 → 0.00, 500.00 owed
Without the baseline the same September run pays P1's July and August again as lines no close
has paid ("not closed yet"): P1 2,000.00 + 1,500.00 + 5,500.00 = 9,000.00; P2 600.00 + 500.00
− 600.00 = 500.00; P3 500.00 + 500.00 − 500.00 = 500.00 — why the baseline exists.
"""
import os
import shutil
import sys
import tempfile

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from ledgerlib import Sequence  # noqa: E402
from wb import Checker, load_values, table  # noqa: E402

out, case, binary = sys.argv[1], sys.argv[2], sys.argv[3]
c = Checker()

with tempfile.TemporaryDirectory() as work:
    s = Sequence(binary, case, work)
    s.deals("deals_m1.csv")
    p = s.run("2026-07", "2026-07-31", ledger=False)
    c.eq("july without ledger", (p.returncode, s.pay("2026-07")),
         (0, {"P1": 200000, "P2": 50000, "P3": 100000}))
    jul = s.keep_payroll("2026-07", "paid-07.csv")
    s.deals("deals_m2.csv")
    p = s.run("2026-08", "2026-08-31", ledger=False)
    c.eq("august without ledger", (p.returncode, s.pay("2026-08")),
         (0, {"P1": 150000, "P2": 0, "P3": 0}))
    aug = s.keep_payroll("2026-08", "paid-08.csv")
    c.true("no ledger was written", not os.path.exists(s.db))

    p = s.cmd("close", "--baseline", "2026-08", "--payroll", aug)
    p2 = s.cmd("close", "--baseline", "2026-07", "--payroll", jul)
    c.eq("baseline august then july: july is out of order", (p.returncode, p2.returncode),
         (0, 76))
    p = s.cmd("close", "--reopen", "2026-08", "--reason", "baseline in the wrong order")
    c.eq("reopen the august baseline", p.returncode, 0)
    for period, path in (("2026-07", jul), ("2026-08", aug)):
        p = s.cmd("close", "--baseline", period, "--payroll", path)
        c.eq(f"baseline {period}", (p.returncode, p.stderr), (0, ""))
    c.eq("baseline lines", sorted(s.q(
        "SELECT c.period, p.person, p.entry, p.amount FROM posted p JOIN close c"
        " ON c.id = p.close_id WHERE c.reopened_at IS NULL")),
        [("2026-07", "P1", "baseline", 200000), ("2026-07", "P2", "baseline", 50000),
         ("2026-07", "P3", "baseline", 100000), ("2026-08", "P1", "baseline", 150000),
         ("2026-08", "P2", "baseline", 0), ("2026-08", "P3", "baseline", 0)])

    nobase = os.path.join(work, "nobase.db")  # the same September, the ledger empty
    s.deals("deals_m3.csv")
    p = s.run("2026-09", "2026-09-30")
    c.eq("september with the baseline", (p.returncode, p.stderr, s.pay("2026-09")),
         (0, "", {"P1": 550000, "P2": 0, "P3": 0}))
    wb = load_values(os.path.join(s.out, "payouts-2026-09.xlsx"))
    adj, _ = table(wb["Adjustments"], "Person ID")
    c.eq("september adjustments",
         [(a["Person ID"], a["Entry"], a["About payout period"], a["Explanation"]) for a in adj],
         [("P2", "true-up", "2026-07", "true-up of all lines, 2026-07: paid 500.00, now 1,100.00")])
    shutil.rmtree(s.out)
    p = s.cmd("run", "--period", "2026-09", "--as-of", "2026-09-30", "--set",
              "ledger.path=" + nobase, ledger=False)
    c.eq("september, ledger on without a baseline", (p.returncode, s.pay("2026-09")),
         (0, {"P1": 900000, "P2": 50000, "P3": 50000}))
c.done()
