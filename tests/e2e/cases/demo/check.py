"""The demo run on the bundled samples, checked against an independent computation.

This script re-derives, from the sample CSV files, DESIGN §4/§5/§7a and the [plan.*] rules of
config/sametable.ini alone (Python's csv, Fraction and Decimal; nothing from sametable), every
number on both Summary sheets, the payouts Lines sheet and the payroll CSV: closed-won deals and
revenue of 2026-10, the linear credit per channel with largest-remainder cents per deal, the
unattributed revenue, and each person's October payout line by line — AE marginal tiered
commission period-to-date over 2026-Q4 plus the big-new-logo SPIF, the managers' override on their
transitive reports' deals, the SDRs' SPIF by the deals' SDR ID column, and marketing's two monthly
bonuses on company and marketing-sourced revenue — each line rounded half away from zero, totals
as sums of rounded lines. It also reruns the binary and requires byte-identical outputs.
Touches join their leads as DESIGN §7b says: contacts through identities.csv, a joined touch
repeating a campaign and instant of the lead's own a duplicate; the Run sheet's counts of those
are checked too (NOTES.md).
"""
import configparser
import csv
import datetime as dt
import filecmp
import os
import subprocess
import sys
import tempfile
from decimal import Decimal
from fractions import Fraction

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, cents, labels, load_values, reconciliation, table  # noqa: E402

out, case, binary = sys.argv[1], sys.argv[2], sys.argv[3]
root = os.path.abspath(os.path.join(case, "../../../.."))
samples = os.path.join(root, "samples")
c = Checker()

AS_OF = dt.date(2026, 10, 31)
FIRST, LAST = dt.date(2026, 10, 1), dt.date(2026, 10, 31)

_ini = configparser.ConfigParser(comment_prefixes=(";", "#"), inline_comment_prefixes=(";", "#"),
                                 strict=False, interpolation=None)
_ini.read(os.path.join(root, "config/sametable.ini"), encoding="utf-8")
cfg = dict(_ini["attribution"]) if _ini.has_section("attribution") else {}
LOOKBACK = int(cfg.get("lookback_days", "90"))  # calendar days before the close, inclusive


def rows(name):
    with open(os.path.join(samples, name), newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def to_cents(s):
    return int((Decimal(s) * 100).to_integral_value())


campaign_channel = {r["Campaign ID"]: r["Channel"] for r in rows("campaigns.csv")}
# The campaign member report lists leads (Lead ID) and contacts (Lead ID empty, Contact ID set);
# identities.csv (a converted lead report) maps contacts to leads, chains followed (DESIGN §7b).
# A contact it does not map is unmatched ("no lead id"); a touch that joins through it with the
# campaign and instant of a touch the lead already has is a duplicate (the lead's own touches
# are taken first at an instant).
ident = {r["Converted Contact ID"]: r["Lead ID"] for r in rows("identities.csv")}


def survivor(x):
    seen = set()
    while x in ident:
        assert x not in seen, f"identity cycle at {x}"
        seen.add(x)
        x = ident[x]
    return x


touches = {}
n_touch_rows = len(rows("touches.csv"))
t_filtered = t_joined = t_joined_dup = t_no_lead = 0
raw = []  # (lead, instant, joined?, input order, campaign)
for i, r in enumerate(rows("touches.csv")):
    t = dt.datetime.strptime(r["Touch Timestamp"], "%Y-%m-%dT%H:%M:%SZ")
    if t.date() > AS_OF:
        t_filtered += 1
        continue
    lead, via = r["Lead ID"], False
    if not lead:
        if r["Contact ID"] not in ident:
            t_no_lead += 1
            continue
        lead = r["Contact ID"]
    if lead in ident:
        lead, via = survivor(lead), True
    raw.append((lead, t, via, i, r["Campaign ID"]))
    t_joined += via
kept = set()
for lead, t, via, i, camp in sorted(raw, key=lambda x: (x[0], x[1], x[2], x[3])):
    if via and (lead, t, camp) in kept:
        t_joined_dup += 1
        continue
    kept.add((lead, t, camp))
    touches.setdefault(lead, []).append((t, i, camp))
for v in touches.values():
    v.sort()
c.true("the demo joins contacts through identities.csv", t_joined > t_joined_dup > 0)
c.true("the demo has contacts without a lead", t_no_lead > 0)

won_total = unattributed = n_deals = eligible_touches = 0
channel = {}
first_campaign = {}  # deal ID -> campaign of its first eligible touch (marketing-sourced?)
for r in rows("deals.csv"):
    if r["Stage"].strip().lower() not in ("closed won", "closedwon"):
        continue
    close = dt.date.fromisoformat(r["Close Date"])
    if not (FIRST <= close <= LAST) or close > AS_OF:
        continue
    amount = to_cents(r["Amount"])
    n_deals += 1
    won_total += amount
    end = dt.datetime.combine(close, dt.time(23, 59, 59))
    journey = [x for x in touches.get(r["Lead ID"], [])
               if x[0] <= end
               and (not LOOKBACK or x[0].date() >= close - dt.timedelta(days=LOOKBACK))]
    if not journey:
        unattributed += amount
        continue
    eligible_touches += len(journey)
    first_campaign[r["Opportunity ID"]] = journey[0][2]
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
# The Run sheet's reconciliation of the touches (no exact duplicates and no unknown campaigns in
# the samples: every duplicate is a joined one, every unmatched touch has no lead id) and of the
# identities file (every row a distinct contact, none rejected), and the identity map's counts.
recon = reconciliation(att)
c.eq("touches reconciliation", recon["touches"],
     [n_touch_rows, n_touch_rows - t_filtered - t_no_lead - t_joined_dup, t_joined_dup,
      t_filtered, t_no_lead, 0, 0, 0])
c.eq("identities reconciliation", recon["identities"], [len(ident), len(ident), 0, 0, 0, 0, 0, 0])
run_counts = labels(att["Run"], 1, 3)
c.eq("touches joined through identities", run_counts["Touches joined through identities"],
     t_joined)
c.eq("touches without a lead id", run_counts["Touches unmatched: no lead id"], t_no_lead)
c.eq("deal rows joined through identities", run_counts["Deal rows joined through identities"], 0)
s = labels(att["Summary"])
c.eq("closed-won deals", s["Closed-won deals"], n_deals)
c.eq("closed-won revenue", cents(s["Closed-won revenue"]), won_total)
c.eq("unattributed revenue", cents(s["Unattributed revenue"]), unattributed)
# One row per configured model, rule-based then data-driven, in config order: for every model
# attributed + unattributed = closed-won revenue to the cent, and the live Check cell caches 0.
model_rows, _ = table(att["Summary"], "Model")
models = {r["Model"]: r for r in model_rows}
configured = [m.strip() for m in cfg.get("models", "linear").split(",") if m.strip()]
DATA_DRIVEN = ("markov", "shapley")
c.eq("model rows in order", [r["Model"] for r in model_rows],
     [m for m in configured if m not in DATA_DRIVEN] + [m for m in configured if m in DATA_DRIVEN])
won_cached = cents(s["Closed-won revenue"])
for m, r in models.items():
    c.eq(f"{m}: attributed + unattributed = closed-won",
         cents(r["Attributed revenue"]) + cents(r["Unattributed revenue"]), won_cached)
    c.eq(f"{m}: check cell", cents(r["Check (= 0)"]), 0)
    c.eq(f"{m}: unattributed", cents(r["Unattributed revenue"]), unattributed)
c.eq("attributed revenue", cents(models["linear"]["Attributed revenue"]), won_total - unattributed)
got_rows, total = table(att["Summary"], "Channel")
got = {r["Channel"]: cents(r["linear credit (USD)"]) for r in got_rows}
c.eq("channel credit", {k: v for k, v in got.items() if v}, channel)
c.eq("channel total + unattributed = closed-won",
     cents(total["linear credit (USD)"]) + unattributed, won_total)

# ---- Payouts (DESIGN §5, §7a) --------------------------------------------------------------
# Recomputed here from the sample files and the [plan.*] rules of config/sametable.ini, written
# out below as constants (the check must not share the tool's reading of the INI): money in
# integer cents, rates and ratios as Fractions, each line rounded once, half away from zero.
people = rows("people.csv")
person = {p["Employee ID"]: p for p in people}
Q_FIRST, Q_LAST = dt.date(2026, 10, 1), dt.date(2026, 12, 31)  # the attainment quarter 2026-Q4
PLAN_NAME = {"ae": "Account Executive 2026", "mgr": "Sales Manager 2026",
             "sdr": "Sales Development 2026", "mkt": "Marketing 2026"}
AE_TIERS = [(Fraction(0), Fraction(6, 100)), (Fraction(50, 100), Fraction(8, 100)),
            (Fraction(100, 100), Fraction(12, 100))]        # lower (× quota) : marginal rate
AE_CAP_DEAL = 1_000_000                                      # 10,000.00 per line
MGR_TIERS = [(Fraction(0), Fraction(15, 1000)), (Fraction(1), Fraction(3, 100))]
SPIF_AE, SPIF_SDR = 30_000, 25_000                          # 300.00, 250.00
BIG_LOGO_MIN = 2_500_000                                     # amount >= 25,000.00
COMPANY_CURVE = [(Fraction(0), Fraction(0)), (Fraction(8, 10), Fraction(1, 2)),
                 (Fraction(1), Fraction(1)), (Fraction(3, 2), Fraction(2))]
SOURCED_CURVE = [(Fraction(0), Fraction(0)), (Fraction(1, 2), Fraction(1, 4)),
                 (Fraction(1), Fraction(1)), (Fraction(6, 5), Fraction(3, 2))]
SOURCED_GOAL = 25_000_000                                    # 250,000.00 a month, never shared
SOURCED_GATE = Fraction(1, 2)


def rnd(x):
    """A Fraction of cents rounded half away from zero to whole cents."""
    n = abs(x)
    q = (n.numerator * 2 + n.denominator) // (2 * n.denominator)
    return q if x >= 0 else -q


def active(pid, day):
    p = person.get(pid)
    if p is None:
        return False
    end = p["End Date"].strip()
    return (dt.date.fromisoformat(p["Start Date"]) <= day
            and (not end or day <= dt.date.fromisoformat(end)))


def active_days(pid, first, last):
    p = person[pid]
    lo = max(first, dt.date.fromisoformat(p["Start Date"]))
    hi = min(last, dt.date.fromisoformat(p["End Date"])) if p["End Date"].strip() else last
    return max(0, (hi - lo).days + 1)


def share(pid, col, first, last, parts):
    """The person's Quota or Target Incentive (stated per quarter) for an attainment period that
    is 1/parts of the quarter, prorated by active days / days in that period (inclusive)."""
    days = (last - first).days + 1
    return Fraction(to_cents(person[pid][col])) / parts * active_days(pid, first, last) / days


def marginal(x, quota, tiers):
    """Pay(x): each slice [lower, next lower) of cumulative x at its own rate (exact cents)."""
    total = Fraction(0)
    for k, (lo, rate) in enumerate(tiers):
        lower = lo * quota
        upper = tiers[k + 1][0] * quota if k + 1 < len(tiers) else None
        top = x if upper is None else min(x, upper)
        if top > lower:
            total += (top - lower) * rate
    return total


def curve(points, att, step):
    """Flat beyond the ends; step: the highest point at or below; else linear between points."""
    if att <= points[0][0]:
        return points[0][1]
    if att >= points[-1][0]:
        return points[-1][1]
    for (a0, p0), (a1, p1) in zip(points, points[1:]):
        if a0 <= att < a1:
            return p0 if step else p0 + (p1 - p0) * (att - a0) / (a1 - a0)
    raise AssertionError(att)


# The INI's worked example, by hand: quota 275,000.00, 130,000.00 booked, a 20,000.00 deal takes
# the quarter to 150,000.00, crossing 50% = 137,500.00. Slices: 137,500.00 - 130,000.00 =
# 7,500.00 at 6% = 450.00, and 150,000.00 - 137,500.00 = 12,500.00 at 8% = 1,000.00; line =
# 1,450.00. Pay(150,000.00) - Pay(130,000.00) must give exactly that.
c.eq("worked example 50% crossing",
     marginal(Fraction(15_000_000), Fraction(27_500_000), AE_TIERS)
     - marginal(Fraction(13_000_000), Fraction(27_500_000), AE_TIERS), Fraction(145_000))

won = []  # closed-won deals, duplicates removed, closed 2026-10-01 .. as-of (all of Q4 so far)
for r in rows("deals.csv"):
    if r["Stage"].strip().lower() not in ("closed won", "closedwon"):
        continue
    close = dt.date.fromisoformat(r["Close Date"])
    if Q_FIRST <= close <= min(Q_LAST, AS_OF):
        won.append(dict(id=r["Opportunity ID"], owner=r["Opportunity Owner ID"], close=close,
                        amount=to_cents(r["Amount"]), type=r["Deal Type"].strip(),
                        sdr=r.get("SDR ID", "").strip()))
won.sort(key=lambda d: (d["close"], d["id"]))  # close order, ties by deal ID
in_month = [d for d in won if FIRST <= d["close"] <= LAST]

lines = {}  # (person, component, deal id or None) -> cents
own_rev, own_deals, unpaid = {}, {}, []


def pay_line(pid, comp, deal, amount):
    key = (pid, comp, deal)
    assert key not in lines, key
    lines[key] = amount


for d in in_month:
    o = d["owner"]
    if o in person and active(o, d["close"]) and person[o]["Plan"].strip():
        own_rev[o] = own_rev.get(o, 0) + d["amount"]
        own_deals[o] = own_deals.get(o, 0) + 1
    else:
        unpaid.append(d)  # owner unknown, inactive that day, or without a plan

def pays(d):
    """§7a: a deal whose owner is unknown or inactive on the close date pays no one (no
    override, no SPIF on it), though it still counts in team and company measures."""
    return d["owner"] in person and active(d["owner"], d["close"])


children = {}
for p in people:
    children.setdefault(p["Manager ID"].strip(), []).append(p["Employee ID"])


def reports(pid):
    out, todo = set(), list(children.get(pid, []))
    while todo:
        x = todo.pop()
        if x not in out:
            out.add(x)
            todo.extend(children.get(x, []))
    return out


# first eligible touch per October deal, from the journeys derived above
non_marketing = {x.strip().lower() for x in
                 cfg.get("non_marketing_channels", cfg.get("direct_channels", "direct")).split(",")
                 if x.strip()}
sourced_rev = sum(d["amount"] for d in in_month if d["id"] in first_campaign
                  and campaign_channel[first_campaign[d["id"]]].strip().lower()
                  not in non_marketing)
company_rev = sum(d["amount"] for d in in_month)
ae_crossings = []
attain = {}  # (person, component) -> measure / quota or goal at the end of October (§7b)

for p in people:
    pid, plan = p["Employee ID"], p["Plan"].strip().lower()
    if plan == "ae":
        quota = share(pid, "Quota", Q_FIRST, Q_LAST, 1)
        cum = Fraction(0)
        for d in won:
            if d["owner"] != pid or not active(pid, d["close"]):
                continue
            before, cum = cum, cum + d["amount"]
            line = rnd(marginal(cum, quota, AE_TIERS) - marginal(before, quota, AE_TIERS))
            if before < quota / 2 <= cum:
                ae_crossings.append((pid, d["id"], before, cum, quota, line))
            if FIRST <= d["close"] <= LAST:
                pay_line(pid, "commission", d["id"], min(line, AE_CAP_DEAL))
        if quota:  # 0 for a leaver before the quarter, who is not in the run
            attain[pid, "commission"] = cum / quota
        for d in in_month:
            if (d["owner"] == pid and active(pid, d["close"]) and d["type"] == "New Logo"
                    and d["amount"] >= BIG_LOGO_MIN
                    and dt.date(2026, 10, 1) <= d["close"] <= dt.date(2026, 12, 31)):
                pay_line(pid, "big_new_logo", d["id"], SPIF_AE)
    elif plan == "mgr":
        quota = share(pid, "Quota", Q_FIRST, Q_LAST, 1)
        team = reports(pid)
        cum = Fraction(0)
        for d in won:  # a deal of an inactive owner still counts in team revenue (§7a)
            if d["owner"] not in team:
                continue
            before, cum = cum, cum + d["amount"]
            if FIRST <= d["close"] <= LAST and active(pid, d["close"]) and pays(d):
                pay_line(pid, "override", d["id"],
                         rnd(marginal(cum, quota, MGR_TIERS) - marginal(before, quota, MGR_TIERS)))
        if quota:
            attain[pid, "override"] = cum / quota
    elif plan == "sdr":
        for d in in_month:
            if (d["sdr"] == pid and d["type"] == "New Logo" and active(pid, d["close"])
                    and pays(d)):
                pay_line(pid, "sourced_spif", d["id"], SPIF_SDR)
    elif plan == "mkt" and active_days(pid, FIRST, LAST):
        target = share(pid, "Target Incentive", FIRST, LAST, 3)  # a month: 1/3 of the quarter
        goal = share(pid, "Quota", FIRST, LAST, 3)
        att = Fraction(company_rev) / goal
        attain[pid, "company_goal"] = att
        pay_line(pid, "company_goal", None,
                 rnd(target * Fraction(60, 100) * min(curve(COMPANY_CURVE, att, False), 2)))
        att = Fraction(sourced_rev, SOURCED_GOAL)
        attain[pid, "sourced_goal"] = att
        pct = curve(SOURCED_CURVE, att, True) if att >= SOURCED_GATE else Fraction(0)
        pay_line(pid, "sourced_goal", None, rnd(target * Fraction(40, 100) * pct))

# Tier crossings on AE commission lines. In the current samples no AE reaches 50% of quota in
# October: the highest is Wen Fischer (005Dn0000000EJ9), 134,313.76 / 275,000.00 = 48.84%, so
# every AE line is a single 6% slice, e.g. her 2026-10-28 line on 006Dn000000CAQk: cumulative
# 81,900.00 -> 134,313.76, both below 137,500.00, so 52,413.76 × 6% = 3,144.8256 -> 3,144.83
# (3,186.24 of headroom remained below the 8% tier). The boundary arithmetic itself is checked on
# the INI's worked example above (7,500.00 × 6% + 12,500.00 × 8% = 1,450.00). If the samples
# change so that a line crosses, its slices are verified here against a by-hand split:
for pid, deal, before, cum, quota, line in ae_crossings:
    half = quota / 2
    c.eq(f"{pid} {deal} crossing slices",
         line, rnd((half - before) * Fraction(6, 100) + (min(cum, quota) - half) * Fraction(8, 100)
                   + max(Fraction(0), cum - quota) * Fraction(12, 100)))
pay = {}
for (pid, _, _), v in lines.items():
    pay[pid] = pay.get(pid, 0) + v

pw = load_values(f"{out}/payouts-{FIRST:%Y-%m}.xlsx")
prow, ptotal = table(pw["Payouts"], "Person ID")
# §7b: a person on a plan appears when active at least one day of October or with lines in it;
# Quentin Haddad (005Dn0000000EJB) left on 2026-09-30 and has no October line.
in_run = [p["Employee ID"] for p in people if p["Plan"].strip()
          and (active_days(p["Employee ID"], FIRST, LAST) or pay.get(p["Employee ID"]))]
c.true("the leaver without lines is not listed", "005Dn0000000EJB" not in in_run)
c.eq("people listed", [r["Person ID"] for r in prow], in_run)
c.eq("Payouts columns", list(prow[0])[:10] if prow else None,
     ["Person ID", "Name", "Team", "Role", "Plan", "Payout period", "Deals closed (count)",
      "Own revenue (USD)", "Own-revenue quota for the payout period (USD)",
      "Target incentive for the payout period (USD)"])
MEASURED = {"ae": ["commission"], "mgr": ["override"], "mkt": ["company_goal", "sourced_goal"],
            "sdr": []}
for r in prow:
    pid = r["Person ID"]
    p = person.get(pid, {})
    plan = p.get("Plan", "").strip().lower()
    c.eq(f"name/team/role/plan {pid}", [r["Name"], r["Team"], r["Role"], r["Plan"]],
         [p.get("Full Name"), p.get("Team"), p.get("Role"), PLAN_NAME.get(plan)])
    c.eq(f"payout period {pid}", r["Payout period"], f"{FIRST:%Y-%m}")
    c.eq(f"earned {pid}", cents(r["Earned (USD)"]), pay.get(pid, 0))
    c.eq(f"payable {pid}", cents(r["Payable (USD)"]), max(0, pay.get(pid, 0)))
    c.eq(f"own revenue {pid}", cents(r["Own revenue (USD)"]), own_rev.get(pid, 0))
    c.eq(f"deals {pid}", r["Deals closed (count)"], own_deals.get(pid, 0))
    # a month's share of the target (stated per quarter; the SDR plan's quota_period is the
    # default, a month) and, for AEs only, of the quarterly quota, by active days
    target = share(pid, "Target Incentive", FIRST, LAST, 1 if plan == "sdr" else 3)
    c.eq(f"target for October {pid}", cents(r["Target incentive for the payout period (USD)"]),
         rnd(target))
    quota = r["Own-revenue quota for the payout period (USD)"]
    c.eq(f"own-revenue quota for October {pid}", None if quota is None else cents(quota),
         rnd(share(pid, "Quota", FIRST, LAST, 3)) if plan == "ae" else None)
    # item 5: each measured component's attainment, never a SPIF line's 0
    for comp in ("commission", "override", "company_goal", "sourced_goal"):
        got = r.get(f"{comp} attainment (%)")
        want = attain.get((pid, comp))
        c.true(f"{pid} {comp} attainment {got!r} = {want!r}",
               (got is None and want is None)
               or (got is not None and want is not None and abs(got - float(want)) < 1e-12))
    c.eq(f"{pid} has every measured component", sorted(k for (q, k) in attain if q == pid),
         sorted(MEASURED.get(plan, [])))
c.eq("payout total", cents(ptotal["Earned (USD)"]), sum(pay.values()))
c.eq("deals total", ptotal["Deals closed (count)"], sum(own_deals.values()))
c.eq("own revenue total", cents(ptotal["Own revenue (USD)"]), sum(own_rev.values()))

# Item 7: the team roll-up adds up figures of one kind only. Per team: headcount, October's
# target, the AEs' own revenue and their October quota (the only own-revenue quotas), their
# attainment = revenue / quota, and the payout.
trows, ttotal = table(pw["Summary"], "Team")
want_team = {}
for pid in in_run:
    p = person[pid]
    t = want_team.setdefault(p["Team"], dict(head=0, target=Fraction(0), rev=0,
                                             quota=Fraction(0), pay=0))
    t["head"] += 1
    sdr = p["Plan"].strip().lower() == "sdr"
    t["target"] += share(pid, "Target Incentive", FIRST, LAST, 1 if sdr else 3)
    if p["Plan"].strip().lower() == "ae":
        t["rev"] += own_rev.get(pid, 0)
        t["quota"] += share(pid, "Quota", FIRST, LAST, 3)
    t["pay"] += pay.get(pid, 0)
c.eq("teams on the Summary", [r["Team"] for r in trows], list(want_team))
for r in trows:
    w = want_team[r["Team"]]
    c.eq(f"team {r['Team']} headcount", r["Headcount (people)"], w["head"])
    c.eq(f"team {r['Team']} target", cents(r["Target incentive for the period (USD)"]),
         rnd(w["target"]))
    c.eq(f"team {r['Team']} reps' revenue", cents(r["Reps' own revenue (USD)"]), w["rev"])
    c.eq(f"team {r['Team']} reps' quota",
         cents(r["Reps' own-revenue quota for the period (USD)"]), rnd(w["quota"]))
    att = r["Reps' attainment (own revenue ÷ quota, %)"]
    if w["quota"]:
        c.true(f"team {r['Team']} attainment {att!r}",
               isinstance(att, float) and abs(att - w["rev"] / float(w["quota"])) < 1e-9)
    else:
        c.eq(f"team {r['Team']} attainment has no meaning", att, "—")
    c.eq(f"team {r['Team']} earned", cents(r["Earned (USD)"]), w["pay"])
c.eq("Summary total headcount", ttotal["Headcount (people)"], len(in_run))
c.eq("Summary total reps' revenue", cents(ttotal["Reps' own revenue (USD)"]),
     sum(w["rev"] for w in want_team.values()))
c.eq("Summary total earned", cents(ttotal["Earned (USD)"]), sum(pay.values()))
ps = labels(pw["Summary"])
c.eq("deals that pay no one", ps.get("Deals that pay no one"), len(unpaid))
c.eq("their revenue", cents(ps.get("Their revenue", 0)), sum(d["amount"] for d in unpaid))

lrows, ltotal = table(pw["Lines"], "Person ID")
got_lines = {}
for r in lrows:
    key = (r["Person ID"], r["Component"], r["Deal ID"])
    c.true(f"one Lines row per {key}", key not in got_lines)
    got_lines[key] = cents(r["Amount (USD)"])
    c.eq(f"Line kind {key}", r["Line"], "period" if r["Deal ID"] is None else "deal")
for key in sorted(set(got_lines) | set(lines), key=lambda k: (k[0], k[1], k[2] or "")):
    c.eq(f"line {key}", got_lines.get(key), lines.get(key))
lines_sum = sum(got_lines.values())
c.eq("Lines Amount total = Payouts total", lines_sum, cents(ptotal["Earned (USD)"]))
if ltotal is not None:
    c.eq("Lines Total row", cents(ltotal["Amount (USD)"]), lines_sum)
for p in people:
    pid = p["Employee ID"]
    if p["Plan"].strip().lower() != "ae":
        continue
    c.eq(f"{pid} commission deals = own October deals",
         sorted(k[2] for k in got_lines if k[0] == pid and k[1] == "commission"),
         sorted(d["id"] for d in in_month if d["owner"] == pid and active(pid, d["close"])))
# lines-2026-10.csv (issue 12): every line, the Lines sheet's in the same order (the default
# lines_rows_max, 100,000, cuts nothing here), and the Summary names it with its count and total.
with open(f"{out}/lines-{FIRST:%Y-%m}.csv", newline="", encoding="utf-8") as fh:
    csv_lines = list(csv.DictReader(fh))
c.eq("lines CSV = the Lines sheet, in order",
     [(r["person_id"], r["component"], r["deal_id"], to_cents(r["amount"])) for r in csv_lines],
     [(r["Person ID"], r["Component"], r["Deal ID"] or "", cents(r["Amount (USD)"]))
      for r in lrows])
c.eq("Summary: payout lines (count)", ps.get("Payout lines (count)"), len(lrows))
c.eq("Summary: every line is in", ps.get("Every line is in"), f"lines-{FIRST:%Y-%m}.csv")
c.eq("Summary: its total", cents(ps.get("Its total (USD)", 0)), lines_sum)
c.eq("Summary: on the Lines sheet (count)", ps.get("On the Lines sheet (count)"), len(lrows))
with open(f"{out}/payroll-{FIRST:%Y-%m}.csv", newline="", encoding="utf-8") as fh:
    payroll = list(csv.DictReader(fh))
c.eq("payroll total = Lines total", sum(to_cents(r["amount"]) for r in payroll), lines_sum)
c.eq("payroll total", sum(to_cents(r["amount"]) for r in payroll), sum(pay.values()))
c.eq("payroll per person", {r["person_id"]: to_cents(r["amount"]) for r in payroll
                            if to_cents(r["amount"])},
     {k: v for k, v in pay.items() if v})

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

# Spend belongs to the period (DESIGN §7b): each campaign's Actual Cost spread evenly over its
# Start–End days (a running campaign, End after as-of: Start to as-of), the days inside the
# period counted, rounded half away from zero once per campaign; no Start Date: all of it.
def period_spend(first, last, as_of):
    total = 0
    for r in rows("campaigns.csv"):
        spend = to_cents(r["Actual Cost"])
        if not r["Start Date"].strip():
            total += spend
            continue
        start = dt.date.fromisoformat(r["Start Date"])
        end = dt.date.fromisoformat(r["End Date"]) if r["End Date"].strip() else None
        hi = as_of if end is None or end > as_of else end
        if hi < start:
            continue
        inside = max(0, (min(hi, last) - max(start, first)).days + 1)
        total += rnd(Fraction(spend * inside, (hi - start).days + 1))
    return total


october_spend = period_spend(FIRST, LAST, AS_OF)
lifetime = sum(to_cents(r["Actual Cost"]) for r in rows("campaigns.csv"))
c.eq("October spend in period", cents(s["Campaign spend in period"]), october_spend)
c.true("October spend is not the lifetime total", october_spend < lifetime)
# The same campaigns in a Q3 run (same as-of) spend a different amount: the quarter's days.
with tempfile.TemporaryDirectory() as q3:
    subprocess.run([binary, "run", "-c", os.path.join(root, "config/sametable.ini"), "--out", q3,
                    "--period", "2026-Q3"], check=True)
    q3s = labels(load_values(f"{q3}/attribution-2026-Q3.xlsx")["Summary"])
    q3_spend = period_spend(dt.date(2026, 7, 1), dt.date(2026, 9, 30), AS_OF)
    c.eq("Q3 spend in period", cents(q3s["Campaign spend in period"]), q3_spend)
    c.true(f"Q3 spend {q3_spend} differs from October's {october_spend}",
           q3_spend != october_spend and q3_spend < lifetime)

# A rerun with the same inputs and as-of date gives byte-identical files.
with tempfile.TemporaryDirectory() as again:
    subprocess.run([binary, "run", "-c", os.path.join(root, "config/sametable.ini"), "--out",
                    again], check=True)
    names = sorted(n for n in os.listdir(out) if not n.startswith("."))
    c.eq("rerun file names", sorted(n for n in os.listdir(again) if not n.startswith(".")), names)
    _, mismatch, errors = filecmp.cmpfiles(out, again, names, shallow=False)
    c.eq("rerun differences", mismatch + errors, [])
c.done()
