#!/usr/bin/python3
"""Real-client check: LibreOffice recalculates a workbook and every formula must give the value
the tool cached for it.

    /usr/bin/python3 tests/e2e/lib/recalc.py [-v] [--keep DIR] BOOK.xlsx [BOOK.xlsx ...]

For each workbook: openpyxl reads every cell twice (formulas, then cached values); LibreOffice
(`soffice` headless, a fresh private profile whose registrymodifications.xcu sets
/org.openoffice.Office.Calc/Formula/Load OOXMLRecalcMode = 0, "always recalculate") opens it,
recalculates and exports every sheet to CSV with "save cell contents as shown" off, so numbers come
out raw (15 significant digits); then every formula cell's recalculated value is compared with its
cached value: numbers as numbers (money formats to the cent, |a - b| < 0.005; others to a relative
1e-9), strings exactly. Non-formula cells are compared too, as a check that the CSV lines up with
the workbook. Exit status: 0 all equal, 1 a difference (each one printed as sheet!cell, formula,
cached, recalculated), 2 LibreOffice missing or failing, or nothing to check.

As a module: `check(path)` returns a Result; `check_many(paths)` converts several workbooks with
one LibreOffice start. See RECALC.md beside this file for what was learned about recalculation.
"""
import argparse
import csv
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

# Tokens: 1 separator ',' · 2 text delimiter '"' · 3 UTF-8 · 4 first line · 5 (import only) ·
# 6 language en-US · 7 quote all text cells: no · 8 (import: detect special numbers) ·
# 9 save cell contents as shown: NO (raw values) · 10 export formulas: no · 11 remove spaces: no ·
# 12 sheet to export: -1 = every sheet, one file "<stem>-<sheet name>.csv" each.
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,false,true,false,false,false,-1"

REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>{mode}</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>{mode}</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>en-US</value></prop></item>
<item oor:path="/org.openoffice.Office.Linguistic/General"><prop oor:name="DefaultLocale" oor:op="fuse"><value>en-US</value></prop></item>
</oor:items>
"""

TIMEOUT = int(os.environ.get("RECALC_TIMEOUT", "300"))
MONEY_TOL = 0.005
REL_TOL = 1e-9
ABS_FLOOR = 1e-12  # two results that are both within this of zero are equal


def find_soffice():
    for name in ("soffice", "libreoffice"):
        p = shutil.which(name)
        if p:
            return p
    p = "/usr/lib/libreoffice/program/soffice"
    return p if os.access(p, os.X_OK) else None


def is_money_format(fmt):
    """Money cells are those with a grouped amount format ('#,##0.00;-#,##0.00', '[$$-409]#,##0.00',
    '#,##0' …) and no percent; ratios ('0.00"x"', '0.0%') and General are compared relatively."""
    fmt = fmt or ""
    return ("#,##0" in fmt or "[$" in fmt) and "%" not in fmt


class Difference:
    def __init__(self, sheet, cell, formula, cached, recalculated, why):
        self.sheet, self.cell, self.formula = sheet, cell, formula
        self.cached, self.recalculated, self.why = cached, recalculated, why

    def __str__(self):
        return (f"{self.sheet}!{self.cell}: {self.formula}  cached {self.cached!r}  "
                f"recalculated {self.recalculated!r}  ({self.why})")


class Result:
    def __init__(self, path):
        self.path = path
        self.formulas = {}      # sheet -> formulas checked
        self.differences = []   # Difference, formula cells
        self.misaligned = []    # Difference, constant cells (the CSV does not match the workbook)
        self.errors = []        # LibreOffice or reading failures
        self.seconds = 0.0      # time of the LibreOffice step
        self.shared = 1         # workbooks converted by that one LibreOffice start
        self.max_money_diff = 0.0
        self.max_rel_diff = 0.0

    @property
    def total(self):
        return sum(self.formulas.values())

    @property
    def ok(self):
        return not (self.errors or self.differences or self.misaligned)

    def report(self, out=sys.stdout, verbose=False):
        name = os.path.basename(self.path)
        for e in self.errors:
            print(f"FAIL {name}: {e}", file=out)
        for d in self.differences:
            print(f"DIFF {name}: {d}", file=out)
        for d in self.misaligned[:20]:
            print(f"MISALIGNED {name}: {d}", file=out)
        if len(self.misaligned) > 20:
            print(f"MISALIGNED {name}: … {len(self.misaligned) - 20} more", file=out)
        per = ", ".join(f"{s} {n}" for s, n in self.formulas.items() if n or verbose)
        status = "ok" if self.ok else "FAIL"
        print(f"{status} {name}: {self.total} formulas checked ({per or 'none'}), "
              f"{len(self.differences)} differences, LibreOffice {self.seconds:.1f} s"
              f"{f' (one start for {self.shared} workbooks)' if self.shared > 1 else ''}, "
              f"largest money diff {self.max_money_diff:.3g}, largest relative diff "
              f"{self.max_rel_diff:.3g}", file=out)


# ---------------------------------------------------------------------------------------------
# Reading the workbook


def _formula_text(v):
    if isinstance(v, str):
        return v
    text = getattr(v, "text", None)  # openpyxl ArrayFormula
    return text if isinstance(text, str) else str(v)


_XSTRING_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def decode_xstring(text):
    """Cell text as Excel and LibreOffice show it: ECMA-376 ST_Xstring decodes "_xHHHH_" as one
    character ("_x005F_" is "_"), in one left-to-right pass."""
    return _XSTRING_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def inline_strings(path):
    """Whether the workbook's strings are inline (a streamed book: no shared string table).
    openpyxl 3.0 leaves "_xHHHH_" undecoded in inline strings (in shared ones it only drops
    "x005F_"), so its text of such a book is passed through decode_xstring."""
    with zipfile.ZipFile(path) as z:
        return "xl/sharedStrings.xml" not in z.namelist()


def read_workbook(path):
    """[(sheet title, {(row, col): (formula or None, cached value, number format)})]"""
    inline = inline_strings(path)
    wf = openpyxl.load_workbook(path, read_only=True)
    wv = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheets = []
    try:
        for ws in wf.worksheets:
            cells = {}
            for r, row in enumerate(ws.iter_rows(), 1):
                for c, cell in enumerate(row, 1):
                    v = getattr(cell, "value", None)
                    if v is None:
                        continue
                    is_f = getattr(cell, "data_type", None) == "f"
                    if inline and not is_f and isinstance(v, str):
                        v = decode_xstring(v)
                    cells[(r, c)] = [_formula_text(v) if is_f else None, None,
                                     getattr(cell, "number_format", "General")]
            vs = wv[ws.title]
            for r, row in enumerate(vs.iter_rows(), 1):
                for c, cell in enumerate(row, 1):
                    if (r, c) in cells:
                        v = getattr(cell, "value", None)
                        if inline and cells[(r, c)][0] is None and isinstance(v, str):
                            v = decode_xstring(v)
                        cells[(r, c)][1] = v
            sheets.append((ws.title, cells))
    finally:
        wf.close()
        wv.close()
    return sheets


# ---------------------------------------------------------------------------------------------
# Running LibreOffice


def convert(paths, workdir, soffice=None, recalc=True):
    """Converts each workbook (copied into workdir as b<i>.xlsx) to one CSV per sheet. Returns
    ({i: {sheet title: csv path}}, error text or None, seconds)."""
    soffice = soffice or find_soffice()
    if not soffice:
        return {}, "LibreOffice not found (soffice / libreoffice; Debian: libreoffice-calc-nogui)", 0.0
    profile = os.path.join(workdir, "profile")
    os.makedirs(os.path.join(profile, "user"))
    with open(os.path.join(profile, "user", "registrymodifications.xcu"), "w") as f:
        f.write(REGISTRY.format(mode=0 if recalc else 1))
    inputs = []
    for i, p in enumerate(paths):
        dst = os.path.join(workdir, f"b{i}.xlsx")
        shutil.copyfile(p, dst)
        inputs.append(dst)
    outdir = os.path.join(workdir, "csv")
    env = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8", HOME=workdir, SAL_USE_VCLPLUGIN="svp")
    cmd = [soffice, "-env:UserInstallation=file://" + profile, "--headless", "--invisible",
           "--norestore", "--nolockcheck", "--nodefault", "--nologo",
           "--convert-to", CSV_FILTER, "--outdir", outdir] + inputs
    t0 = time.monotonic()
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=TIMEOUT, env=env, cwd=workdir)
    except subprocess.TimeoutExpired:
        return {}, f"LibreOffice did not finish within {TIMEOUT} s", time.monotonic() - t0
    secs = time.monotonic() - t0
    written = {}
    for line in proc.stdout.splitlines():
        m = re.match(r"Writing sheet (.*) -> (.*)$", line)
        if m:
            mb = re.match(r"b(\d+)-", os.path.basename(m.group(2)))
            if mb:
                written.setdefault(int(mb.group(1)), {})[m.group(1)] = m.group(2)
    err = None
    if proc.returncode != 0:
        err = f"LibreOffice exited {proc.returncode}: {proc.stderr.strip()[-500:]}"
    elif not written:
        err = f"LibreOffice wrote no CSV: {proc.stdout.strip()[-300:]} {proc.stderr.strip()[-300:]}"
    return written, err, secs


# ---------------------------------------------------------------------------------------------
# Comparing

_NUM = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([Ee][-+]?\d+)?$")
_PCT = re.compile(r"^([-+]?(\d+\.?\d*|\.\d+)([Ee][-+]?\d+)?)%$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?)?$")
_US = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2,4})(?: (\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?"
                 r"(?: ?([AP]M))?)?$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?(?: ?([AP]M))?$")


def _serial(y, mo, d, h=0, mi=0, s=0.0, ampm=None):
    h = int(h or 0)
    if ampm == "PM" and h < 12:
        h += 12
    if ampm == "AM" and h == 12:
        h = 0
    base = to_excel(dt.datetime(int(y), int(mo), int(d)))
    return base + (h * 3600 + int(mi or 0) * 60 + float(s or 0)) / 86400.0


def parse_field(text):
    """A CSV field as LibreOffice wrote it: None (empty), bool, float, or the string itself."""
    if text == "":
        return None
    if text in ("TRUE", "FALSE"):
        return text == "TRUE"
    if _NUM.match(text):
        return float(text)
    m = _PCT.match(text)
    if m:
        return float(m.group(1)) / 100.0
    m = _ISO.match(text)
    if m:
        try:
            return _serial(*m.groups())
        except ValueError:
            return text
    m = _US.match(text)
    if m:
        mo, d, y, h, mi, s, ampm = m.groups()
        y = int(y)
        if y < 100:
            y += 2000 if y < 30 else 1900
        try:
            return _serial(y, mo, d, h, mi, s, ampm)
        except ValueError:
            return text
    m = _TIME.match(text)
    if m:
        h, mi, s, ampm = m.groups()
        return _serial(1899, 12, 30, h, mi, s, ampm) - to_excel(dt.datetime(1899, 12, 30))
    return text


def _cached_number(v):
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, dt.datetime):
        return float(to_excel(v))
    if isinstance(v, dt.date):
        return float(to_excel(dt.datetime(v.year, v.month, v.day)))
    if isinstance(v, dt.time):
        return (v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6) / 86400.0
    if isinstance(v, dt.timedelta):
        return v.total_seconds() / 86400.0
    return None


def compare(cached, text, fmt, res=None):
    """None if the recalculated CSV text equals the cached value, else the reason."""
    got = parse_field(text)
    if cached is None or cached == "":
        return None if text == "" else "cached empty"
    if isinstance(cached, bool):
        return None if got is cached else "boolean differs"
    want = _cached_number(cached)
    if want is not None:
        if not isinstance(got, float):
            return "not a number"
        diff = abs(got - want)
        if is_money_format(fmt):
            if res is not None:
                res.max_money_diff = max(res.max_money_diff, diff)
            return None if diff < MONEY_TOL else f"differs by {diff:.6g} (amount format, tolerance 0.005)"
        scale = max(abs(got), abs(want))
        rel = diff / scale if scale else 0.0
        if res is not None and scale > 1e-6:
            res.max_rel_diff = max(res.max_rel_diff, rel)
        if diff <= ABS_FLOOR or rel <= REL_TOL:
            return None
        return f"differs by {diff:.6g} (relative {rel:.3g} > 1e-9)"
    # a string (text result or an error value such as #DIV/0!)
    return None if text == str(cached) else "text differs"


def _load_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def _compare_book(res, sheets, csvs):
    if not sheets:
        res.errors.append("openpyxl found no sheets")
    for title, cells in sheets:
        n = 0
        path = csvs.get(title)
        if path is None or not os.path.exists(path):
            if cells:
                res.errors.append(f"LibreOffice exported no CSV for sheet {title!r}")
            res.formulas[title] = 0
            continue
        rows = _load_csv(path)
        for (r, c), (formula, cached, fmt) in sorted(cells.items()):
            text = rows[r - 1][c - 1] if r <= len(rows) and c <= len(rows[r - 1]) else ""
            coord = f"{get_column_letter(c)}{r}"
            if formula is not None:
                n += 1
                why = compare(cached, text, fmt, res)
                if why:
                    res.differences.append(Difference(title, coord, formula, cached, text, why))
            else:
                why = compare(cached if cached is not None else "", text, fmt)
                if why:
                    res.misaligned.append(Difference(title, coord, "(constant)", cached, text, why))
        res.formulas[title] = n
    if sheets and res.total == 0:
        res.errors.append("no formula found: nothing was checked")


def check_many(paths, soffice=None, keep=None, recalc=True):
    """One Result per workbook; LibreOffice starts once for all of them."""
    results = [Result(p) for p in paths]
    books = []
    for res in results:
        try:
            books.append(read_workbook(res.path))
        except Exception as e:  # noqa: BLE001 — any reading failure fails the check
            res.errors.append(f"openpyxl cannot read it: {e}")
            books.append([])
    readable = [i for i, res in enumerate(results) if not res.errors]
    work = tempfile.mkdtemp(prefix="sametable-recalc.")
    try:
        written, err, secs = {}, None, 0.0
        if readable:
            got, err, secs = convert([paths[i] for i in readable], work, soffice, recalc)
            written = {readable[j]: csvs for j, csvs in got.items()}
        for i, res in enumerate(results):
            if res.errors:
                continue
            res.seconds, res.shared = secs, len(readable)
            if err:
                res.errors.append(err)
                continue
            if i not in written:
                res.errors.append("LibreOffice did not open or convert it")
                continue
            _compare_book(res, books[i], written[i])
    finally:
        if keep:
            shutil.copytree(work, keep, dirs_exist_ok=True)
        shutil.rmtree(work, ignore_errors=True)
    return results


def check(path, soffice=None, keep=None, recalc=True):
    return check_many([path], soffice, keep, recalc)[0]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("books", nargs="+", metavar="BOOK.xlsx")
    ap.add_argument("-v", "--verbose", action="store_true", help="list sheets without formulas too")
    ap.add_argument("--keep", metavar="DIR", help="keep the profile, copies and CSV files in DIR")
    ap.add_argument("--no-recalc", action="store_true",
                    help="profile without OOXMLRecalcMode=0 (shows what LibreOffice does by default)")
    ap.add_argument("--each", action="store_true",
                    help="start LibreOffice once per workbook (per-workbook timing)")
    a = ap.parse_args(argv)
    if not find_soffice():
        print("FAIL LibreOffice not found (soffice / libreoffice; Debian: libreoffice-calc-nogui)")
        return 2
    if a.each:
        results = [check(p, keep=a.keep and os.path.join(a.keep, str(i)), recalc=not a.no_recalc)
                   for i, p in enumerate(a.books)]
    else:
        results = check_many(a.books, keep=a.keep, recalc=not a.no_recalc)
    for res in results:
        res.report(verbose=a.verbose)
    if any(r.errors for r in results):
        return 2
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
