"""A change to a closed period of an earlier plan year is listed on Exceptions, not paid (issue 13).

December 2025: D1 10,000.00 → 5% = 500.00, paid and closed. In January 2026 D1's amount reads
12,000.00 (600.00 now) and D2 (2026-01-10, 10,000.00) → 500.00. The plan year 2026 pays only its
own: January pays 500.00; the 100.00 difference of the closed 2025 is listed on Exceptions and on
the Adjustments sheet, not paid, and no true-up reaches the ledger.
"""
import os
import sys
import tempfile

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from ledgerlib import Sequence  # noqa: E402
from wb import Checker, load_values  # noqa: E402

out, case, binary = sys.argv[1], sys.argv[2], sys.argv[3]
c = Checker()
NOTICE = ("P1: deal D1, 2025-12 (closed, plan year 2025): paid 500.00, now 600.00 — a change "
          "older than the plan year, not paid")
with tempfile.TemporaryDirectory() as work:
    s = Sequence(binary, case, work)
    s.deals("deals_m1.csv")
    p = s.run("2025-12", "2025-12-31")
    c.eq("december 2025", (p.returncode, p.stderr, s.pay("2025-12")), (0, "", {"P1": 50000}))
    c.eq("close december", s.close("2025-12", s.run_id("2025-12")).returncode, 0)
    s.deals("deals_m2.csv")
    p = s.run("2026-01", "2026-01-31")
    c.eq("january 2026 pays its own", (p.returncode, p.stderr, s.pay("2026-01")),
         (0, "", {"P1": 50000}))
    wb = load_values(os.path.join(s.out, "payouts-2026-01.xlsx"))
    exc = [r[4] for r in wb["Exceptions"].iter_rows(values_only=True) if r[0] == "ledger"]
    c.eq("Exceptions lists the old change", exc, [NOTICE])
    cells = [r[0] for r in wb["Adjustments"].iter_rows(values_only=True) if r[0]]
    c.true("the Adjustments sheet lists it as seen and not paid", NOTICE in cells)
    c.eq("close january", s.close("2026-01", s.run_id("2026-01")).returncode, 0)
    c.eq("no true-up posted", s.q("SELECT count(*) FROM posted WHERE entry <> 'line'"), [(0,)])
c.done()
