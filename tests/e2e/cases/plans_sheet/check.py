"""The Plans sheet of payouts-2026-10.xlsx shows every plan version as configured in case.ini.

Each plan version is a block under a bold heading "Plan <id> — <name> (version …)": label/value
rows (config keys in column A), then per component a "Component <id> (<type>)" block with its
parameters and its tier table ("From (lower bound)" / "Rate") or curve ("Attainment" /
"Payout % of target"). Percentages are numbers in percent format (50% is 0.5), amounts numbers
in the currency format, dates Excel dates, configuration text string cells.
"""
import datetime
import sys

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, load  # noqa: E402

out = sys.argv[1]
c = Checker()
wb = load(f"{out}/payouts-2026-10.xlsx")
names = wb.sheetnames
c.true("Plans right after Lines", "Lines" in names and names[names.index("Lines") + 1:][:1] == ["Plans"])
ws = wb["Plans"]
rows = [[cell.value for cell in r] + [None, None] for r in ws.iter_rows()]
col_a = [r[0] for r in rows]


def find(text, start=0):
    for i in range(start, len(col_a)):
        if col_a[i] == text:
            return i
    raise AssertionError(f"no row {text!r} in column A from row {start + 1}")


def block(heading):
    """Rows from the heading to the next plan heading (or the end)."""
    i = find(heading)
    j = i + 1
    while j < len(col_a) and not (isinstance(col_a[j], str) and col_a[j].startswith("Plan ")):
        j += 1
    return i, j


def value(key, start, end):
    for i in range(start, end):
        if col_a[i] == key:
            return rows[i][1]
    raise AssertionError(f"no {key!r} between rows {start + 1} and {end}")


def table(header, start, end):
    """(A, B) pairs under the header row in column A, up to the first blank A."""
    i = find(header, start)
    assert i < end, f"{header!r} outside rows {start + 1}..{end}"
    out = []
    for r in rows[i + 1:end]:
        if r[0] is None:
            break
        out.append((r[0], r[1]))
    return out


c.eq("title", col_a[0], "Plans")
c.eq("note", col_a[1], "As configured in case.ini")
c.eq("period", value("Period", 0, 10), "2026-10")
c.true("tab colour", ws.sheet_properties.tabColor.rgb.endswith("2E75B6"))
c.true("no gridlines", ws.sheet_view.showGridLines is False)
c.eq("nothing frozen", ws.freeze_panes, None)
c.true("heading bold", ws.cell(find("Plan ae — AE 2026 (version base)") + 1, 1).font.b)

headings = [a for a in col_a if isinstance(a, str) and a.startswith("Plan ")]
c.eq("plan headings in config order, base first", headings,
     ["Plan ae — AE 2026 (version base)",
      "Plan ae — AE 2026 H2 (version from 2026-07-01)",
      "Plan mkt — Marketing 2026 (version base)",
      "Plan team — Team pool (version base)",
      "Plan mgr — Sales Manager 2026 (version base)"])

# ae, base: plan parameters, the commission (percentage tiers, gate, caps) and the SPIF.
s, e = block("Plan ae — AE 2026 (version base)")
c.eq("ae quota_period", value("quota_period", s, e), "quarter")
c.eq("ae payout_period", value("payout_period", s, e), "month")
c.eq("ae cap_payee", value("cap_payee", s, e), 20000)
c.eq("ae base until", value("applies until", s, e), datetime.datetime(2026, 6, 30))
k = find("Component commission (commission)", s)
c.eq("commission gate", value("gate (% of quota)", k, e), 0.25)
c.eq("commission cap_deal", value("cap_deal", k, e), 5000)
c.eq("commission cap_period", value("cap_period", k, e), 12000)
c.eq("commission cap_excess", value("cap_excess", k, e), "forfeit")
c.eq("commission clawback", value("clawback_days", k, e), 90)
c.eq("commission method", value("method", k, e), "marginal")
c.eq("commission tiers", table("From (lower bound)", k, e), [(0, 0.05), (0.5, 0.08), (1, 0.125)])
t = find("From (lower bound)", k)
c.eq("tier rate header", rows[t][1], "Rate")
c.eq("tier bound format", ws.cell(t + 3, 1).number_format, "0.0%")
c.eq("tier rate format", ws.cell(t + 3, 2).number_format, "0.0%")
k = find("Component new_logo (spif)", s)
c.eq("spif filter", value("filter", k, e), "Deal Type = New Logo and amount >= 25000.00")
c.eq("spif amount", value("amount (per deal)", k, e), 300)
c.eq("spif from", value("from", k, e), datetime.datetime(2026, 10, 1))
c.eq("spif to", value("to", k, e), datetime.datetime(2026, 12, 31))
c.eq("spif payee", value("payee", k, e), "owner")

# ae from 2026-07-01: its own tiers, the rest of the keys inherited from the base sections.
s, e = block("Plan ae — AE 2026 H2 (version from 2026-07-01)")
c.eq("version from date", value("applies from", s, e), datetime.datetime(2026, 7, 1))
i = find("applies from", s)
c.eq("version date format", ws.cell(i + 1, 2).number_format, "yyyy-mm-dd")
k = find("Component commission (commission)", s)
c.eq("version tiers", table("From (lower bound)", k, e), [(0, 0.06), (0.5, 0.09), (1, 0.15)])
c.eq("version inherits the gate", value("gate (% of quota)", k, e), 0.25)
c.eq("version inherits cap_deal", value("cap_deal", k, e), 5000)
c.true("version keeps the SPIF", "Component new_logo (spif)" in col_a[s:e])

# mkt: a bonus with a curve.
s, e = block("Plan mkt — Marketing 2026 (version base)")
k = find("Component company_goal (bonus)", s)
c.eq("bonus goal", value("goal", k, e), 500000)
c.eq("bonus weight", value("weight", k, e), 0.6)
c.eq("bonus cap", value("cap (% of target × weight)", k, e), 2)
c.eq("bonus curve_method", value("curve_method", k, e), "interpolated")
c.eq("bonus curve", table("Attainment", k, e), [(0, 0), (0.8, 0.5), (1, 1), (1.5, 2)])
c.eq("curve header", rows[find("Attainment", k)][1], "Payout % of target")
c.true("no tier table on a bonus", "From (lower bound)" not in col_a[s:e])

# team: a pool.
s, e = block("Plan team — Team pool (version base)")
k = find("Component pool (pool)", s)
c.eq("pool share", value("share", k, e), 0.05)
c.eq("pool threshold", value("threshold", k, e), 10000)
c.eq("pool division", value("division", k, e), "equal")
c.eq("pool measure", value("measure", k, e), "team_revenue")
c.true("no gate row on a pool", "gate" not in col_a[k:e])

# mgr: amount tiers are money.
s, e = block("Plan mgr — Sales Manager 2026 (version base)")
k = find("Component override (override)", s)
c.eq("amount tiers", table("From (lower bound)", k, e), [(0, 0.025), (198000, 0.05)])
t = find("From (lower bound)", k)
# money in the reporting currency (USD here): its symbol as a literal, two decimals
c.eq("amount bound format", ws.cell(t + 3, 1).number_format, '"$"#,##0.00;-"$"#,##0.00')

# Configuration text is string cells, never formulas.
c.true("no formulas", not any(isinstance(v, str) and v.startswith("=") for r in rows for v in r))
c.true("column widths set", ws.column_dimensions["A"].width >= 20
       and ws.column_dimensions["B"].width >= 40)
c.done()
