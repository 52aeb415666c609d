#!/usr/bin/python3
"""sheetcheck — read every sheet of sametable's workbooks as finance would, and fail on what
misleads (issue 10, "Done when").

    sheetcheck.py --bin BIN --config INI [--run-arg ARG]... --payouts P.xlsx
                  [--attribution A.xlsx] [--statements DIR] [--checks abcd]

Four checks, each failure naming the sheet and cell:

(a) headers. Every column with data has a header. A sheet is cut into tables: a header row is a
    row of two or more cells that are all bold text; its table runs down to the next blank row
    (or the next header row). Every non-empty cell inside a table must sit under a non-empty
    header cell (a merged header covers its columns). Outside tables a number, date or formula
    must have a text label to its left on its row ("Sum of all payout lines | 67,304.68").

(b) shown arithmetic. Every calculation shown — the Lines sheet's calculation text, each
    statement line's "How it is computed", every line of `explain --person` — must reproduce its
    amount by hand. The text is read as clauses separated by "; ":
      name = EXPR [= SHOWN]            binds name to the exact value of EXPR
      EXPR [= SHOWN] → RESULT [...]    RESULT must be EXPR rounded half away from zero to the
                                       cent ("(largest remainder)" after it: EXPR rounded down or
                                       up, an allocation's part, DESIGN §5.3)
      anything else                    a note, not arithmetic
    EXPR is numbers (1,234.56, 6%, 17/31), × ÷ / + − -, parentheses and names bound earlier;
    other words are labels and are skipped. A factor written inexactly ("4,166.67" for
    12,500.00 ÷ 3, or anything with "…") is not a factor: "…" may only appear in SHOWN, which
    must be the exact value cut off (or equal when there is no "…"). The last RESULT is the
    line's amount and must equal the amount the sheet (or explain) shows for it. A text with no
    "→" at all (the format before issue 10) is read as one EXPR for the whole amount; a line with
    an amount and no arithmetic fails. explain's lines must also be the Lines sheet's lines (same
    amounts per person).

(c) attainment. An attainment shown on Payouts, Summary or a statement (a column whose header
    says "attainment", percent or not) must equal what `explain --person` prints for that person
    and component: the attainment of the component's last line in the period. The component is
    the one the header or the row's Component column names, else the person's only measured
    component (the Plan, Plans and Run sheets describe configuration and are not read here); a person with several measured components needs one of those. A team or Total
    row (no person) must show either a ratio of two cells of its row (=A/B, =IF(B=0,0,A/B)),
    whose totals (d) checks, or the attainment explain prints for someone in that team (for a
    Total row, anyone).

(d) totals add one kind of figure. A total (SUM, SUBTOTAL, SUMIFS, followed through cell
    references and nested totals down to its leaf cells) may only add leaves of one kind, and
    only of a kind that adds up across people. A leaf's kind is its column's header, with two
    refinements: headers that name a measure map to it (own revenue, team revenue, company
    revenue, sourced revenue, attributed revenue, won deals, target incentive); and a generic
    header (no header, "Attainment", "Attainment measure", "Measure", "Quota", "Goal", "Quota or
    goal") takes its kind per row from that person's measured components as explain prints them
    (quota-like headers as "quota of <measure>"). Kinds that do not add up across people: team,
    company, sourced and attributed revenue (the same deals are counted again for every person
    measured on them), quotas and goals of those, percentages, and a row whose person has
    measured components of several kinds (the cell itself mixes). Everything else adds up
    (payout, target incentive, own revenue and its quota, deals, headcount, and each attribution
    column: credits, spend, touches).

Prints one line per failure ("FAIL (b) Lines!AF96: …"), at most --max-per-group per check, sheet
and column (the rest are counted), and ends with "sheetcheck: N failures (a: .., b: .., c: ..,
d: ..)". Exit 0 when nothing failed, 1 otherwise, 2 on bad usage or unreadable input.
"""
import argparse
import csv
import math
import os
import re
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

import openpyxl
from openpyxl.utils import column_index_from_string, get_column_letter

MEASURES = ("own_revenue", "team_revenue", "company_revenue", "attributed_revenue",
            "sourced_revenue", "won_deals")
NOT_ADDITIVE = {"team_revenue", "company_revenue", "sourced_revenue", "attributed_revenue"}

# ---- (b) the calculation language ------------------------------------------------------------

NUM_RE = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
WORD_RE = re.compile(r"[A-Za-z_][A-Za-z_0-9]*(?:-[A-Za-z_][A-Za-z_0-9]*)*")


class CalcError(Exception):
    pass


def parse_number(text):
    return Fraction(text.replace(",", ""))


def tokenize(expr, names):
    """Numbers (with a following % divided by 100), operators, parentheses and bound names;
    other words are labels and are dropped."""
    toks, i = [], 0
    while i < len(expr):
        ch = expr[i]
        if ch.isspace() or ch in ":'\"":
            i += 1
        elif ch == "…":
            raise CalcError("an inexact factor ('…') inside the arithmetic")
        elif ch.isdigit():
            m = NUM_RE.match(expr, i)
            v = parse_number(m.group(0))
            i = m.end()
            if i < len(expr) and expr[i] == "%":
                v /= 100
                i += 1
            toks.append(("num", v))
        elif ch in "×*":
            toks.append(("op", "*"))
            i += 1
        elif ch in "÷/":
            toks.append(("op", "/"))
            i += 1
        elif ch in "-−":
            toks.append(("op", "-"))
            i += 1
        elif ch == "+":
            toks.append(("op", "+"))
            i += 1
        elif ch in "()":
            toks.append((ch, ch))
            i += 1
        elif ch.isalpha() or ch == "_":
            m = WORD_RE.match(expr, i)
            if m is None:  # a non-ASCII letter: part of a label
                i += 1
                continue
            w = m.group(0)
            i = m.end()
            if w in names:
                toks.append(("num", names[w]))
        elif ch in ",.":
            i += 1  # punctuation of a label ("deal 006…, split")
        else:
            raise CalcError(f"unexpected {ch!r} in the arithmetic")
    # Labels may leave empty parentheses behind ("(interpolated)"): drop them.
    changed = True
    while changed:
        changed = False
        for k in range(len(toks) - 1):
            if toks[k][0] == "(" and toks[k + 1][0] == ")":
                del toks[k:k + 2]
                changed = True
                break
    return toks


def evaluate(expr, names):
    toks = tokenize(expr, names)
    if not any(t[0] == "num" for t in toks):
        raise CalcError("no number in the arithmetic")
    pos = 0

    def peek():
        return toks[pos] if pos < len(toks) else (None, None)

    def take():
        nonlocal pos
        pos += 1
        return toks[pos - 1]

    def primary():
        kind, v = peek()
        if kind == "num":
            take()
            return v
        if kind == "(":
            take()
            x = additive()
            if peek()[0] != ")":
                raise CalcError("unbalanced parentheses")
            take()
            return x
        if kind == "op" and v == "-":
            take()
            return -primary()
        raise CalcError("a number is missing")

    def term():
        x = primary()
        while peek() == ("op", "*") or peek() == ("op", "/") or peek()[0] in ("num", "("):
            if peek()[0] in ("num", "("):
                raise CalcError("two numbers without an operator between them")
            op = take()[1]
            y = primary()
            if op == "*":
                x *= y
            else:
                if y == 0:
                    raise CalcError("division by zero")
                x /= y
        return x

    def additive():
        x = term()
        while peek() in (("op", "+"), ("op", "-")):
            op = take()[1]
            y = term()
            x = x + y if op == "+" else x - y
        return x

    x = additive()
    if pos != len(toks):
        raise CalcError("left over after the arithmetic")
    return x


def round_cents(x):
    """Exact value in major units -> integer cents, half away from zero."""
    a = abs(x) * 100
    n = math.floor(a + Fraction(1, 2))
    return n if x >= 0 else -n


def alloc_cents(x):
    """The two parts an allocation may give: rounded down and up (in magnitude)."""
    a = abs(x) * 100
    lo, hi = math.floor(a), math.ceil(a)
    sign = 1 if x >= 0 else -1
    return {sign * lo, sign * hi}


def fmt_cents(c):
    s = f"{abs(c) // 100:,}.{abs(c) % 100:02d}"
    return "-" + s if c < 0 else s


def check_shown(shown, exact):
    """SHOWN must be the exact value cut off after its digits (with '…') or equal to it."""
    s = shown.strip()
    pct = s.endswith("%")
    if pct:
        s = s[:-1].strip()
        exact = exact * 100
    cut = s.endswith("…")
    if cut:
        s = s[:-1]
    s = s.replace("−", "-")
    if not re.fullmatch(r"-?[\d,]+(\.\d+)?", s):
        return f"the value shown {shown!r} is not a number"
    v = parse_number(s.lstrip("-")) * (-1 if s.startswith("-") else 1)
    if not cut:
        return None if v == exact else f"{shown!r} is not the exact {float(exact):.10g}"
    digits = len(s.split(".")[1]) if "." in s else 0
    scale = 10 ** digits
    trunc = Fraction(math.trunc(exact * scale), scale)
    return None if trunc == v else f"{shown!r} is not {float(exact):.10g} cut off"


RESULT_RE = re.compile(r"^\s*(-|−)?(\d{1,3}(?:,\d{3})*\.\d+|\d+\.\d+)")


def check_calc(text, amount_cents, allow_legacy=True):
    """Problems (a list of strings) with the calculation `text` for a line of `amount_cents`."""
    if text is None or not str(text).strip():
        return ["no calculation shown" + (f" for {fmt_cents(amount_cents)}"
                                          if amount_cents is not None else "")]
    text = str(text)
    clauses = [c for c in text.split("; ")]
    names, problems, last = {}, [], None
    steps = [c for c in clauses if "→" in c]
    if not steps:
        if not allow_legacy:
            return ["no step ('… → amount') in the calculation"]
        # The format before issue 10: the leading arithmetic stands for the whole amount.
        try:
            v = evaluate(clauses[0], {})
        except CalcError as e:
            return [f"no calculation that gives the amount ({e}): {text!r}"]
        got = round_cents(v)
        if amount_cents is not None and got != amount_cents:
            return [f"{clauses[0]!r} gives {fmt_cents(got)} by hand, the line pays "
                    f"{fmt_cents(amount_cents)}"]
        return []
    for c in clauses:
        dm = re.match(r"^\s*([A-Za-z_][A-Za-z_0-9]*) = (.*)$", c)
        if "→" not in c and dm:
            parts = dm.group(2).split(" = ")
            try:
                v = evaluate(parts[0], names)
            except CalcError as e:
                problems.append(f"{c!r}: {e}")
                continue
            if len(parts) > 1:
                bad = check_shown(parts[-1], v)
                if bad:
                    problems.append(f"{c!r}: {bad}")
            names[dm.group(1)] = v
            continue
        if "→" not in c:
            continue  # a note
        lhs, rhs = c.rsplit("→", 1)
        parts = lhs.split(" = ")
        m = RESULT_RE.match(rhs)
        if not m:
            problems.append(f"{c!r}: no amount after '→'")
            continue
        res = parse_number(m.group(2))
        res_c = round_cents(-res if m.group(1) else res)
        try:
            v = evaluate(parts[0], names)
        except CalcError as e:
            problems.append(f"{c!r}: {e}")
            last = res_c
            continue
        if len(parts) > 1:
            bad = check_shown(parts[-1], v)
            if bad:
                problems.append(f"{c!r}: {bad}")
        ok = alloc_cents(v) if "largest remainder" in rhs else {round_cents(v)}
        if res_c not in ok:
            problems.append(f"{c!r}: by hand {parts[0].strip()} = {float(v):.10g}, which "
                            f"rounds to {fmt_cents(round_cents(v))}, not {fmt_cents(res_c)}")
        last = res_c
    if last is not None and amount_cents is not None and last != amount_cents:
        problems.append(f"the calculation ends at {fmt_cents(last)}, the line pays "
                        f"{fmt_cents(amount_cents)}")
    return problems


# ---- workbook reading ------------------------------------------------------------------------

def cents_of(v):
    if v is None or isinstance(v, str):
        return None
    return round_cents(Fraction(repr(float(v))))


def is_blank(v):
    return v is None or (isinstance(v, str) and not v.strip())


def is_header_row(cells):
    vals = [c for c in cells if not is_blank(c.value)]
    return len(vals) >= 2 and all(isinstance(c.value, str) and not c.value.startswith("=")
                                  and c.font is not None and c.font.b for c in vals)


class Table:
    def __init__(self, ws, header_row, first, last, headers):
        self.ws, self.header_row, self.first, self.last = ws, header_row, first, last
        self.headers = headers  # column index (1-based) -> header text

    def col(self, *names, contains=False):
        for c, h in self.headers.items():
            hl = h.lower()
            for n in names:
                if (contains and n.lower() in hl) or (not contains and hl == n.lower()):
                    return c
        return None


def sheet_tables(ws):
    """The sheet's tables (header row + rows to the next blank or header row)."""
    rows = list(ws.iter_rows(min_row=1, max_row=ws.max_row))
    merged = [m for m in ws.merged_cells.ranges]
    tables, r = [], 0
    while r < len(rows):
        if is_header_row(rows[r]):
            hr = r + 1
            headers = {}
            for c in rows[r]:
                if not is_blank(c.value):
                    headers[c.column] = str(c.value).strip()
            for m in merged:
                if m.min_row == hr and m.min_col in headers:
                    for cc in range(m.min_col, m.max_col + 1):
                        headers.setdefault(cc, headers[m.min_col])
            end = r + 1
            while end < len(rows) and not all(is_blank(c.value) for c in rows[end]) \
                    and not is_header_row(rows[end]):
                end += 1
            tables.append(Table(ws, hr, hr + 1, end, headers))
            r = end
        else:
            r += 1
    return tables


def table_of(tables, row):
    for t in tables:
        if t.first <= row <= t.last:
            return t
    return None


class Book:
    def __init__(self, path, label):
        self.path, self.label = path, label
        self.f = openpyxl.load_workbook(path)  # formulas
        self.v = openpyxl.load_workbook(path, data_only=True)  # cached values
        self.tables = {ws.title: sheet_tables(ws) for ws in self.f.worksheets}
        self._max_col = {}
        self._vs = {ws.title: ws for ws in self.v.worksheets}
        self._fs = {ws.title: ws for ws in self.f.worksheets}
        self.leaf_memo = {}  # (sheet, row, col) -> the leaves of that cell (check d)
        self.crit_index = {}  # a SUMIFS criteria range -> {value: [positions]} (check d)

    def max_col(self, sheet):
        """The sheet's last column (openpyxl counts it again on every ask: remembered)."""
        if sheet not in self._max_col:
            self._max_col[sheet] = self.v[sheet].max_column
        return self._max_col[sheet]

    def value(self, sheet, row, col):
        c = self._vs[sheet]._cells.get((row, col))  # no cell is created by looking
        return c.value if c is not None else None

    def formula(self, sheet, row, col):
        c = self._fs[sheet]._cells.get((row, col))
        return c.value if c is not None else None


# ---- failures --------------------------------------------------------------------------------

class Report:
    def __init__(self, max_per_group):
        self.max = max_per_group
        self.groups = defaultdict(list)
        self.order = []
        self.checked = defaultdict(int)  # per check: how many things it looked at

    def fail(self, check, where, group, msg):
        key = (check, group)
        if key not in self.groups:
            self.order.append(key)
        self.groups[key].append(f"FAIL ({check}) {where}: {msg}")

    def count(self, check=None):
        return sum(len(v) for k, v in self.groups.items() if check is None or k[0] == check)

    def print(self):
        for key in self.order:
            lines = self.groups[key]
            for ln in lines[:self.max]:
                print(ln)
            if len(lines) > self.max:
                print(f"     … and {len(lines) - self.max} more like it ({key[0]}, {key[1]})")
        seen = ", ".join(f"{c}: {self.checked[c]}" for c in "abcd")
        print(f"sheetcheck: checked {seen} (columns, calculations, attainments, totals)")
        per = ", ".join(f"{c}: {self.count(c)}" for c in "abcd")
        print(f"sheetcheck: {self.count()} failures ({per})")


def where(book, sheet, row, col):
    name = f"'{sheet}'" if re.search(r"[^A-Za-z0-9_]", sheet) else sheet
    return f"{book.label}:{name}!{get_column_letter(col)}{row}"


# ---- (a) headers -----------------------------------------------------------------------------

def check_headers(book, rep, skip):
    for ws in book.f.worksheets:
        if (book.label, ws.title) in skip:
            continue
        tables = book.tables[ws.title]
        rep.checked["a"] += sum(len(t.headers) for t in tables)
        for row in ws.iter_rows(min_row=1, max_row=ws.max_row):
            r = row[0].row
            t = table_of(tables, r)
            for c in row:
                if is_blank(c.value):
                    continue
                if t is not None:
                    if c.column not in t.headers:
                        rep.fail("a", where(book, ws.title, r, c.column),
                                 (book.label, ws.title, get_column_letter(c.column)),
                                 f"column {get_column_letter(c.column)} has data but no header "
                                 f"(header row {t.header_row})")
                    continue
                if isinstance(c.value, str) and not c.value.startswith("="):
                    continue
                label = any(isinstance(x.value, str) and not x.value.startswith("=")
                            and x.value.strip() for x in row[:c.column - 1])
                if not label:
                    rep.fail("a", where(book, ws.title, r, c.column),
                             (book.label, ws.title, get_column_letter(c.column)),
                             "a figure with neither a header above nor a label to its left")


# ---- explain ---------------------------------------------------------------------------------

BLOCK_RE = re.compile(r"^  (\d{4}-\d{2}-\d{2})  (\S+)(?: deal (\S+))?(?: \(([^)]*)\))? "
                      r"\[([^,\]]*), version ([^\]]*)\]\s*$")
PAYS_RE = re.compile(r"pays (-?[\d,]+\.\d+)")
ATT_NEW_RE = re.compile(r"^\s*attainment = (.*?)(?: = (-?[\d,.]+…?%))?\s*$")
ATT_OLD_RE = re.compile(r"attainment (-?[\d,.]+)%")


class Person:
    def __init__(self, pid):
        self.id, self.team, self.lines, self.text = pid, None, [], ""
        self.measures = {}  # component -> measure
        self.attainment = {}  # component -> Fraction (the last line's)


def run_explain(args, pid):
    cmd = [args.bin, "explain", "-c", args.config] + args.run_arg + ["--person", pid]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"sheetcheck: {' '.join(cmd)} exited {p.returncode}: {p.stderr.strip()}")
    return p.stdout


def parse_explain(pid, text):
    P = Person(pid)
    P.text = text
    lines = text.splitlines()
    if lines:
        m = re.match(r"^\S+ .*? \(([^,]*), [^)]*\), plan ", lines[0])
        if m:
            P.team = m.group(1)
    cur = None
    for ln in lines[1:]:
        m = BLOCK_RE.match(ln)
        if m:
            cur = {"date": m.group(1), "component": m.group(2), "deal": m.group(3),
                   "kind": m.group(4) or "deal",
                   "body": [], "pays": None, "header": ln}
            P.lines.append(cur)
            continue
        if cur is None or not ln.startswith("      "):
            cur = None if not ln.startswith("      ") else cur
            continue
        body = ln.strip()
        cur["body"].append(body)
        pm = PAYS_RE.search(body)
        if pm and (body.startswith("pays") or "=> pays" in body):
            cur["pays"] = round_cents(parse_number(pm.group(1).lstrip("-"))) * \
                (-1 if pm.group(1).startswith("-") else 1)
        mm = re.match(r"^(" + "|".join(MEASURES) + r")\b", body)
        if mm:
            P.measures[cur["component"]] = mm.group(1)
    for L in P.lines:  # the component's attainment: its last line that shows one
        att = None
        names = {}
        for b in L["body"]:
            for clause in b.split("; "):
                dm = re.match(r"^\s*([A-Za-z_][A-Za-z_0-9]*) = (.*?)(?: = [^=]*)?$", clause)
                if dm and "→" not in clause:
                    try:
                        names[dm.group(1)] = evaluate(dm.group(2), names)
                    except CalcError:
                        pass
            mo = ATT_OLD_RE.search(b)
            if mo and "attainment =" not in b:
                att = Fraction(mo.group(1).replace(",", "")) / 100
        if "attainment" in names:
            att = names["attainment"]
        L["attainment"] = att
        if att is not None:
            P.attainment[L["component"]] = att
    return P


def explain_calc_text(L):
    """An explain line's arithmetic as one calculation text (clauses joined by '; ')."""
    body = [b for b in L["body"] if not PAYS_RE.match(b) and not b.startswith("pays ")]
    if any("→" in b for b in body) or any(re.match(r"^[A-Za-z_]\w* = ", b) for b in body):
        return "; ".join(body)
    for b in body:  # before issue 10: "slices EXPR"
        if b.startswith("slices "):
            return b[len("slices "):]
    return ""


def check_explain(people, rep, lines_by_person):
    for P in people.values():
        for L in P.lines:
            text = explain_calc_text(L)
            rep.checked["b"] += 1
            w = f"explain --person {P.id}: {L['header'].strip()}"
            for p in check_calc(text, L["pays"]):
                rep.fail("b", w, ("explain", L["component"]), p)
        for ln in P.text.splitlines():  # "Paid in EUR: 9,105.89 USD ÷ 1.083769 rate → …"
            if ln.startswith("Paid in") and "→" in ln:
                rep.checked["b"] += 1
                for p in check_calc(ln, None):
                    rep.fail("b", f"explain --person {P.id}", ("explain", "paid in"), p)
        if P.id in lines_by_person:
            mine = sorted(L["pays"] for L in P.lines if L["pays"] is not None)
            theirs = sorted(lines_by_person[P.id])
            if mine != theirs:
                rep.fail("b", f"explain --person {P.id}", ("explain", "lines"),
                         f"explain shows {len(mine)} lines totalling {fmt_cents(sum(mine))}, the "
                         f"Lines sheet {len(theirs)} totalling {fmt_cents(sum(theirs))}")


# ---- (b) Lines and statements ----------------------------------------------------------------

CALC_HEADERS = ("calculation", "how it is computed", "note")


def row_is_total(book, sheet, r):
    """A total row: a cell of it says "Total" (first column on most sheets, the text column on
    statements)."""
    ws = book.v[sheet]
    for c in range(1, min(book.max_col(sheet), 12) + 1):
        v = ws.cell(row=r, column=c).value
        if isinstance(v, str) and v.strip().lower() == "total":
            return True
    return False


def calc_column(t):
    """The column of calculation text: its header is (or starts with) "Calculation", "How it is
    computed" or, before issue 10, "Note"."""
    for name in CALC_HEADERS:
        for c, h in t.headers.items():
            hl = h.lower()
            if hl == name or hl.startswith(name + " "):
                return c
    return None


def amount_column(t):
    for c, h in t.headers.items():
        hl = h.lower()
        if hl == "amount" or hl.startswith("amount ("):
            return c
    return None


def check_line_texts(book, rep, sheet_filter, lines_by_person=None, skip=()):
    for ws in book.f.worksheets:
        if not sheet_filter(ws.title) or (book.label, ws.title) in skip:
            continue
        for t in book.tables[ws.title]:
            tc, ac = calc_column(t), amount_column(t)
            cc = t.col("Component")
            if ac and cc and t.col("Deal ID") and not tc:  # payout lines without arithmetic
                rep.fail("b", where(book, ws.title, t.header_row, ac), (book.label, ws.title),
                         "payout lines (Component, Deal ID, Amount) without a calculation column")
            if not tc or not ac:
                continue
            pc = t.col("Person ID")
            for r in range(t.first, t.last + 1):
                if row_is_total(book, ws.title, r):
                    continue
                amt = cents_of(book.value(ws.title, r, ac))
                text = book.value(ws.title, r, tc)
                if cc and is_blank(book.value(ws.title, r, cc)):
                    amt = None  # not a payout line: a subtotal ("Earned in 2026-10") or a note
                if amt is None and is_blank(text):
                    continue
                if amt is None:
                    # a note row ("No payout lines in the period.", "Paid in EUR: … → …"): its
                    # steps must still hold
                    if isinstance(text, str) and "→" in text:
                        for p in check_calc(text, None):
                            rep.fail("b", where(book, ws.title, r, tc), (book.label, ws.title), p)
                    continue
                if lines_by_person is not None and pc:
                    lines_by_person[book.value(ws.title, r, pc)].append(amt)
                rep.checked["b"] += 1
                for p in check_calc(text, amt):
                    rep.fail("b", where(book, ws.title, r, tc), (book.label, ws.title), p)


def check_lines_csv(path, rep):
    """Every line of lines-<period>.csv: its calculation must reproduce its amount. Returns the
    amounts (cents) per person, for the comparison with explain."""
    by_person = defaultdict(list)
    with open(path, newline="", encoding="utf-8") as fp:
        for i, row in enumerate(csv.DictReader(fp), start=2):
            amt = int(Decimal(row["amount"]) * 100)
            by_person[row["person_id"]].append(amt)
            rep.checked["b"] += 1
            for p in check_calc(row["calculation"], amt):
                rep.fail("b", f"{os.path.basename(path)}:{i}", ("lines csv", "calculation"), p)
    return by_person


# ---- (c) attainment --------------------------------------------------------------------------

def person_col(t):
    return t.col("Person ID", "Employee ID", "ID")


def cell_component(book, t, r, c, P):
    """The component an attainment cell belongs to, or (None, why)."""
    h = t.headers.get(c, "")
    comps = list(P.measures.keys()) if P else []
    for comp in comps:
        if re.search(r"(^|[^A-Za-z0-9_])" + re.escape(comp) + r"($|[^A-Za-z0-9_])", h):
            return comp, None
    cc = t.col("Component")
    if cc:
        v = book.value(t.ws.title, r, cc)
        if isinstance(v, str) and v in comps:
            return v, None
    if len(comps) == 1:
        return comps[0], None
    if not comps:
        return None, "the person has no measured component in the period"
    return None, (f"the person has several measured components ({', '.join(comps)}) and "
                  f"the column does not say which")


def pct(x):
    return f"{float(x) * 100:.6f}%"


def close(sheet_value, exact):
    return abs(Fraction(repr(float(sheet_value))) - exact) <= Fraction(1, 10 ** 7)


def check_line_attainment(book, rep, people):
    """Lines: each line's attainment is the one explain prints for that line (none for a SPIF)."""
    if "Lines" not in book.f.sheetnames:
        return
    for t in book.tables["Lines"]:
        pc, cc, dc, kc = t.col("Person ID"), t.col("Component"), t.col("Deal ID"), t.col("Line")
        postc = t.col("Posted", "Date")
        acs = [c for c, h in t.headers.items() if "attainment" in h.lower()
               and "measure" not in h.lower() and "period" not in h.lower()]
        if not (pc and cc and postc and acs):
            continue
        for r in range(t.first, t.last + 1):
            P = people.get(book.value("Lines", r, pc))
            if P is None:
                continue
            comp, deal = book.value("Lines", r, cc), book.value("Lines", r, dc) if dc else None
            kind = book.value("Lines", r, kc) if kc else "deal"
            posted = book.value("Lines", r, postc)
            day = posted.strftime("%Y-%m-%d") if hasattr(posted, "strftime") else str(posted)
            match = [L for L in P.lines if L["component"] == comp and (L["deal"] or None) ==
                     (deal or None) and L["kind"] == kind and L["date"] == day]
            for c in acs:
                v = book.value("Lines", r, c)
                if v is None or isinstance(v, str):
                    continue
                rep.checked["c"] += 1
                w = where(book, "Lines", r, c)
                grp = (book.label, "Lines", get_column_letter(c))
                if not match:
                    rep.fail("c", w, grp, f"{P.id} {comp} {deal or ''} {day}: no such line in "
                                          f"explain")
                elif match[-1]["attainment"] is None:
                    rep.fail("c", w, grp, f"{P.id} {comp} {kind} {deal or ''}: shows {pct(v)}; "
                                          f"explain prints no attainment for this line")
                elif not close(v, match[-1]["attainment"]):
                    rep.fail("c", w, grp, f"{P.id} {comp} {deal or ''}: shows {pct(v)}, explain "
                                          f"prints {pct(match[-1]['attainment'])}")


CONFIG_SHEETS = ("Plan", "Plans", "Run")  # configuration: a curve's "Attainment" is a point


def check_attainment(book, rep, people, person_of_block=None, skip=()):
    for ws in book.f.worksheets:
        if ws.title in ("Lines",) + CONFIG_SHEETS or (book.label, ws.title) in skip:
            continue  # Lines: per line, check_line_attainment
        for t in book.tables[ws.title]:
            att_cols = [c for c, h in t.headers.items() if "attainment" in h.lower()
                        and "measure" not in h.lower() and "period" not in h.lower()]
            if not att_cols:
                continue
            pc, tc = person_col(t), t.col("Team")
            for r in range(t.first, t.last + 1):
                pid = book.value(ws.title, r, pc) if pc else None
                if pid is None and person_of_block is not None:
                    pid = person_of_block(ws.title, r)
                first = book.value(ws.title, r, 1)
                is_total = isinstance(first, str) and first.strip().lower() == "total"
                for c in att_cols:
                    v = book.value(ws.title, r, c)
                    if v is None or isinstance(v, str):
                        continue
                    rep.checked["c"] += 1
                    w = where(book, ws.title, r, c)
                    grp = (book.label, ws.title, get_column_letter(c))
                    if pid in people:
                        P = people[pid]
                        comp, why = cell_component(book, t, r, c, P)
                        if comp is None:
                            if v != 0 or P.attainment:
                                rep.fail("c", w, grp, f"{pid}: shows {pct(v)} but {why}")
                            continue
                        want = P.attainment.get(comp)
                        if want is None:
                            rep.fail("c", w, grp, f"{pid} {comp}: shows {pct(v)}; explain "
                                                  f"prints no attainment for it")
                        elif not close(v, want):
                            rep.fail("c", w, grp, f"{pid} {comp}: shows {pct(v)}, explain "
                                                  f"prints {pct(want)}")
                        continue
                    # A team row or the total: a ratio of two totals on its row (whose kinds (d)
                    # checks), or someone's attainment as explain prints it.
                    team = book.value(ws.title, r, tc) if tc else None
                    if team is None and not is_total:
                        continue
                    if RATIO_RE.match(str(book.formula(ws.title, r, c) or "")):
                        continue
                    cands = [(P.id, comp, a) for P in people.values()
                             if is_total or P.team == team for comp, a in P.attainment.items()]
                    if not any(close(v, a) for _, _, a in cands):
                        whose = "anyone's" if is_total else f"anyone's in team {team!r}"
                        rep.fail("c", w, grp, f"{'Total' if is_total else team}: shows "
                                              f"{pct(v)}, which is not {whose} attainment as "
                                              f"explain prints it")


# ---- (d) totals ------------------------------------------------------------------------------

REF_RE = re.compile(r"(?:(?P<sheet>'(?:[^']|'')+'|[A-Za-z_][A-Za-z0-9_ .]*)!)?"
                    r"\$?(?P<c1>[A-Z]{1,3})\$?(?P<r1>\d+)(?::\$?(?P<c2>[A-Z]{1,3})\$?(?P<r2>\d+))?")


def split_args(s):
    out, depth, cur, inq = [], 0, "", False
    for ch in s:
        if ch == '"':
            inq = not inq
        if not inq and ch == "(":
            depth += 1
        elif not inq and ch == ")":
            depth -= 1
        if not inq and ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return [a.strip() for a in out]


def parse_ref(s, sheet):
    m = REF_RE.fullmatch(s.strip())
    if not m:
        return None
    sh = m.group("sheet")
    if sh:
        sh = sh[1:-1].replace("''", "'") if sh.startswith("'") else sh
    else:
        sh = sheet
    c1, r1 = column_index_from_string(m.group("c1")), int(m.group("r1"))
    c2 = column_index_from_string(m.group("c2")) if m.group("c2") else c1
    r2 = int(m.group("r2")) if m.group("r2") else r1
    return sh, [(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


RATIO_RE = re.compile(r"^=(IF\(\$?[A-Z]+\$?\d+=0,0,)?\$?[A-Z]+\$?\d+/\$?[A-Z]+\$?\d+\)?$")
AGG_RE = re.compile(r"^=(SUM|SUMIFS|SUBTOTAL)\((.*)\)$", re.S)


def crit_value(book, sheet, s):
    ref = parse_ref(s, sheet)
    if ref:
        sh, cells = ref
        return book.value(sh, *cells[0])
    s = s.strip()
    if s.startswith('"'):
        return s.strip('"')
    try:
        return float(s)
    except ValueError:
        return s


def crit_key(v):
    """A SUMIFS criterion's value as `same` compares them: text ignoring case and spaces."""
    if isinstance(v, str):
        return ("s", v.strip().lower())
    return ("n", v)


def crit_positions(book, ref, want):
    """Positions in a criteria range whose value is `want` (an index built once per range)."""
    key = (ref[0], ref[1][0], ref[1][-1], len(ref[1]))
    idx = book.crit_index.get(key)
    if idx is None:
        idx = defaultdict(list)
        for i, (r, c) in enumerate(ref[1]):
            idx[crit_key(book.value(ref[0], r, c))].append(i)
        book.crit_index[key] = idx
    return idx.get(crit_key(want), [])


def leaves(book, sheet, row, col):
    """The leaf cells a total adds, through SUM/SUBTOTAL/SUMIFS and single references
    (remembered per cell: totals share their parts)."""
    key = (sheet, row, col)
    if key not in book.leaf_memo:
        book.leaf_memo[key] = ()  # a circular reference adds nothing more
        book.leaf_memo[key] = tuple(_leaves(book, sheet, row, col))
    return book.leaf_memo[key]


def _leaves(book, sheet, row, col):
    f = book.formula(sheet, row, col)
    if not isinstance(f, str) or not f.startswith("="):
        return [(sheet, row, col)]
    m = AGG_RE.match(f)
    if m:
        fn, args = m.group(1), split_args(m.group(2))
        out = []
        if fn == "SUBTOTAL":
            if args[0] not in ("9", "109"):
                return [(sheet, row, col)]
            args = args[1:]
        if fn == "SUMIFS":
            ref = parse_ref(args[0], sheet)
            if not ref:
                return [(sheet, row, col)]
            sh, cells = ref
            crits = []
            for k in range(1, len(args) - 1, 2):
                cr = parse_ref(args[k], sheet)
                crits.append((cr, crit_value(book, sheet, args[k + 1])))
            if not crits or any(cr is None or len(cr[1]) != len(cells) for cr, _ in crits):
                return [(sheet, row, col)]
            pos = set(crit_positions(book, crits[0][0], crits[0][1]))
            for cr, want in crits[1:]:
                pos &= set(crit_positions(book, cr, want))
            for i in sorted(pos):
                out += leaves(book, sh, *cells[i])
            return out
        for a in args:
            ref = parse_ref(a, sheet)
            if ref is None:
                return [(sheet, row, col)]
            sh, cells = ref
            for r, c in cells:
                out += leaves(book, sh, r, c)
        return out
    ref = parse_ref(f[1:], sheet)
    if ref and len(ref[1]) == 1:
        return list(leaves(book, ref[0], *ref[1][0]))
    return [(sheet, row, col)]


GENERIC = {"", "attainment", "attainment measure", "measure", "quota", "goal", "quota or goal",
           "quota or goal (usd)", "measure (usd)"}


def header_kind(h):
    hl = h.lower()
    for name in MEASURES:
        if name.replace("_", " ") in hl or name in hl:
            return name
    if "target incentive" in hl:
        return "target_incentive"
    return None


def leaf_kind(book, people, sheet, row, col):
    """(kind, person or None); kind None = no figure."""
    v = book.value(sheet, row, col)
    if v is None or isinstance(v, str):
        return None, None
    t = table_of(book.tables[sheet], row)
    h = t.headers.get(col, "") if t else ""
    fmt = book.f[sheet].cell(row=row, column=col).number_format or ""
    pc = person_col(t) if t else None
    pid = book.value(sheet, row, pc) if pc else None
    hk = header_kind(h)
    base = re.sub(r"\s*\([^)]*\)\s*$", "", h.strip().lower())
    if hk and "quota" not in base and "goal" not in base:
        kind = hk
    elif base in GENERIC or "attainment" in base:
        quota = "quota" in base or "goal" in base
        P = people.get(pid)
        if P is None:
            return f"{sheet}:{h or get_column_letter(col)} (no person)", pid
        ms = sorted(set(P.measures.values()))
        if not ms:
            return (None, None) if v == 0 else (f"{sheet}:{h} of a person without measures", pid)
        if len(ms) > 1:
            kind = "mixed:" + "+".join(ms)
        else:
            kind = ("quota of " if quota else "") + ms[0]
    else:
        kind = f"{sheet}:{h}"
    if "%" in fmt and not kind.startswith("ratio"):
        kind = "ratio:" + kind
    return kind, pid


def additive(kind):
    if kind.startswith("ratio:") or kind.startswith("mixed:"):
        return False
    base = kind[len("quota of "):] if kind.startswith("quota of ") else kind
    return base not in NOT_ADDITIVE


def check_totals(book, rep, people, skip=()):
    for ws in book.f.worksheets:
        if (book.label, ws.title) in skip:
            continue
        for row in ws.iter_rows(min_row=1, max_row=ws.max_row):
            for c in row:
                f = c.value
                if not isinstance(f, str) or not AGG_RE.match(f):
                    continue
                if f.startswith("=SUBTOTAL(") and split_args(AGG_RE.match(f).group(2))[0] \
                        not in ("9", "109"):
                    continue
                lv = sorted(set(leaves(book, ws.title, c.row, c.column)))
                rep.checked["d"] += 1
                kinds = defaultdict(list)
                for (sh, r, cc) in lv:
                    k, pid = leaf_kind(book, people, sh, r, cc)
                    if k is not None:
                        kinds[k].append((sh, r, cc, pid))
                w = where(book, ws.title, c.row, c.column)
                grp = (book.label, ws.title, get_column_letter(c.column))
                if len(kinds) > 1:
                    desc = "; ".join(
                        f"{k} ({len(v)}: {where(book, v[0][0], v[0][1], v[0][2])}"
                        f"{' ' + str(v[0][3]) if v[0][3] else ''}…)"
                        for k, v in sorted(kinds.items()))
                    rep.fail("d", w, grp, f"{f} adds figures of {len(kinds)} kinds: {desc}")
                elif len(kinds) == 1:
                    k, v = next(iter(kinds.items()))
                    if len(v) > 1 and not additive(k):
                        who = {x[3] for x in v}
                        rep.fail("d", w, grp, f"{f} adds {len(v)} figures of {k}, which does not "
                                              f"add up across people ({len(who)} people)")


# ---- main ------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--run-arg", action="append", default=[],
                    help="an argument the run was given (--period, --as-of, --set ...)")
    ap.add_argument("--payouts", required=True)
    ap.add_argument("--attribution")
    ap.add_argument("--statements", help="a directory of per-person statement workbooks")
    ap.add_argument("--lines-csv", help="lines-<period>.csv of the run: with the Lines sheet "
                    "cut at [output] lines_rows_max, (b) checks every line's calculation there and "
                    "compares explain with it instead of with the sheet")
    ap.add_argument("--checks", default="abcd")
    ap.add_argument("--max-per-group", type=int, default=5)
    ap.add_argument("--skip", action="append", default=[], metavar="BOOK:SHEET",
                    help="leave a sheet out (e.g. payouts:Payouts), for a case that checks one "
                         "part while another change fixes the rest")
    args = ap.parse_args()
    skip = {tuple(x.split(":", 1)) for x in args.skip}
    rep = Report(args.max_per_group)

    books = [Book(args.payouts, "payouts")]
    if args.attribution:
        books.append(Book(args.attribution, "attribution"))
    pay = books[0]
    statement_books = []
    if args.statements:
        for dirpath, _, files in sorted(os.walk(args.statements)):
            for fn in sorted(files):
                if fn.endswith(".xlsx"):
                    statement_books.append(Book(os.path.join(dirpath, fn),
                                                os.path.relpath(os.path.join(dirpath, fn),
                                                                args.statements)))

    # Everyone on the Payouts and Lines sheets, explained.
    ids = []
    for sheet in ("Payouts", "Lines"):
        if sheet not in pay.f.sheetnames:
            continue
        for t in pay.tables[sheet]:
            pc = person_col(t)
            if not pc:
                continue
            for r in range(t.first, t.last + 1):
                v = pay.value(sheet, r, pc)
                if isinstance(v, str) and v.strip() and v not in ids and v != "Total":
                    ids.append(v)
    people = {pid: parse_explain(pid, run_explain(args, pid)) for pid in ids}

    def person_of_block(sheet, row):
        """On a statement sheet: the person whose block holds the row ('Name (ID)' above)."""
        ws = pay.v[sheet] if sheet in pay.v.sheetnames else None
        for r in range(row, 0, -1):
            v = ws.cell(row=r, column=1).value if ws else None
            if isinstance(v, str):
                m = re.search(r"\(([^()]+)\)\s*$", v)
                if m and m.group(1) in people:
                    return m.group(1)
        return None

    if "a" in args.checks:
        for b in books + statement_books:
            check_headers(b, rep, skip)
    if "b" in args.checks:
        lines_by_person = defaultdict(list)
        check_line_texts(pay, rep, lambda s: s == "Lines", lines_by_person, skip)
        if args.lines_csv:
            lines_by_person = check_lines_csv(args.lines_csv, rep)
        check_line_texts(pay, rep, lambda s: s != "Lines", None, skip)
        for b in statement_books:
            check_line_texts(b, rep, lambda s: True, None, skip)
        check_explain(people, rep, lines_by_person)
    if "c" in args.checks:
        if ("payouts", "Lines") not in skip:
            check_line_attainment(pay, rep, people)
        check_attainment(pay, rep, people, person_of_block, skip)
        for b in statement_books:
            pid = os.path.splitext(os.path.basename(b.path))[0]
            check_attainment(b, rep, people, lambda s, r, pid=pid: pid, skip)
    if "d" in args.checks:
        for b in books + statement_books:
            check_totals(b, rep, people, skip)
    for c in args.checks:  # a check that found nothing to look at proves nothing
        if rep.checked[c] == 0:
            rep.fail(c, "sheetcheck", (c, "vacuous"), "found nothing to check")
    rep.print()
    return 1 if rep.count() else 0


if __name__ == "__main__":
    sys.exit(main())
