"""The payouts workbook with its Lines sheet cut at [output] lines_rows_max = 5 (issue 12,
"Workbooks sized for people"), on the demo data. See NOTES.md for what is asserted and why.

Every figure is checked against an independent computation from lines-2026-10.csv (read with the
csv module, amounts as Decimal) and against an uncut run of the same inputs, run here.
"""
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from decimal import Decimal

out, case, binary = sys.argv[1], sys.argv[2], sys.argv[3]
root = os.path.normpath(os.path.join(case, "..", "..", "..", ".."))
lib = os.path.join(root, "tests/e2e/lib")
sys.path.insert(0, lib)
from wb import Checker, cents, labels, load, load_values, table  # noqa: E402

c = Checker()
config = os.path.join(root, "config/sametable.ini")
payouts = os.path.join(out, "payouts-2026-10.xlsx")
lines_csv = os.path.join(out, "lines-2026-10.csv")
CAP = 5


def read_lines(path):
    with open(path, newline="", encoding="utf-8") as fp:
        return list(csv.DictReader(fp))


def dec_cents(s):
    d = Decimal(s) * 100
    assert d == d.to_integral_value(), s
    return int(d)


lines = read_lines(lines_csv)
n = len(lines)
total = sum(dec_cents(r["amount"]) for r in lines)
c.true(f"the demo has more lines than the cap ({n})", n > CAP)
c.eq("every line is in the reporting currency", {r["currency"] for r in lines}, {"USD"})
for r in lines:  # each line's amount is its rounded amount plus its caps
    if dec_cents(r["amount"]) != dec_cents(r["rounded"]) + dec_cents(r["caps"]):
        c.eq(f"amount = rounded + caps for {r['person_id']} {r['deal_id']}", r["amount"],
             f"{r['rounded']} + {r['caps']}")

# The uncut run: same inputs, default lines_rows_max. Cutting the sheet must change no figure.
full = tempfile.mkdtemp(prefix="lines_cap_full.")
p = subprocess.run([binary, "run", "-c", config, "--out", full], capture_output=True, text=True)
c.eq("uncut run exit", p.returncode, 0)
for name in ("lines-2026-10.csv", "payroll-2026-10.csv"):
    with open(os.path.join(out, name), "rb") as a, open(os.path.join(full, name), "rb") as b:
        c.true(f"{name} is the same bytes with and without the cut", a.read() == b.read())

vw = load_values(payouts)
fw = load(payouts)

# Lines: exactly CAP rows, they are the CSV's first CAP lines, the total row adds them, and the
# notes name the file, the number of lines left out and their amount.
rows, tot = table(vw["Lines"], "Person ID")
c.eq("Lines sheet rows", len(rows), CAP)
c.eq("Lines rows are the CSV's first lines",
     [(r["Person ID"], r["Deal ID"] or "", cents(r["Amount (USD)"])) for r in rows],
     [(r["person_id"], r["deal_id"], dec_cents(r["amount"])) for r in lines[:CAP]])
shown = sum(dec_cents(r["amount"]) for r in lines[:CAP])
c.eq("Lines total row adds the lines shown", tot and cents(tot["Amount (USD)"]), shown)
c.eq("Lines total row says so", tot and tot["Name"], f"of the {CAP} lines shown")
texts = [v for row in vw["Lines"].iter_rows(values_only=True) for v in row if isinstance(v, str)]
c.true("note above the header", f"The first {CAP} of {n} lines ([output] lines_rows_max); "
       "every line is in lines-2026-10.csv." in texts)
rest = total - shown
want_more = f"{n - CAP} more lines ({rest // 100:,}.{rest % 100:02d} USD) in lines-2026-10.csv, " \
            "not on this sheet."
c.true(f"note below the total: {want_more}", want_more in texts)

# Components: amounts are values (a SUMIFS over 5 rows would miss lines) and add up, per person
# and payout period, to the CSV's lines; their total is the CSV's total.
crows, ctot = table(vw["Components"], "Person ID")
fr, _ = table(fw["Components"], "Person ID")
c.true("Components amounts are values, not formulas",
       all(not (isinstance(r["Amount (USD)"], str) and r["Amount (USD)"].startswith("="))
           for r in fr))
by_pp = defaultdict(int)
count_pp = defaultdict(int)
for r in lines:
    by_pp[(r["person_id"], r["payout_period"])] += dec_cents(r["amount"])
    count_pp[(r["person_id"], r["payout_period"])] += 1
comp_pp = defaultdict(int)
comp_n = defaultdict(int)
for r in crows:
    comp_pp[(r["Person ID"], r["Payout period"])] += cents(r["Amount (USD)"])
    comp_n[(r["Person ID"], r["Payout period"])] += r["Lines (count)"]
c.eq("Components per person and payout period = the CSV's lines", dict(comp_pp),
     {k: v for k, v in by_pp.items()})
c.eq("Components line counts = the CSV's", dict(comp_n), dict(count_pp))
c.eq("Components total = CSV total", ctot and cents(ctot["Amount (USD)"]), total)

# Components of the uncut run: the same amounts, there as SUMIFS over the complete Lines sheet.
full_rows, _ = table(load_values(os.path.join(full, "payouts-2026-10.xlsx"))["Components"],
                     "Person ID")
c.eq("Components amounts equal the uncut run's",
     [cents(r["Amount (USD)"]) for r in crows], [cents(r["Amount (USD)"]) for r in full_rows])
ff, _ = table(load(os.path.join(full, "payouts-2026-10.xlsx"))["Components"], "Person ID")
c.true("the uncut run's Components are SUMIFS over Lines",
       all(str(r["Amount (USD)"]).startswith("=SUMIFS(Lines!") for r in ff))

# Payouts and Summary: totals equal the CSV's total to the cent.
prow, ptot = table(vw["Payouts"], "Person ID")
c.eq("Payouts earned total = CSV total", ptot and cents(ptot["Earned (USD)"]), total)
s = labels(vw["Summary"])
c.eq("Summary: sum of all payout lines", cents(s["Sum of all payout lines (USD)"]), total)
c.eq("Summary: payout lines (count)", s["Payout lines (count)"], n)
c.eq("Summary: every line is in", s["Every line is in"], "lines-2026-10.csv")
c.eq("Summary: its total", cents(s["Its total (USD)"]), total)
c.eq("Summary: on the Lines sheet", s["On the Lines sheet (count)"], CAP)
stext = [v for row in vw["Summary"].iter_rows(values_only=True) for v in row if isinstance(v, str)]
c.true("Summary says where the other lines are",
       f"The Lines sheet holds the first {CAP} lines ([output] lines_rows_max); the other "
       f"{n - CAP} are in lines-2026-10.csv." in stext)

# Statements: a line amount refers to Lines only where the line is on it (rows 5..9).
refs, values = 0, 0
for ws in fw.worksheets:
    if not ws.title.startswith("St "):
        continue
    for row in ws.iter_rows():
        for cell in row:
            v = cell.value
            if isinstance(v, str) and v.startswith("=Lines!"):
                refs += 1
                m = re.fullmatch(r"=Lines!\$?[A-Z]+\$?(\d+)", v)
                c.true(f"{ws.title}!{cell.coordinate} {v} points at a line shown",
                       m and 5 <= int(m.group(1)) <= 4 + CAP)
c.eq("statement lines referring to Lines", refs, CAP)

# The lines past the cut are left out of the statement sheets, each person's with one note that
# counts them and their amount; together the notes name every line past the cut.
note_re = re.compile(r"^(?:This person's |)(\d+) (?:more |)lines? \(([-0-9,.]+) USD\) (?:is|are) "
                     r"in lines-2026-10\.csv: the Lines sheet holds the first 5$")
notes, left, left_cents, line_rows = 0, 0, 0, 0
for ws in vw.worksheets:
    if not ws.title.startswith("St "):
        continue
    for row in ws.iter_rows(values_only=True):
        for v in row:
            m = note_re.match(v) if isinstance(v, str) else None
            if m:
                notes += 1
                left += int(m.group(1))
                left_cents += dec_cents(m.group(2).replace(",", ""))
past = lines[CAP:]
c.eq("notes of lines left out (one per person with lines past the cut)", notes,
     len({r["person_id"] for r in past}))
c.eq("lines the notes count", left, len(past))
c.eq("amount the notes name", left_cents, sum(dec_cents(r["amount"]) for r in past))

# Per-person statement files keep every line of their person.
st = os.path.join(out, "statements", "2026-10")
per_file = defaultdict(int)
for fn in sorted(os.listdir(st)):
    pid = fn[:-5]
    for ws in load_values(os.path.join(st, fn)).worksheets:
        if "Payout lines" in [r[0] for r in ws.iter_rows(values_only=True)]:
            rows_st, _ = table(ws, "Date")
            per_file[pid] += sum(1 for r in rows_st if r.get("Component"))
want_pp = defaultdict(int)
for r in lines:
    want_pp[r["person_id"]] += 1
c.eq("statement files hold every line of their person", dict(per_file), dict(want_pp))

# LibreOffice recalculates every formula of the cut workbook to its cached value, and sheetcheck
# (headers, every calculation shown — the CSV's included —, attainment, totals) passes.
p = subprocess.run([sys.executable, os.path.join(lib, "recalc.py"), payouts],
                   capture_output=True, text=True)
c.eq("recalc.py on the cut workbook", p.returncode, 0)
if p.returncode:
    print(p.stdout + p.stderr)
p = subprocess.run([sys.executable, os.path.join(lib, "sheetcheck.py"), "--bin", binary,
                    "--config", config, "--run-arg=--set", "--run-arg=output.lines_rows_max=5",
                    "--payouts", payouts, "--attribution",
                    os.path.join(out, "attribution-2026-10.xlsx"), "--statements",
                    os.path.join(out, "statements"), "--lines-csv", lines_csv],
                   capture_output=True, text=True)
c.eq("sheetcheck with --lines-csv", p.returncode, 0)
m = re.search(r"checked a: \d+, b: (\d+)", p.stdout + p.stderr)
c.true(f"sheetcheck read the CSV's calculations too ({m and m.group(0)})",
       m and int(m.group(1)) >= n)
if p.returncode:
    print(p.stdout + p.stderr)
# lines_rows_max = 0: no line on the sheet, the same figures everywhere else.
zero = tempfile.mkdtemp(prefix="lines_cap_zero.")
p = subprocess.run([binary, "run", "-c", config, "--out", zero, "--set",
                    "output.lines_rows_max=0"], capture_output=True, text=True)
c.eq("lines_rows_max=0 run exit", p.returncode, 0)
zw = load_values(os.path.join(zero, "payouts-2026-10.xlsx"))
zrows, ztot = table(zw["Lines"], "Person ID")
c.eq("lines_rows_max=0: no Lines rows", len(zrows), 0)
ztexts = [v for row in zw["Lines"].iter_rows(values_only=True) for v in row if isinstance(v, str)]
c.true("lines_rows_max=0: the sheet says where the lines are",
       f"No line on this sheet ([output] lines_rows_max = 0): all {n} are in lines-2026-10.csv."
       in ztexts)
zc, _ = table(zw["Components"], "Person ID")
c.eq("lines_rows_max=0: Components amounts as with the cut at 5",
     [cents(r["Amount (USD)"]) for r in zc], [cents(r["Amount (USD)"]) for r in crows])
zs = labels(zw["Summary"])
c.eq("lines_rows_max=0: Summary on the Lines sheet", zs["On the Lines sheet (count)"], 0)
c.eq("lines_rows_max=0: Summary its total", cents(zs["Its total (USD)"]), total)
shutil.rmtree(zero, ignore_errors=True)
shutil.rmtree(full, ignore_errors=True)
c.done()
