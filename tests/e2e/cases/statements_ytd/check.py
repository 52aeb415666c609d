"""The statements' "Earned in 2026 to date" is what the year's own run earns: for every person of
the demo's October statements, the year-to-date total equals the sum of that person's rows of
`run --period 2026` (same as-of, 2026-10-31), which an independent run computes month by month.
Marketing's bonuses measure company and sourced revenue, so this also checks that the year's
earlier deals are attributed in the year-to-date run. See NOTES.md."""
import csv
import os
import subprocess
import sys
import tempfile
from decimal import Decimal

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, cents, load_values  # noqa: E402

out, case, binary = sys.argv[1], sys.argv[2], sys.argv[3]
root = os.path.abspath(os.path.join(case, "../../../.."))
c = Checker()
with tempfile.TemporaryDirectory() as year:
    p = subprocess.run([binary, "run", "-c", f"{root}/config/sametable.ini", "--out", year,
                        "--period", "2026"], capture_output=True, text=True)
    c.eq("year run exit", p.returncode, 0)
    earned = {}
    with open(f"{year}/payroll-2026.csv", newline="") as fp:
        rows = list(csv.DictReader(fp))
    for r in rows:
        earned[r["person_id"]] = earned.get(r["person_id"], 0) + int(Decimal(r["amount"]) * 100)
    c.true("no payout period nets negative (payroll = earned)",
           all(Decimal(r["amount"]) >= 0 for r in rows))

st = os.path.join(out, "statements", "2026-10")
files = sorted(os.listdir(st))
c.eq("statement files", len(files), 24)
for f in files:
    pid = f[:-5]
    ws = load_values(os.path.join(st, f))["Statement"]
    total = next(r for r in ws.iter_rows(values_only=True) if r[0] == "Total")
    c.eq(f"{pid}: year to date", cents(total[8]), earned.get(pid, 0))
c.done()
