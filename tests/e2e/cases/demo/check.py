"""The demo run on the bundled samples, checked against an independent computation.

This script re-derives, from the sample CSV files and DESIGN §4/§5 alone (Python's csv, Fraction
and Decimal; nothing from sametable), every number on both Summary sheets and the payroll CSV:
closed-won deals and revenue of 2026-10, the linear credit per channel with largest-remainder
cents per deal, the unattributed revenue, and each person's commission (one line per deal,
rounded half away from zero). It also reruns the binary and requires byte-identical outputs.
"""
import csv
import datetime as dt
import filecmp
import os
import subprocess
import sys
import tempfile
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, cents, labels, load_values, table  # noqa: E402

out, case, binary = sys.argv[1], sys.argv[2], sys.argv[3]
root = os.path.abspath(os.path.join(case, "../../../.."))
samples = os.path.join(root, "samples")
c = Checker()

AS_OF = dt.date(2026, 10, 31)
FIRST, LAST = dt.date(2026, 10, 1), dt.date(2026, 10, 31)
LOOKBACK = 90
RATES = {"ae": Decimal("0.08"), "mgr": Decimal("0.02"), "sdr": Decimal("0.01"),
         "mkt": Decimal("0.005")}


def rows(name):
    with open(os.path.join(samples, name), newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def to_cents(s):
    return int((Decimal(s) * 100).to_integral_value())


campaign_channel = {r["Campaign ID"]: r["Channel"] for r in rows("campaigns.csv")}
touches = {}
for i, r in enumerate(rows("touches.csv")):
    t = dt.datetime.strptime(r["Touch Timestamp"], "%Y-%m-%dT%H:%M:%SZ")
    if t.date() > AS_OF:
        continue
    touches.setdefault(r["Contact ID"], []).append((t, i, r["Campaign ID"]))
for v in touches.values():
    v.sort()

won_total = unattributed = n_deals = eligible_touches = 0
channel = {}
owner_rev, owner_deals = {}, {}
deal_amounts = []
for r in rows("deals.csv"):
    if r["Stage"].strip().lower() not in ("closed won", "closedwon"):
        continue
    close = dt.date.fromisoformat(r["Close Date"])
    if not (FIRST <= close <= LAST) or close > AS_OF:
        continue
    amount = to_cents(r["Amount"])
    n_deals += 1
    won_total += amount
    owner_rev[r["Opportunity Owner ID"]] = owner_rev.get(r["Opportunity Owner ID"], 0) + amount
    owner_deals[r["Opportunity Owner ID"]] = owner_deals.get(r["Opportunity Owner ID"], 0) + 1
    deal_amounts.append((r["Opportunity Owner ID"], amount))
    end = dt.datetime.combine(close, dt.time(23, 59, 59))
    journey = [x for x in touches.get(r["Lead ID"], [])
               if x[0] <= end and x[0].date() >= close - dt.timedelta(days=LOOKBACK)]
    if not journey:
        unattributed += amount
        continue
    eligible_touches += len(journey)
    order, weight = [], {}
    for _, _, camp in journey:
        if camp not in weight:
            order.append(camp)
            weight[camp] = 0
        weight[camp] += 1
    exact = {k: Fraction(amount * weight[k], len(journey)) for k in order}
    floor = {k: exact[k].numerator // exact[k].denominator for k in order}
    left = amount - sum(floor.values())
    # largest remainder, ties to the earlier campaign (order of first touch)
    ranked = sorted(order, key=lambda k: (-(exact[k] - floor[k]), order.index(k)))
    for k in ranked[:left]:
        floor[k] += 1
    assert sum(floor.values()) == amount
    for k, v in floor.items():
        ch = campaign_channel[k]
        channel[ch] = channel.get(ch, 0) + v

c.true("the sample month has deals", n_deals > 10)
att = load_values(f"{out}/attribution-2026-10.xlsx")
s = labels(att["Summary"])
c.eq("closed-won deals", s["Closed-won deals"], n_deals)
c.eq("closed-won revenue", cents(s["Closed-won revenue"]), won_total)
c.eq("unattributed revenue", cents(s["Unattributed revenue"]), unattributed)
c.eq("attributed revenue", cents(s["Attributed revenue (linear)"]), won_total - unattributed)
got_rows, total = table(att["Summary"], "Channel")
got = {r["Channel"]: cents(r["linear credit (USD)"]) for r in got_rows}
c.eq("channel credit", {k: v for k, v in got.items() if v}, channel)
c.eq("channel total + unattributed = closed-won",
     cents(total["linear credit (USD)"]) + unattributed, won_total)

people = rows("people.csv")
plan = {p["Employee ID"]: p["Plan"].lower() for p in people}
pay = {}
for owner, amount in deal_amounts:
    if owner not in plan:
        continue
    line = (Decimal(amount) * RATES[plan[owner]]).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    pay[owner] = pay.get(owner, 0) + int(line)
pw = load_values(f"{out}/payouts-2026-10.xlsx")
prow, ptotal = table(pw["Summary"], "Person ID")
c.eq("people listed", [r["Person ID"] for r in prow], [p["Employee ID"] for p in people])
for r in prow:
    pid = r["Person ID"]
    c.eq(f"payout {pid}", cents(r["Payout"]), pay.get(pid, 0))
    c.eq(f"revenue {pid}", cents(r["Own revenue"]), owner_rev.get(pid, 0))
    c.eq(f"deals {pid}", r["Deals"], owner_deals.get(pid, 0))
c.eq("payout total", cents(ptotal["Payout"]), sum(pay.values()))
with open(f"{out}/payroll-2026-10.csv", newline="", encoding="utf-8") as fh:
    payroll = list(csv.DictReader(fh))
c.eq("payroll total", sum(to_cents(r["amount"]) for r in payroll), sum(pay.values()))

# credits-2026-10.csv: one row per deal × eligible touch; under every model a deal's touch
# credits sum to its amount, and the linear column matches the per-touch split worked out above
# (each touch of a campaign gets an equal share of the campaign's cents, first touches first).
with open(f"{out}/credits-2026-10.csv", newline="", encoding="utf-8") as fh:
    credit_rows = list(csv.DictReader(fh))
model_cols = [k for k in credit_rows[0] if k.endswith("_USD")]
c.eq("ten rule-based models in the credits file", len(model_cols), 10)
by_deal = {}
for row in credit_rows:
    by_deal.setdefault(row["deal_id"], []).append(row)
attributed_deals = {k for k, v in by_deal.items()}
for deal, rows_ in by_deal.items():
    amount = to_cents(rows_[0]["amount"])
    for col in model_cols:
        c.eq(f"{deal} {col} sums to the amount", sum(to_cents(r[col]) for r in rows_), amount)
c.eq("credits rows = eligible touches of attributed deals", len(credit_rows), eligible_touches)

# A rerun with the same inputs and as-of date gives byte-identical files.
with tempfile.TemporaryDirectory() as again:
    subprocess.run([binary, "run", "-c", os.path.join(root, "config/sametable.ini"), "--out",
                    again], check=True)
    names = sorted(n for n in os.listdir(out) if not n.startswith("."))
    c.eq("rerun file names", sorted(n for n in os.listdir(again) if not n.startswith(".")), names)
    _, mismatch, errors = filecmp.cmpfiles(out, again, names, shallow=False)
    c.eq("rerun differences", mismatch + errors, [])
c.done()
