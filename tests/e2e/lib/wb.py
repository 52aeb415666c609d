"""Helpers for e2e checks: read sametable workbooks back with openpyxl (Debian's python3)."""
import os
import subprocess
import sys
from decimal import Decimal

import openpyxl


def load(path):
    return openpyxl.load_workbook(path)  # formulas as written, not cached values


def load_values(path):
    return openpyxl.load_workbook(path, data_only=True)  # cached results of formulas


def labels(ws, col=1, value_col=2):
    """Map of the text in column `col` to the cell in `value_col` on the same row."""
    out = {}
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row):
        key = row[col - 1].value
        if isinstance(key, str) and key not in out:
            out[key] = row[value_col - 1].value
    return out


def table(ws, header_first_cell):
    """Rows under the header row whose first cell is `header_first_cell`, as dicts, until a
    blank first cell; returns (rows, total_row_dict_or_None)."""
    rows, header, total = [], None, None
    for r in ws.iter_rows(values_only=True):
        if header is None:
            if r[0] == header_first_cell:
                header = list(r)
            continue
        if r[0] is None:
            break
        d = dict(zip(header, r))
        if r[0] == "Total":
            total = d
            break
        rows.append(d)
    if header is None:
        raise AssertionError(f"no table with header {header_first_cell!r} on {ws.title}")
    return rows, total


def model_rows(ws):
    """The attribution Summary's model table: model name -> its row as a dict."""
    return {r["Model"]: r for r in table(ws, "Model")[0]}


def cents(v):
    """A workbook money value (float of major units) as integer cents, exactly."""
    return int((Decimal(repr(v)) * 100).to_integral_value())


class Checker:
    def __init__(self):
        self.failures = 0

    def eq(self, what, got, want):
        if got != want:
            print(f"FAIL {what}: got {got!r}, want {want!r}")
            self.failures += 1

    def true(self, what, cond):
        if not cond:
            print(f"FAIL {what}")
            self.failures += 1

    def check_command(self, binary, case):
        """`sametable check -c CASE/case.ini` exits 0, prints nothing on stderr, and prints
        exactly CASE/check.stdout (worked out in the case's NOTES.md)."""
        p = subprocess.run([binary, "check", "-c", os.path.join(case, "case.ini")],
                           capture_output=True, text=True, stdin=subprocess.DEVNULL)
        self.eq("check exit", p.returncode, 0)
        self.eq("check stderr", p.stderr, "")
        with open(os.path.join(case, "check.stdout")) as fh:
            self.eq("check stdout", p.stdout, fh.read())

    def done(self):
        if self.failures:
            print(f"{self.failures} check(s) failed")
            sys.exit(1)


BUCKETS = ("Rows read", "Used", "Duplicate", "Filtered", "Unmatched", "Rejected", "Blank lines",
           "Footer lines")


def reconciliation(wb):
    """The Run sheet's row reconciliation: file name -> [rows read, used, duplicate, filtered,
    unmatched, rejected, blank lines, footer lines]."""
    rows, _ = table(wb["Run"], "File")
    return {r["File"]: [r[k] for k in BUCKETS] for r in rows}
