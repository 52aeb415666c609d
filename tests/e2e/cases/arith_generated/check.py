"""Issue 10 item 8 on a generated run with revenue splits and overlays, cancellations, SPIFs, a
pool, deals in EUR and GBP and payees paid in them (sametable-gen --splits --fx --cancellations,
gendata.ini_rich, period 2026-08): every calculation on Lines, the statements and `explain`
reproduces its amount by hand, and every column has a header (sheetcheck.py --checks ab), on
both workbooks and every per-person statement file. Then lines worked out by hand from the generated files
(the comments give the arithmetic), and a clawback checked against the July run that paid it.
"""
import os
import re
import subprocess
import sys

out, case, binary = sys.argv[1], sys.argv[2], sys.argv[3]
root = os.path.normpath(os.path.join(case, "..", "..", "..", ".."))
lib = os.path.join(root, "tests/e2e/lib")
sys.path.insert(0, lib)
from wb import Checker, cents, load_values, table  # noqa: E402

c = Checker()
gen = os.path.join(out, "..", "gen")
config = os.path.join(gen, "case.ini")
payouts = os.path.join(out, "payouts-2026-08.xlsx")

p = subprocess.run([sys.executable, os.path.join(lib, "sheetcheck.py"), "--bin", binary,
                    "--config", config, "--payouts", payouts, "--attribution",
                    os.path.join(out, "attribution-2026-08.xlsx"), "--statements",
                    os.path.join(out, "statements"), "--checks", "ab"],
                   capture_output=True, text=True)
c.eq("sheetcheck a, b on the generated run", p.returncode, 0)
if p.returncode:
    print(p.stdout, p.stderr)
m = re.search(r"checked a: (\d+), b: (\d+)", p.stdout)
c.true(f"it checked headers and calculations ({m and m.group(0)})",
       m and int(m.group(1)) > 200 and int(m.group(2)) > 400)


def rows_of(path):
    rows, _ = table(load_values(path)["Lines"], "Person ID")
    calc = [h for h in rows[0] if h and h.startswith("Calculation")][0]
    return rows, calc


rows, calc = rows_of(payouts)
got = {(r["Person ID"], r["Component"], r["Line"], r["Deal ID"]): r[calc] for r in rows}

# Worked by hand from fx.csv, splits.csv, deals.csv and the INI (AE tiers 0%: 6%, 25%: 7%,
# 50%: 8%, 100%: 12% of a 275,000.00 quarterly quota: 68,750.00 and 137,500.00; cap_deal
# 5,000.00; managers' tiers 0%: 1.5%, 50%: 2%, 100%: 3% of their quota, full value before
# 2026-08-16):
want = {
    # GBP 59,800.00 closed 2026-08-26: the rate from 2026-08-15, 1.264870: 75,639.226 →
    # 75,639.23; a 10% overlay: 7,563.923 → 7,563.92; the AE is at 94,380.56 → 101,944.48 of the
    # quarter, inside the 7% tier: 529.4744 → 529.47
    ("005Dn0000000EJ9", "commission", "deal", "006Dn000000CAQl"):
        "deal 59,800.00 GBP × 1.26487 rate → 75,639.23 USD; "
        "rate in force on the close date (from 2026-08-15); "
        "75,639.23 × 10% overlay → 7,563.92; 7,563.92 × 7% = 529.4744 → 529.47",
    # 4,280.01 split 33.33/33.33/33.34: exact 1,426.527333, 1,426.527333, 1,426.955334; floors
    # add up to 4,279.99, the two cents left go to the largest remainders (.7333, .7333), so the
    # 33.34% part stays 1,426.95 where rounding would give 1,426.96; at 7%: 99.8865 → 99.89
    ("005Dn0000000EJ9", "commission", "deal", "006Dn000000CAV1"):
        "4,280.01 × 33.34% split → 1,426.95 (largest remainder); 1,426.95 × 7% = 99.8865 → 99.89",
    # EUR 104,338.00 closed 2026-08-06 at 1.081055 (from 2026-08-01): 112,795.116… → 112,795.12;
    # 75%: 84,596.34; from 42,645.05 to 127,241.39 crosses 68,750.00: 26,104.95 × 6% +
    # 58,491.39 × 7% = 1,566.297 + 4,094.3973 = 5,660.6943 → 5,660.69, over cap_deal → 5,000.00
    ("005Dn0000000EJD", "commission", "deal", "006Dn000000CAUC"):
        "deal 104,338.00 EUR × 1.081055 rate → 112,795.12 USD; "
        "rate in force on the close date (from 2026-08-01); 112,795.12 × 75% split → 84,596.34; "
        "26,104.95 × 6% + 58,491.39 × 7% = 5,660.6943 → 5,660.69; "
        "capped at cap_deal 5,000.00 → 5,000.00",
    # joined 2026-08-17: active 45 of Q3's 92 days, so the 25% bound is 25% × 275,000.00 × 45/92
    # = 33,627.717391…; from 14,987.59 to 46,387.59: 18,640.127391… × 6% + 12,759.872608… × 7%
    # = 1,118.407643… + 893.191082… = 2,011.598726… → 2,011.60
    ("005Dn0000000EJI", "commission", "deal", "006Dn000000CAUA"):
        "(25% × (275,000.00 × 45/92 days) − 14,987.59) × 6% + "
        "(46,387.59 − 25% × (275,000.00 × 45/92 days)) × 7% = 2,011.59872608… → 2,011.60",
    # a manager's full-value override crossing 50% of 1,375,000.00 (687,500.00): GBP 82,500.00
    # at 1.263156 = 104,210.37; Pay(725,794.25) − Pay(621,583.88) = 725,794.25 × 2% −
    # 621,583.88 × 1.5% = 104,210.37 × 2% + 621,583.88 × 0.5% = 5,192.1268 → 5,192.13
    ("005Dn0000000EJ7", "override", "deal", "006Dn000000CARG"):
        "deal 82,500.00 GBP × 1.263156 rate → 104,210.37 USD; "
        "rate in force on the close date (from 2026-08-01); "
        "104,210.37 × 2% + 621,583.88 × 0.5% catch-up = 5,192.1268 → 5,192.13",
    # SPIF 100.00 over the deal's splits 2,025.00 / 675.00: 100.00 × 675 / 2,700 = 25.00; the
    # component's weight 50%: 12.50
    ("005Dn0000000EJA", "expansion_spif", "deal", "006Dn000000CAXj"):
        "SPIF 100.00 × 675.00 ÷ 2,700.00 split share → 25.00; 25.00 × 50% weight → 12.50",
    # August company revenue 950,906.23 above 500,000.00 at 0.7%: 3,156.34361 → 3,156.34; four
    # SDRs: 789.085 each, floors 789.08 leave 2 cents for the first two: the third gets 789.08
    ("005Dn0000000EJL", "pool", "pool share", None):
        "pool (950,906.23 − 500,000.00 threshold) × 0.7% = 3,156.34361 → 3,156.34; "
        "3,156.34 ÷ 4 members → 789.08 (largest remainder)",
    # target 5,000.00 a quarter, a third a month; attainment 950,906.23 × 3 / 2,750,000.00 =
    # 1.03735225…; between 100%: 100% and 150%: 200%: 1 + 0.03735225… × 2 = 1.0747045…;
    # 5,000.00 / 3 × 60% = 1,000.00 × 1.0747045… = 1,074.7045… → 1,074.70
    ("005Dn0000000EJO", "company_goal", "period", None):
        "attainment = 950,906.23 ÷ (2,750,000.00 ÷ 3) = 103.735225…%; "
        "payout = 100% + (attainment − 100%) × (200% − 100%) ÷ (150% − 100%) = 107.470450…%; "
        "interpolated between the curve's points 100%: 100% and 150%: 200%; "
        "target 5,000.00 ÷ 3 × 60% weight × payout = 1,074.70450181… → 1,074.70",
}
for key, text in want.items():
    c.eq(f"Lines text {key}", got.get(key), text)

# A clawback gives back exactly what the line paid: 006Dn000000CARx closed 2026-07-14 and was
# cancelled 2026-08-15, 32 days later (clawback_days 90); the July run paid its line.
claw = [r for r in rows if r["Line"] == "clawback" and r["Deal ID"] == "006Dn000000CARx"
        and r["Component"] == "commission"]
c.eq("one commission clawback of 006Dn000000CARx", len(claw), 1)
july = os.path.join(out, "..", "july")
subprocess.run([binary, "run", "-c", config, "--period", "2026-07", "--as-of", "2026-07-31",
                "--out", july], check=True)
jrows, _ = rows_of(os.path.join(july, "payouts-2026-07.xlsx"))
paid = [cents(r["Amount (USD)"]) for r in jrows if r["Deal ID"] == "006Dn000000CARx"
        and r["Component"] == "commission" and r["Line"] == "deal"]
c.eq("the July line of 006Dn000000CARx", len(paid), 1)
if claw and paid:
    amount = cents(claw[0]["Amount (USD)"])
    c.eq("the clawback is minus the July line", amount, -paid[0])
    a = f"{paid[0] // 100:,}.{paid[0] % 100:02d}"
    c.eq("the clawback's text", claw[0][calc],
         "cancelled 32 days after its close on 2026-07-14 (clawback_days 90); "
         f"− {a} paid for the deal → -{a}")

# A payee paid in EUR: explain and the statement divide the total by the rate in force on the
# period's last day (2026-08-15's EUR rate, 1.083769).
p = subprocess.run([binary, "explain", "-c", config, "--person", "005Dn0000000EJA"],
                   capture_output=True, text=True)
fx = [ln for ln in p.stdout.splitlines() if ln.startswith("Paid in EUR: ")]
c.eq("explain: one Paid in EUR line", len(fx), 1)
c.true(f"explain divides by the rate ({fx})",
       fx and re.fullmatch(r"Paid in EUR: [\d,]+\.\d\d USD ÷ 1\.083769 rate → [\d,]+\.\d\d EUR "
                           r"for 2026-08; the rate in force on 2026-08-31 \(from 2026-08-15\)",
                           fx[0]))
c.done()
