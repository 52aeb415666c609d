"""Payee currency per payout period (DESIGN §7b "Payee currency"); the numbers are in NOTES.md."""
import datetime as dt
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, labels, load_values, table  # noqa: E402

out, case, binary = sys.argv[1], sys.argv[2], sys.argv[3]
c = Checker()
rows, _ = table(load_values(os.path.join(out, "payouts-2026-Q3.xlsx"))["Payouts"], "Person ID")
c.eq("Payouts: currency, amount and rate date per payout period",
     [(r["Payout period"], r["Paid in (currency)"], r["Payable in the payee's currency"],
       r["FX rate of (date)"]) for r in rows],
     [("2026-07", "EUR", 100.0, dt.datetime(2026, 7, 31)),
      ("2026-08", "EUR", 160.0, dt.datetime(2026, 8, 31)),
      ("2026-09", "EUR", 80.0, dt.datetime(2026, 9, 30))])
# The Run sheet says in words which day's rate paid them (both workbooks carry it).
PERIOD_END = ("in force on each payout period's last day (as-of when earlier): 2026-07-31, "
              "2026-08-31, 2026-09-30 (payment_fx_date = period_end)")
for book in ("payouts-2026-Q3.xlsx", "attribution-2026-Q3.xlsx"):
    run = labels(load_values(os.path.join(out, book))["Run"])
    c.eq(f"{book} Run sheet: payee currency rates", run.get("Payee currency rates"), PERIOD_END)
with tempfile.TemporaryDirectory() as tmp:
    subprocess.run([binary, "run", "-c", os.path.join(case, "case.ini"), "--set",
                    "run.payment_fx_date=as_of", "--out", tmp], check=True)
    with open(os.path.join(tmp, "payroll-2026-Q3.csv"), encoding="utf-8") as fh:
        c.eq("payment_fx_date = as_of", fh.read().splitlines(),
             ["person_id,name,amount,currency,period,run_id", "P1,Ada,62.50,EUR,2026-07,test-run",
              "P1,Ada,125.00,EUR,2026-08,test-run", "P1,Ada,62.50,EUR,2026-09,test-run"])
    run = labels(load_values(os.path.join(tmp, "payouts-2026-Q3.xlsx"))["Run"])
    c.eq("payment_fx_date = as_of: Run sheet", run.get("Payee currency rates"),
         "in force on as-of, 2026-10-31, for every payout period (payment_fx_date = as_of)")
c.done()
