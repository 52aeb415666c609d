"""Hostile text stays text; sheet names made from hostile team names are legal and unique; the
numbers still add up. Expected values worked by hand from the CSVs in this folder: person Pn
owns deal Dn of n × 100.00, paid 10%, so Pn earns n × 10.00; every team has one person."""
import csv
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, cents, load, load_values, table  # noqa: E402

out, case, binary = sys.argv[1], sys.argv[2], sys.argv[3]
c = Checker()
with open(os.path.join(case, "people.csv"), newline="", encoding="utf-8") as fh:
    people = list(csv.DictReader(fh))
teams = [p["team"] for p in people]

hostile = re.compile(r"^[=+\-@]")
for name in ("attribution-2026-10.xlsx", "payouts-2026-10.xlsx"):
    wb = load(os.path.join(out, name))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                if not isinstance(v, str):
                    continue
                if cell.data_type == "f":
                    # A formula the tool wrote: it refers to cells, never to input text.
                    for t in teams + ["=cmd", "=1+1", "-SUM(A1:A9)", "@channel", "+paid"]:
                        c.true(f"{name} {ws.title}!{cell.coordinate} formula free of {t!r}",
                               t[1:] not in v or not t[1:])
                elif hostile.match(v):
                    c.eq(f"{name} {ws.title}!{cell.coordinate} is text", cell.data_type, "s")
    # Sheet names: at most 31 characters, none of []:*?/\, no apostrophe at either end, not
    # History, unique ignoring case.
    names = wb.sheetnames
    for n in names:
        c.true(f"{name}: sheet name {n!r} is legal",
               len(n) <= 31 and not set(n) & set("[]:*?/\\") and not n.startswith("'")
               and not n.endswith("'") and n.lower() != "history")
    c.eq(f"{name}: sheet names unique ignoring case", len({n.lower() for n in names}),
         len(names))

pw = load_values(os.path.join(out, "payouts-2026-10.xlsx"))
stmt = [n for n in pw.sheetnames if n.startswith("St ")]
c.eq("one statements sheet per team", len(stmt), len(teams))
# The two teams that differ only in case get distinct sheets.
c.true("Sales/East and sales/east both have a sheet",
       "St Sales_East__1___" in stmt and "St sales_east__1___ (2)" in stmt)

# Team totals: the team named "<100" (a SUMIFS criterion if it were used as one) and "*" (a
# wildcard) still get exactly their own person's pay: 8 × 10.00 and 9 × 10.00.
rows, total = table(pw["Summary"], "Team")
by_team = {r["Team"]: r for r in rows}
c.eq("teams listed", len(rows), len(teams))
c.eq("team <100 payout", cents(by_team["<100"]["Earned (USD)"]), 8000)
c.eq("team * payout", cents(by_team["*"]["Earned (USD)"]), 9000)
c.eq("team =HYPERLINK payout", cents(by_team[teams[0]]["Earned (USD)"]), 1000)
c.eq("every team has one person", sorted({r["Headcount (people)"] for r in rows}), [1])
# 10.00 + 20.00 + … + 110.00 = 10.00 × 66 = 660.00
c.eq("Summary total", cents(total["Earned (USD)"]), 66000)
prow, ptotal = table(pw["Payouts"], "Person ID")
c.eq("Payouts total", cents(ptotal["Earned (USD)"]), 66000)
lrows, ltotal = table(pw["Lines"], "Person ID")
c.eq("Lines total", sum(cents(r["Amount (USD)"]) for r in lrows), 66000)
with open(os.path.join(out, "payroll-2026-10.csv"), newline="", encoding="utf-8") as fh:
    payroll = list(csv.DictReader(fh))
c.eq("payroll total", sum(int(round(float(r["amount"]) * 100)) for r in payroll), 66000)
# The payroll CSV neutralises a name that starts like a formula with an apostrophe.
c.true("payroll names neutralised", all(r["name"].startswith("'=") for r in payroll))

# The 40,000-character campaign name is rejected, not cut: campaigns.csv line 3.
with open(os.path.join(out, "rejects-2026-10.csv"), newline="", encoding="utf-8") as fh:
    rejects = list(csv.DictReader(fh))
c.eq("rejected rows", [(r["file"], r["line"], r["column"]) for r in rejects],
     [("campaigns.csv", "3", "name")])
c.true("reason names the limit", "32,767" in rejects[0]["reason"])

# A real spreadsheet recalculates every formula of both workbooks to the values we cached: the
# SUMIFS over team numbers give each hostile team exactly its own pay (make deps installs
# LibreOffice; without it the case fails: nothing is skipped).
lib = __file__.rsplit("/", 3)[0] + "/lib"
c.true("LibreOffice (soffice) is installed", shutil.which("soffice") is not None)
if shutil.which("soffice"):
    r = subprocess.run([sys.executable, os.path.join(lib, "recalc.py")]
                       + [os.path.join(out, f) for f in ("attribution-2026-10.xlsx",
                                                         "payouts-2026-10.xlsx")],
                       capture_output=True, text=True)
    c.eq("LibreOffice recalculation agrees", r.returncode, 0)
    if r.returncode:
        print(r.stdout[-2000:], r.stderr[-2000:])
c.done()
