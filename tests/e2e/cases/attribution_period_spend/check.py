"""Spend belongs to the period (DESIGN §7b): October 2026 rerun on 2026-12-10, worked by hand.

Period 2026-10 = 31 days (10-01 .. 10-31), as of 2026-12-10. Period spend = spend × days inside
the period ÷ days spread over, in cents, rounded half away from zero once per campaign:

  C1 2026-08-31 .. 11-30, ended before as-of: 1 + 30 + 31 + 30 = 92 days, 31 in October.
     1,000,001 × 31 / 92 = 31,000,031 / 92 = 336,956 rem 79 (0.86) -> 336,957 = 3,369.57
  C2 2026-09-01, no end: running, spread to as-of: 30 + 31 + 30 + 10 = 101 days, 31 in October.
     610,000 × 31 / 101 = 18,910,000 / 101 = 187,227 rem 73 (0.72) -> 187,228 = 1,872.28
  C3 no dates: all of its spend, 500.00
  C4 named in the spend file: its rows dated in October, 10.00 + 20.50 + 30.25 = 60.75 (the copy
     of the 10/15 row is a duplicate; 9/30, 11/1 and 12/20 are outside the period), not the
     spread of its 36,500.00
  C5 2026-10-31 .. 11-01: 2 days, 1 in October: 101 × 1 / 2 = 50.5 -> half away from zero 51 = 0.51
  C6 2026-10-01 .. 2027-01-31, end after as-of: running, 31 + 30 + 10 = 71 days, 31 in October.
     70,000 × 31 / 71 = 2,170,000 / 71 = 30,563 rem 27 (0.38) -> 30,563 = 305.63
  C7 2026-10-01 .. 10-31, 3,000.00, but the spend file names it (one row, 9/15): 0.00 in October
  C8 2026-12-15 .. 12-31 starts after as-of: 0.00
  Total 336,957 + 187,228 + 50,000 + 6,075 + 51 + 30,563 = 610,874 = 6,108.74
  (a lifetime total would be 10,000.01 + 6,100 + 500 + 36,500 + 1.01 + 700 + 3,000 + 800
  = 57,601.02)

Credit (linear; first_touch in brackets): D1 10,000.00 -> C1 (touches 09-20 and 10-05, both C1);
D2 3,000.00 -> C2 1,500 + C3 1,500 [C2 3,000]; D3 1,000.00 -> C4 [C4]. Attributed 14,000.00.
ROI = (credit - period spend) / period spend: C1 (1,000,000 - 336,957) / 336,957; C2 (150,000 -
187,228) / 187,228 [(300,000 - 187,228) / 187,228]; C3 100,000 / 50,000 = 2 [-1]; C4 (100,000 -
6,075) / 6,075; C5, C6 -1; C7, C8 no spend: blank. Summary: (1,400,000 - 610,874) / 610,874.

Touches dated in October: C1 3 (L1 10-05, L9 10-07, L9 10-09), C2 1, C3 1, C4 1, C6 1 = 7; in the
journeys of October's won deals: C1 2 (L1 09-20, 10-05), C2 1, C3 1, C4 1 = 5.

spend.csv (9 rows): used 3 (C4 10/1, 10/15, 10/31), duplicate 1 (10/15 again), filtered 4 (C4
9/30, 11/1, 12/20 after as-of; C7 9/15), unmatched 1 (CX, not in the campaigns file).
"""
import os
import subprocess
import sys

lib = __file__.rsplit("/", 3)[0] + "/lib"
sys.path.insert(0, lib)
from wb import Checker, cents, labels, load, load_values, model_rows, reconciliation, table  # noqa

out, case = sys.argv[1], sys.argv[2]
path = f"{out}/attribution-2026-10.xlsx"
c = Checker()
v = load_values(path)
f = load(path)

SPEND = {"C1": 336957, "C2": 187228, "C3": 50000, "C4": 6075, "C5": 51, "C6": 30563, "C7": 0,
         "C8": 0}
BASIS = {"C1": "spread: 31 of 92 days", "C2": "running: 31 of 101 days",
         "C3": "no start date: all spend", "C4": "spend file: 3 rows dated in period",
         "C5": "spread: 1 of 2 days", "C6": "running: 31 of 71 days",
         "C7": "spend file: 0 rows dated in period", "C8": "starts after as-of: none yet"}
LINEAR = {"C1": 1000000, "C2": 150000, "C3": 150000, "C4": 100000, "C5": 0, "C6": 0, "C7": 0,
          "C8": 0}
FIRST = {"C1": 1000000, "C2": 300000, "C3": 0, "C4": 100000, "C5": 0, "C6": 0, "C7": 0, "C8": 0}
TOUCHES_PERIOD = {"C1": 3, "C2": 1, "C3": 1, "C4": 1, "C5": 0, "C6": 1, "C7": 0, "C8": 0}
TOUCHES_WON = {"C1": 2, "C2": 1, "C3": 1, "C4": 1, "C5": 0, "C6": 0, "C7": 0, "C8": 0}
OWNER = {"C1": ("P1", "Ana Gómez"), "C2": ("P9", "(not in the people file)"),
         "C3": ("P1", "Ana Gómez"), "C4": ("P2", "Bo Berg"), "C5": (None, None),
         "C6": ("P2", "Bo Berg"), "C7": ("P1", "Ana Gómez"), "C8": ("P1", "Ana Gómez")}
LIFETIME = {"C1": 1000001, "C2": 610000, "C3": 50000, "C4": 3650000, "C5": 101, "C6": 70000,
            "C7": 300000, "C8": 80000}


def g16(x):
    """A double as the workbook stores it: libxlsxwriter writes numbers with %.16G."""
    return None if x is None else float("%.16G" % x)


def roi(credit, spend):
    return None if spend == 0 else g16((credit - spend) / spend)


rows, total = table(v["Campaigns"], "Campaign ID")
camp = {r["Campaign ID"]: r for r in rows}
c.eq("campaigns listed", sorted(camp), sorted(SPEND))
for k, want in SPEND.items():
    r = camp[k]
    c.eq(f"{k} spend in period", cents(r["Spend in period (USD)"]), want)
    c.eq(f"{k} basis", r["Period spend basis"], BASIS[k])
    c.eq(f"{k} lifetime spend", cents(r["Lifetime spend, campaigns file (USD)"]), LIFETIME[k])
    c.eq(f"{k} linear ROI", r["linear ROI (% of spend in period)"], roi(LINEAR[k], want))
    c.eq(f"{k} first_touch ROI", r["first_touch ROI (% of spend in period)"],
         roi(FIRST[k], want))
    c.eq(f"{k} linear ROAS", r["linear ROAS (credit ÷ spend in period)"],
         None if want == 0 else g16(LINEAR[k] / want))
    c.eq(f"{k} touches in period", r["Touches in period (dated in it, all leads)"],
         TOUCHES_PERIOD[k])
    c.eq(f"{k} touches in won journeys",
         r["Touches in won journeys (deals closed-won in period)"], TOUCHES_WON[k])
    c.eq(f"{k} owner", (r["Owner ID"], r["Owner"]), OWNER[k])
c.eq("C1 days", (camp["C1"]["Days in period (of the spread)"],
                 camp["C1"]["Days spread over (start to end or as-of)"]), (31, 92))
c.eq("C2 days", (camp["C2"]["Days in period (of the spread)"],
                 camp["C2"]["Days spread over (start to end or as-of)"]), (31, 101))
c.eq("cost per won deal C1 (linear: 1 deal)",
     cents(camp["C1"]["linear cost per won deal (USD)"]), 336957)
c.eq("Campaigns total spend in period", cents(total["Spend in period (USD)"]), 610874)
c.eq("Campaigns total lifetime", cents(total["Lifetime spend, campaigns file (USD)"]), 5760102)

# The spread is a live formula over the row's own cells; no dates: the lifetime cell itself.
frows = list(f["Campaigns"].iter_rows(values_only=True))
hdr = list(frows[0])
col = {h: i for i, h in enumerate(hdr)}
letter = {h: chr(ord("A") + i) for h, i in col.items() if i < 26}
for i, r in enumerate(frows[1:len(SPEND) + 1], start=2):
    k = r[col["Campaign ID"]]
    got = r[col["Spend in period (USD)"]]
    L, D, N = (letter["Lifetime spend, campaigns file (USD)"],
               letter["Days in period (of the spread)"],
               letter["Days spread over (start to end or as-of)"])
    if k in ("C1", "C2", "C5", "C6"):
        c.eq(f"{k} spread formula", got, f"=ROUND({L}{i}*{D}{i}/{N}{i},2)")
    elif k == "C3":
        c.eq(f"{k} no-dates formula", got, f"={L}{i}")
    else:
        c.true(f"{k} spend is a value", isinstance(got, (int, float)))

ch_rows, ch_total = table(v["Channels"], "Channel")
ch = {r["Channel"]: r for r in ch_rows}
c.eq("channel spend", {k: cents(r["Spend in period (USD)"]) for k, r in ch.items()},
     {"email": 51 + 30563, "events": 50000, "paid_search": 336957 + 187228, "paid_social": 6075})
c.eq("paid_search linear ROI", ch["paid_search"]["linear ROI (% of spend in period)"],
     g16((1150000 - 524185) / 524185))
c.eq("email linear ROI", ch["email"]["linear ROI (% of spend in period)"], -1.0)
c.eq("channel touches in period", {k: r["Touches in period (dated in it, all leads)"]
                                   for k, r in ch.items()},
     {"email": 1, "events": 1, "paid_search": 4, "paid_social": 1})
c.eq("Channels total spend", cents(ch_total["Spend in period (USD)"]), 610874)

s = labels(v["Summary"])
c.eq("Summary spend in period", cents(s["Campaign spend in period"]), 610874)
c.eq("Summary attributed", cents(s["Attributed revenue (credited to campaigns, every model)"]),
     1400000)
c.eq("Summary ROI", s["ROI ((attributed revenue − spend) ÷ spend in period)"],
     g16((1400000 - 610874) / 610874))
c.eq("Summary ROAS", s["ROAS (attributed revenue ÷ spend in period)"], g16(1400000 / 610874))
c.eq("Summary cost per attributed deal", s["Cost per attributed deal (spend in period ÷ deals)"],
     g16(6108.74 / 3))
c.eq("Summary touches in period", s["Touches in period (dated in it, all leads)"], 7)
c.eq("Summary touches in won journeys",
     s["Touches in won journeys (deals closed-won in period)"], 5)
c.eq("campaigns per basis", {k: s.get(f"Campaigns: {k}") for k in (
    "spread over start–end days", "running: spread over start–as-of days",
    "no start date: all spend counted", "starts after as-of: nothing yet",
    "spend file: its rows dated in the period")}, {
    "spread over start–end days": 2, "running: spread over start–as-of days": 2,
    "no start date: all spend counted": 1, "starts after as-of: nothing yet": 1,
    "spend file: its rows dated in the period": 2})
notes = " ".join(x for x in (r[0] for r in v["Summary"].iter_rows(values_only=True))
                 if isinstance(x, str))
c.true("the Summary states the spread rule", "spread evenly over its start-to-end" in notes
       and "counts all of its spend" in notes)

# The model table: the checks stay; each model's top channels and their shares differ.
m = model_rows(v["Summary"])
for name in ("linear", "first_touch"):
    c.eq(f"{name} check", cents(m[name]["Check (= 0)"]), 0)
    c.eq(f"{name} attributed", cents(m[name]["Attributed revenue"]), 1400000)
c.eq("linear top channels", [m["linear"][k] for k in ("Top channel", "2nd channel",
                                                      "3rd channel")],
     ["paid_search", "events", "paid_social"])
c.eq("linear shares", [m["linear"][k] for k in (
    "Top channel's share of credit", "2nd channel's share of credit",
    "3rd channel's share of credit")],
     [g16(1150000 / 1400000), g16(150000 / 1400000), g16(100000 / 1400000)])
c.eq("first_touch top channels", [m["first_touch"][k] for k in (
    "Top channel", "2nd channel", "3rd channel")], ["paid_search", "paid_social", None])
c.eq("first_touch shares", [m["first_touch"][k] for k in (
    "Top channel's share of credit", "2nd channel's share of credit",
    "3rd channel's share of credit")], [g16(1300000 / 1400000), g16(100000 / 1400000), None])
c.eq("campaigns credited", (m["linear"]["Campaigns credited (count)"],
                            m["first_touch"]["Campaigns credited (count)"]), (4, 3))

# Deal credits name the campaign beside its ID.
dc, _ = table(v["Deal credits"], "Deal ID")
c.eq("deal credit campaigns", sorted((r["Deal ID"], r["Campaign ID"], r["Campaign"]) for r in dc),
     [("D1", "C1", "Straddle Aug-Nov"), ("D2", "C2", "Running since September"),
      ("D2", "C3", "No dates"), ("D3", "C4", "Daily spend file")])

rec = reconciliation(v)
c.eq("spend.csv reconciliation", rec.get("spend"), [9, 3, 1, 4, 1, 0, 0, 0])

# LibreOffice recalculates every formula to the cached value (the spread formulas included).
p = subprocess.run([sys.executable, os.path.join(lib, "recalc.py"), path], capture_output=True,
                   text=True)
c.eq("recalc.py exit", p.returncode, 0)
if p.returncode:
    print(p.stdout, p.stderr)
c.done()
