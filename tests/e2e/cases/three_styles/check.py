"""The same logical data exported three ways gives identical attribution and payout numbers.

sametable-gen writes one seed's data as a plain CSV export (ISO dates, '.' decimals), as a
HubSpot export re-saved by US Excel (BOM, CRLF, every field quoted, m/d/yyyy h:mm AM, "$48,000.00")
and as a German Excel export (BOM, CRLF, ';', dd.mm.yyyy hh:mm, "48.000,00 €", currency EUR).
Each is read with its own [format] settings; every number on both Summary sheets, the payroll
amounts and the row reconciliation must agree (the German run reports in EUR, same figures).
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from gendata import ini  # noqa: E402
from wb import Checker, load_values  # noqa: E402

binary = sys.argv[3]
gen = os.path.join(os.path.dirname(binary), "sametable-gen")
c = Checker()

STYLES = {
    "plain": ini("as_of = 2026-10-31\nperiod = 2026-Q3\ncurrency = USD\n",
                 "[format]\ndate_format = iso\n", "7.5%"),
    "hubspot": ini("as_of = 2026-10-31\nperiod = 2026-Q3\ncurrency = USD\n",
                   "[format]\ndate_format = m/d/yyyy\nthousands = ,\n", "7.5%"),
    "german": ini("as_of = 2026-10-31\nperiod = 2026-Q3\ncurrency = EUR\n",
                  "[format]\ndelimiter = \";\"\ndecimal = ,\nthousands = .\n"
                  "date_format = dd.mm.yyyy\n", "7.5%"),
}


def sheet_values(path):
    """Every value of every sheet except text that names the currency or the file paths, and
    the sheets that describe the configuration itself (Run, Plans: INI line numbers differ)."""
    wb = load_values(path)
    out = {}
    for ws in wb.worksheets:
        if ws.title in ("Run", "Plans"):
            continue
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                if isinstance(v, str) and ("USD" in v or "EUR" in v):
                    continue
                out[(ws.title, cell.coordinate)] = v
    return out


def reconciliation(path):
    wb = load_values(path)
    rows = []
    started = False
    for r in wb["Run"].iter_rows(values_only=True):
        if r[0] == "File":
            started = True
            continue
        if started:
            if r[0] is None:
                break
            rows.append((r[0],) + tuple(r[2:10]))
    return rows


with tempfile.TemporaryDirectory() as tmp:
    results = {}
    for style, head in STYLES.items():
        d = os.path.join(tmp, style)
        subprocess.run([gen, "--scale", "0.5", "--seed", "11", "--style", style, "--out", d],
                       check=True)
        with open(os.path.join(d, "case.ini"), "w") as fh:
            fh.write(head)
        out = os.path.join(d, "out")
        p = subprocess.run([binary, "run", "-c", os.path.join(d, "case.ini"), "--out", out],
                           capture_output=True, text=True)
        c.eq(f"{style} exit code (stderr: {p.stderr.strip()[:500]})", p.returncode, 0)
        if p.returncode:
            continue
        with open(os.path.join(out, "payroll-2026-Q3.csv"), encoding="utf-8") as fh:
            payroll = [line.split(",")[:3] for line in fh.read().splitlines()]
        results[style] = {
            "attribution": sheet_values(os.path.join(out, "attribution-2026-Q3.xlsx")),
            "payouts": sheet_values(os.path.join(out, "payouts-2026-Q3.xlsx")),
            "payroll": payroll,
            "rows": reconciliation(os.path.join(out, "attribution-2026-Q3.xlsx")),
        }
    if len(results) == 3:
        base = results["plain"]
        c.true("the quarter has closed-won revenue",
               any(k[0] == "Summary" and isinstance(v, float) and v > 1000
                   for k, v in base["attribution"].items()))
        for style in ("hubspot", "german"):
            for part in ("attribution", "payouts", "payroll", "rows"):
                got, want = results[style][part], base[part]
                if got != want:
                    diff = ([(k, want.get(k), got.get(k)) for k in sorted(set(want) | set(got))
                             if want.get(k) != got.get(k)][:10]
                            if isinstance(want, dict) else (want[:5], got[:5]))
                    c.eq(f"{style} {part} equals plain (first differences {diff})", False, True)
c.done()
