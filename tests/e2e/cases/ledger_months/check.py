"""Nightly runs and closes over four months with the payout ledger (issue 13), worked by hand.

Plan ae: quarterly quota, paid monthly; full value, period to date: a deal's line is
Pay(after) − Pay(before) with Pay(x) = 5% × x below quota and 10% × x at or above it; a deal
cancelled within 90 days of its close gives back what was paid for it. Quotas (per quarter):
P1 100,000.00, P2 100,000.00, P3 1,000,000.00.

July (deals_m1), run and closed:
  P1 D1 07-10 40,000.00: 0 → 40,000 → 2,000.00
  P2 D2 07-20 10,000.00: 0 → 10,000 → 500.00
  P3 D7 07-01 10,000.00 → 500.00; D8 07-01 10,000.00 (10,000 → 20,000) → 500.00: 1,000.00
August (deals_m2): D2's amount edited to 12,000.00 after July was paid; D4 (P2, 10,000.00) dated
07-25 appears late, in the closed July; D3 (P1, 08-05, 30,000.00).
  P1 D3: 40,000 → 70,000 → 1,500.00
  P2 true-up D2 (2026-07): paid 500.00, now 600.00 → +100.00
     true-up D4 (2026-07): paid 0.00, now (12,000 → 22,000) 500.00 → +500.00    P2: 600.00
  P3 nothing: 0.00. July's posted lines are untouched.
September (deals_m3): D5 (P1, 09-10, 40,000.00) takes P1's quarter to 110,000.00 ≥ quota: full
value: Pay(110,000) − Pay(70,000) = 11,000.00 − 3,500.00 = 7,500.00 (the true-up of July's and
August's deals is in this line; their posted lines are unchanged). D1 cancelled 09-14, 45 days
after July (its month) closed: − what was paid for it, 2,000.00. P1: 5,500.00.
  P2: D2 cancelled 09-20: gives back 500.00 (July) + 100.00 (August's true-up) = 600.00, and
  nothing else → −600.00: payroll 0.00, balance 600.00 carried. No true-up takes D2 back again.
  P3: D7 cancelled 09-29, exactly 90 days after 07-01: − 500.00; D8 cancelled 09-30, 91 days
  after: no clawback. −500.00 → 0.00, balance 500.00.
  Payroll imported the first September run; a second run is closed by mistake: refused (76).
October (deals_m4): D9 (P2, 10-05, 40,000.00): Q4 starts: 5% → 2,000.00; the balance 600.00 is
recovered (recover_share 100%): payroll 1,400.00, balance 0.00. P3 keeps owing 500.00.
P2 was paid 500.00 + 600.00 + 0.00 + 1,400.00 = 2,500.00 in closed periods (history).
Refusals along the way: unknown run, unpublished run (its switch failed), a second close, a close
out of order, a run over a closed period, a reopen of a period that is not the latest.
"""
import os
import subprocess
import sys
import tempfile

LIB = __file__.rsplit("/", 3)[0] + "/lib"
sys.path.insert(0, LIB)
from ledgerlib import Sequence  # noqa: E402
from wb import Checker, load_values, table, cents  # noqa: E402

out, case, binary = sys.argv[1], sys.argv[2], sys.argv[3]
c = Checker()

with tempfile.TemporaryDirectory() as work:
    s = Sequence(binary, case, work)

    # ---- July
    s.deals("deals_m1.csv")
    p = s.run("2026-07", "2026-07-31")
    c.eq("july run exit", (p.returncode, p.stderr), (0, ""))
    c.eq("july payroll", s.pay("2026-07"), {"P1": 200000, "P2": 50000, "P3": 100000})
    r_jul = s.run_id("2026-07")
    c.true(f"run id looks like a run id: {r_jul}", len(r_jul) > 16 and r_jul != "test-run")
    c.eq("the run is recorded, published, not closed",
         s.q("SELECT published_at IS NOT NULL FROM run WHERE run_id = ?", r_jul), [(1,)])
    imported = s.keep_payroll("2026-07", "imported-07.csv")
    p = s.close("2026-07", "no-such-run")
    c.eq("close of an unknown run: 76", p.returncode, 76)
    c.true(f"unknown run message: {p.stderr}", "no run 'no-such-run' in the ledger" in p.stderr)
    p = s.close("2026-07", r_jul, imported)
    c.eq("close july", (p.returncode, p.stderr), (0, ""))
    jul = {("P1", "line", "deal", "D1", "2026-07"): 200000,
           ("P2", "line", "deal", "D2", "2026-07"): 50000,
           ("P3", "line", "deal", "D7", "2026-07"): 50000,
           ("P3", "line", "deal", "D8", "2026-07"): 50000}
    c.eq("july posted", s.posted("2026-07"), jul)
    c.eq("july close row", s.q("SELECT period, run_id, closed_by FROM close"),
         [("2026-07", r_jul, "finance-test")])
    c.eq("inputs fingerprinted", sorted(r[0] for r in s.q(
        "SELECT file FROM run_input WHERE run_id = ? AND length(sha256) = 64 AND size > 0",
        r_jul)), ["campaigns", "deals", "people", "touches"])
    p = s.close("2026-07", r_jul)
    c.eq("second close: 76", p.returncode, 76)
    c.true(f"second close message: {p.stderr}", "2026-07 is already closed" in p.stderr)
    p = s.run("2026-07", "2026-07-31")
    c.eq("run over a closed period: 76", p.returncode, 76)
    c.true("run over a closed period says so", "2026-07 is closed in the ledger" in p.stderr)
    p = s.cmd("run", "--period", "2026-07", "--as-of", "2026-07-31", "--set", "ledger.path=",
              ledger=False)
    c.eq("…and recomputes it without the ledger (--set ledger.path=)", (p.returncode, p.stderr),
         (0, ""))

    # ---- August
    s.deals("deals_m2.csv")
    p = s.run("2026-08", "2026-08-31")
    c.eq("august run exit", (p.returncode, p.stderr), (0, ""))
    c.eq("august payroll", s.pay("2026-08"), {"P1": 150000, "P2": 60000, "P3": 0})
    wb = load_values(os.path.join(s.out, "payouts-2026-08.xlsx"))
    adj, total = table(wb["Adjustments"], "Person ID")
    c.eq("august adjustments",
         [(a["Person ID"], a["Entry"], a["Deal ID"], a["About payout period"],
           cents(a["Amount (USD)"]), a["Explanation"]) for a in adj],
         [("P2", "true-up", "D2", "2026-07", 10000,
           "true-up of deal D2, 2026-07: paid 500.00, now 600.00"),
          ("P2", "true-up", "D4", "2026-07", 50000,
           "true-up of deal D4, 2026-07: paid 0.00, now 500.00")])
    pay_rows, _ = table(wb["Payouts"], "Person ID")
    c.eq("august Payouts: Adjustments column and Payable",
         [(r["Person ID"], cents(r["Adjustments (USD)"]), cents(r["Payable (USD)"]))
          for r in pay_rows], [("P1", 0, 150000), ("P2", 60000, 60000), ("P3", 0, 0)])
    r_aug = s.run_id("2026-08")
    p = s.close("2026-08", r_aug, s.keep_payroll("2026-08", "imported-08.csv"))
    c.eq("close august", (p.returncode, p.stderr), (0, ""))
    c.eq("july untouched by august", s.posted("2026-07"), jul)
    c.eq("august posted", s.posted("2026-08"),
         {("P1", "line", "deal", "D3", "2026-08"): 150000,
          ("P2", "trueup", "deal", "D2", "2026-07"): 10000,
          ("P2", "trueup", "deal", "D4", "2026-07"): 50000})

    # ---- September
    s.deals("deals_m3.csv")
    p = s.run("2026-09", "2026-09-30")
    c.eq("september run exit", (p.returncode, p.stderr), (0, ""))
    c.eq("september payroll", s.pay("2026-09"), {"P1": 550000, "P2": 0, "P3": 0})
    first = s.keep_payroll("2026-09", "imported-09.csv")  # what payroll imported
    r_sep = s.run_id("2026-09")
    p = s.run("2026-09", "2026-09-30")  # the next night's run, not imported
    r_sep2 = s.run_id("2026-09")
    c.true("a second run has another id", r_sep2 != r_sep)
    p = s.close("2026-09", r_sep2, first)
    c.eq("close of a run other than the one payroll imported: 76", p.returncode, 76)
    c.true(f"…names the run in the file: {p.stderr}",
           f"written by run '{r_sep}', not '{r_sep2}'" in p.stderr)
    p = s.close("2026-10", r_sep, first)
    c.eq("close of a run under another period: 76", p.returncode, 76)
    p = s.close("2026-09", r_sep, first)
    c.eq("close september (the imported run)", (p.returncode, p.stderr), (0, ""))
    c.eq("september posted", s.posted("2026-09"),
         {("P1", "line", "deal", "D5", "2026-09"): 750000,
          ("P1", "line", "clawback", "D1", "2026-09"): -200000,
          ("P2", "line", "clawback", "D2", "2026-09"): -60000,
          ("P3", "line", "clawback", "D7", "2026-09"): -50000})
    c.eq("september rows (earned, adjustments, balance in, recovered, balance out, payable)",
         s.rows("2026-09"),
         {"P1": (550000, 0, 0, 0, 0, 550000), "P2": (-60000, 0, 0, 0, 60000, 0),
          "P3": (-50000, 0, 0, 0, 50000, 0)})
    c.eq("july and august untouched", (s.posted("2026-07"), len(s.posted("2026-08"))), (jul, 3))

    # ---- October: a run whose switch fails stays unpublished and cannot be closed
    s.deals("deals_m4.csv")
    blocker = os.path.join(s.out, "payroll-2026-10.csv")
    os.makedirs(blocker)
    p = s.run("2026-10", "2026-10-31")
    c.eq("a run whose switch fails: 74", p.returncode, 74)
    os.rmdir(blocker)
    unpublished = s.q("SELECT run_id FROM run WHERE period = '2026-10' AND published_at IS NULL")
    c.eq("the failed run is in the ledger, unpublished", len(unpublished), 1)
    if unpublished:
        p = s.close("2026-10", unpublished[0][0])
        c.eq("close of an unpublished run: 76", p.returncode, 76)
        c.true("…says it was never published", "was never published" in p.stderr)
    p = s.run("2026-10", "2026-10-31")
    c.eq("october run exit", (p.returncode, p.stderr), (0, ""))
    c.eq("october payroll", s.pay("2026-10"), {"P1": 0, "P2": 140000, "P3": 0})
    wb = load_values(os.path.join(s.out, "payouts-2026-10.xlsx"))
    pay_rows, _ = table(wb["Payouts"], "Person ID")
    c.eq("october Payouts: balance in, recovered, balance out, payable",
         [(r["Person ID"], cents(r["Earned (USD)"]), cents(r["Balance owed, carried in (USD)"]),
           cents(r["Recovered from this payout (USD)"]),
           cents(r["Balance owed, carried out (USD)"]), cents(r["Payable (USD)"]))
          for r in pay_rows],
         [("P1", 0, 0, 0, 0, 0), ("P2", 200000, 60000, 60000, 0, 140000),
          ("P3", 0, 50000, 0, 50000, 0)])
    # LibreOffice recalculates October's workbook and statements (balances, recovery, payable):
    # every formula must give the value sametable cached
    p = s.cmd("run", "--period", "2026-10", "--as-of", "2026-10-31", "--statements",
              os.path.join(s.out, "st"))
    books = [os.path.join(s.out, "payouts-2026-10.xlsx")] + [
        os.path.join(s.out, "st", "2026-10", f"{pid}.xlsx") for pid in ("P1", "P2", "P3")]
    rc = subprocess.run([sys.executable, os.path.join(LIB, "recalc.py"), *books],
                        capture_output=True, text=True)
    c.eq(f"LibreOffice recalculates October's workbooks to their cached values:\n{rc.stdout}",
         rc.returncode, 0)
    r_oct = s.run_id("2026-10")
    # November run before October is closed; closing it first is out of order
    p = s.run("2026-11", "2026-11-30")
    r_nov = s.run_id("2026-11")
    p = s.close("2026-11", r_nov)
    c.eq("close out of order: 76", p.returncode, 76)
    c.true(f"out of order message: {p.stderr}", "close out of order" in p.stderr)
    p = s.close("2026-10", r_oct)
    c.eq("close october", (p.returncode, p.stderr), (0, ""))
    c.eq("october rows", {k: v for k, v in s.rows("2026-10").items() if k != "P1"},
         {"P2": (200000, 0, 60000, 60000, 0, 140000), "P3": (0, 0, 50000, 0, 50000, 0)})

    # ---- reopen: only the latest; recorded with who and why; then closed again
    p = s.cmd("close", "--reopen", "2026-09", "--reason", "typo")
    c.eq("reopen of a period that is not the latest: 76", p.returncode, 76)
    p = s.cmd("close", "--reopen", "2026-10", "--reason", "P3 dispute")
    c.eq("reopen october", (p.returncode, p.stderr), (0, ""))
    c.eq("reopen recorded", s.q("SELECT reopened_by, reopen_reason FROM close"
                                " WHERE period = '2026-10'"), [("finance-test", "P3 dispute")])
    c.eq("events", [r[0] for r in s.q("SELECT action FROM event ORDER BY id")],
         ["close", "close", "close", "close", "reopen"])
    p = s.run("2026-10", "2026-10-31")
    c.eq("a reopened period runs again", (p.returncode, s.pay("2026-10")),
         (0, {"P1": 0, "P2": 140000, "P3": 0}))
    p = s.close("2026-10", s.run_id("2026-10"))
    c.eq("close october again", p.returncode, 0)

    # ---- history, export, backup
    p = s.cmd("history", "--person", "P2")
    c.eq("history exit", p.returncode, 0)
    for want in ("2026-07  closed", "2026-10: earned 2,000.00 + adjustments 0.00 − recovered "
                 "600.00 = payable 1,400.00", "balance owed: 600.00 carried in, 0.00 carried out",
                 "REOPENED",
                 # each line with its arithmetic, as explain shows it
                 "  commission     deal D2                        500.00  10,000.00 × 5% → 500.00",
                 "  commission     trueup D2                      100.00  true-up of deal D2, "
                 "2026-07: paid 500.00, now 600.00 → 100.00",
                 "  commission     clawback D2                   -600.00  cancelled 62 days after "
                 "its close on 2026-07-20 (clawback_days 90); − 600.00 paid for the deal → "
                 "-600.00; what was paid for it (ledger)",
                 "paid to date (closed periods not reopened): 2,500.00"):
        c.true(f"history shows {want!r}:\n{p.stdout}", want in p.stdout)
    export = os.path.join(s.dir, "export.csv")
    p = s.cmd("ledger", "export", export)
    c.eq("export exit", p.returncode, 0)
    with open(export, encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    c.true("export has every posted line", len(lines) == 1 + s.q(
        "SELECT count(*) FROM posted")[0][0])
    c.true("export marks the reopened close", any(",reopened," in ln for ln in lines))
    backup = os.path.join(s.dir, "backup.db")
    p = s.cmd("ledger", "backup", backup)
    c.eq("backup exit", p.returncode, 0)
    import sqlite3
    con = sqlite3.connect(backup)
    c.eq("backup holds the closes", con.execute("SELECT count(*) FROM close").fetchone()[0], 5)
    c.eq("backup is whole", con.execute("PRAGMA integrity_check").fetchone()[0], "ok")
    con.close()
c.done()
