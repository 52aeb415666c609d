"""Issue 10 item 8 and the Lines part of item 6 on the demo: every calculation on the Lines sheet,
the statements (both layouts) and `explain` reproduces its amount by hand, and every column of
every sheet has a header (sheetcheck.py --checks ab). Then lines
whose text is worked out by hand below, and a self-test: a workbook with one factor or one header
changed must be reported at exactly those cells, so a checker that stopped reading cannot pass.
"""
import os
import re
import subprocess
import sys
import tempfile
import zipfile

out, case, binary = sys.argv[1], sys.argv[2], sys.argv[3]
root = os.path.normpath(os.path.join(case, "..", "..", "..", ".."))
lib = os.path.join(root, "tests/e2e/lib")
sys.path.insert(0, lib)
from wb import Checker, load_values, table  # noqa: E402

c = Checker()
config = os.path.join(root, "config/sametable.ini")
payouts = os.path.join(out, "payouts-2026-10.xlsx")


def sheetcheck(pay, extra=()):
    p = subprocess.run([sys.executable, os.path.join(lib, "sheetcheck.py"), "--bin", binary,
                        "--config", config, "--payouts", pay, "--attribution",
                        os.path.join(out, "attribution-2026-10.xlsx"), "--statements",
                        os.path.join(out, "statements"), "--checks", "ab",
                        "--max-per-group", "100", *extra], capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


rc, log = sheetcheck(payouts)
c.eq("sheetcheck a, b on the demo", rc, 0)
if rc:
    print(log)
m = re.search(r"checked a: (\d+), b: (\d+)", log)
c.true(f"it checked headers and calculations ({m and m.group(0)})",
       m and int(m.group(1)) > 100 and int(m.group(2)) > 150)

# Lines worked by hand (quarterly target 12,500.00, a month gets a third; the company goal is the
# quarterly Quota 2,750,000.00, a month's a third; October's company revenue 559,476.97 and
# first-touch-sourced revenue 420,525.66):
#   559,476.97 × 3 / 2,750,000.00 = 0.61033851…, below 80%: payout = attainment × 50% / 80%
#   = 0.38146157…; 12,500.00 / 3 × 60% = 2,500.00; × 0.38146157… = 953.6539… → 953.65.
#   sourced: 420,525.66 / 250,000.00 = 1.68210264, past the last point (120%) the step curve pays
#   150%; 12,500.00 / 3 × 40% × 150% = 2,500.00 exactly.
#   Wen Fischer's 52,413.76 deal at 6% = 3,144.8256 → 3,144.83; her SPIF 300.00 as configured.
#   A marketing manager's target 5,000.00: 5,000.00 / 3 × 60% = 1,000.00 × 0.38146157… = 381.46.
want = {
    ("005Dn0000000EJN", "company_goal", None):
        "attainment = 559,476.97 ÷ (2,750,000.00 ÷ 3) = 61.033851…%; "
        "payout = attainment × 50% ÷ 80% = 38.146157…%; "
        "interpolated between the curve's points 0%: 0% and 80%: 50%; "
        "target 12,500.00 ÷ 3 × 60% weight × payout = 953.65392613… → 953.65",
    ("005Dn0000000EJN", "sourced_goal", None):
        "attainment = 420,525.66 ÷ 250,000.00 = 168.210264%; payout = 150%; "
        "the curve is flat from its last point, 120%; "
        "target 12,500.00 ÷ 3 × 40% weight × payout → 2,500.00",
    ("005Dn0000000EJO", "company_goal", None):
        "attainment = 559,476.97 ÷ (2,750,000.00 ÷ 3) = 61.033851…%; "
        "payout = attainment × 50% ÷ 80% = 38.146157…%; "
        "interpolated between the curve's points 0%: 0% and 80%: 50%; "
        "target 5,000.00 ÷ 3 × 60% weight × payout = 381.46157045… → 381.46",
    ("005Dn0000000EJ9", "commission", "006Dn000000CAQk"): "52,413.76 × 6% = 3,144.8256 → 3,144.83",
    ("005Dn0000000EJ9", "big_new_logo", "006Dn000000CAQk"):
        "SPIF 300.00 per qualifying deal → 300.00",
    ("005Dn0000000EJJ", "sourced_spif", "006Dn000000CASb"):
        "SPIF 250.00 per qualifying deal → 250.00",
}
pw = load_values(payouts)
rows, total = table(pw["Lines"], "Person ID")
header = [h for h in rows[0].keys() if h]
calc = [h for h in header if h.startswith("Calculation")]
c.eq("one Calculation column", len(calc), 1)
got = {(r["Person ID"], r["Component"], r["Deal ID"]): r[calc[0]] for r in rows}
for key, text in want.items():
    c.eq(f"Lines text {key}", got.get(key), text)
# Item 6: the columns after the calculation are named, and so is every column with its unit.
c.eq("columns after the calculation", header[header.index(calc[0]) + 1:][:2],
     ["Deal amount as written", "Deal currency as written"])
for h in ("Credit (USD)", "Attainment (%)", "Weight (%)", "Amount (USD)", "Slice 1 rate (%)"):
    c.true(f"Lines header {h!r}", h in header)
# A SPIF line measures no attainment: neither quota nor attainment on its row.
spif = [r for r in rows if r["Component"] == "big_new_logo"]
c.true("SPIF lines exist", len(spif) == 5)
c.true("SPIF lines show no attainment", all(r["Attainment (%)"] is None for r in spif))
c.true("SPIF lines show no quota", all(r["Quota or goal (USD)"] is None for r in spif))

# explain prints the same arithmetic, one clause a line.
p = subprocess.run([binary, "explain", "-c", config, "--person", "005Dn0000000EJN"],
                   capture_output=True, text=True)
c.true("explain shows the weighted target",
       "      target 12,500.00 ÷ 3 × 60% weight × payout = 953.65392613… → 953.65\n" in p.stdout)


# Self-test: change one factor of one line (60% weight → 61%) and one header; the checker must
# report exactly the cells that show that text (the Lines row and the statement line) and the
# headerless column, and nothing else.
def mutated(src, dst, subs):
    found = {a: 0 for a, _ in subs}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/sharedStrings.xml" or item.filename.startswith(
                    "xl/worksheets/sheet"):  # shared or inline strings
                text = data.decode()
                for a, b in subs:
                    found[a] += text.count(a)
                    text = text.replace(a, b)
                data = text.encode()
            zout.writestr(item, data)
    for a, _ in subs:
        c.true(f"self-test finds {a!r}", found[a] > 0)


with tempfile.TemporaryDirectory() as tmp:
    bad = os.path.join(tmp, "payouts-2026-10.xlsx")
    mutated(payouts, bad, [("target 12,500.00 ÷ 3 × 60% weight × payout = 953.65392613…",
                            "target 12,500.00 ÷ 3 × 61% weight × payout = 953.65392613…"),
                           ("<t>Deal currency as written</t>", "<t></t>")])
    rc, log = sheetcheck(bad)
    fails = [ln for ln in log.splitlines() if ln.startswith("FAIL")]
    b_cells = sorted({re.match(r"FAIL \(b\) payouts:(.+?): ", ln).group(1)
                      for ln in fails if ln.startswith("FAIL (b)")})
    # where the original shows that text: the Lines row and the statement line (read, not assumed)
    shown = sorted(f"'{ws.title}'!{cell.coordinate}" if " " in ws.title
                   else f"{ws.title}!{cell.coordinate}"
                   for ws in pw.worksheets for row in ws.iter_rows() for cell in row
                   if isinstance(cell.value, str) and "× 60% weight × payout = 953.65" in cell.value)
    c.eq("self-test: the text is on Lines and on one statement", len(shown), 2)
    c.eq("self-test: the changed factor, where it is shown", b_cells, shown)
    a_cols = {re.match(r"FAIL \(a\) payouts:Lines!([A-Z]+)\d+:", ln).group(1)
              for ln in fails if ln.startswith("FAIL (a)")}
    c.eq("self-test: the headerless column", a_cols, {"AH"})
    c.true("self-test: nothing else", all(ln.startswith(("FAIL (a)", "FAIL (b)")) for ln in fails))
    c.eq("self-test exit", rc, 1)
c.done()
