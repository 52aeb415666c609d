"""A leaver's balance owed: forgiven with forgive_on_leave = yes, carried with no (issue 13).

July: D1 (P1) and D2 (P2), 10,000.00 each → 5% = 500.00 each, paid and closed. August: both are
cancelled within 90 days: each gives back the 500.00 paid → −500.00, payroll 0.00. P1 left on
2026-08-20: with forgive_on_leave = yes the 500.00 P1 owes is forgiven (carried out 0.00,
forgiven 500.00); P2 still works there and carries 500.00. With forgive_on_leave = no P1 carries
500.00 too.
"""
import os
import sys
import tempfile

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from ledgerlib import Sequence  # noqa: E402
from wb import Checker, cents, load_values, table  # noqa: E402

out, case, binary = sys.argv[1], sys.argv[2], sys.argv[3]
c = Checker()
for forgive, p1_out in (("yes", (0, 50000)), ("no", (50000, 0))):
    with tempfile.TemporaryDirectory() as work:
        s = Sequence(binary, case, work)
        setting = ("--set", f"plan.ae.forgive_on_leave={forgive}")
        s.deals("deals_m1.csv")
        p = s.cmd("run", "--period", "2026-07", "--as-of", "2026-07-31", *setting)
        c.eq(f"{forgive}: july", (p.returncode, s.pay("2026-07")), (0, {"P1": 50000, "P2": 50000}))
        c.eq(f"{forgive}: close july",
             s.cmd("close", "--period", "2026-07", "--run", s.run_id("2026-07"),
                   *setting).returncode, 0)
        s.deals("deals_m2.csv")
        p = s.cmd("run", "--period", "2026-08", "--as-of", "2026-08-31", *setting)
        c.eq(f"{forgive}: august", (p.returncode, p.stderr, s.pay("2026-08")),
             (0, "", {"P1": 0, "P2": 0}))
        wb = load_values(os.path.join(s.out, "payouts-2026-08.xlsx"))
        rows, _ = table(wb["Payouts"], "Person ID")
        c.eq(f"{forgive}: Payouts balance carried out",
             [(r["Person ID"], cents(r["Balance owed, carried out (USD)"])) for r in rows],
             [("P1", p1_out[0]), ("P2", 50000)])
        c.eq(f"{forgive}: close august",
             s.cmd("close", "--period", "2026-08", "--run", s.run_id("2026-08"),
                   *setting).returncode, 0)
        c.eq(f"{forgive}: ledger rows (balance out, forgiven)",
             s.q("SELECT r.person, r.balance_out, r.forgiven FROM posted_row r JOIN close c"
                 " ON c.id = r.close_id WHERE c.period = '2026-08' ORDER BY r.person"),
             [("P1", p1_out[0], p1_out[1]), ("P2", 50000, 0)])
c.done()
