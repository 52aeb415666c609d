"""Draws with the ledger (issue 13): nightly runs and closes over three months, worked by hand.

Every plan pays 10% of own revenue, monthly. Amounts in USD; a "balance" is the recoverable draw
still owed, carried in the ledger (posted_row.draw_in / draw_out).

P1 Ada, plan ae: recoverable draw 3,000.00 a month, recovery 100% of the payout above the draw.
  July   D1 12,000.00 -> earns 1,200.00 < 3,000.00: draw pays 1,800.00, payable 3,000.00;
         balance 0.00 + 1,800.00 = 1,800.00
  August D2 45,000.00 -> earns 4,500.00; above the draw 1,500.00; recovers min(1,800.00,
         100% × 1,500.00) = 1,500.00; payable 4,500.00 − 1,500.00 = 3,000.00; balance 300.00
  Sept.  D3 50,000.00 -> earns 5,000.00; above 2,000.00; recovers min(300.00, 2,000.00) =
         300.00; payable 4,700.00; balance 0.00      (recovered over two months)
P2 Bo, plan nr: non-recoverable draw 2,000.00.
  July   D4 5,000.00 -> 500.00; draw pays 1,500.00; payable 2,000.00; balance stays 0.00
  August D5 60,000.00 -> 6,000.00; nothing to recover; payable 6,000.00
  Sept.  no deal -> 0.00; draw pays 2,000.00; payable 2,000.00 (the shortfall is never owed)
P3 Cy, plan ae but the people file's draw column says 1,000.00 (replaces the plan's 3,000.00).
  July   nothing -> draw pays 1,000.00; balance 1,000.00
  August D6 20,000.00 -> 2,000.00; above 1,000.00; recovers 1,000.00; payable 1,000.00; 0.00
  Sept.  nothing -> draw pays 1,000.00; balance 1,000.00
P4 Di, plan capped: draw 2,000.00, recovery 50% of the payout above it, at most 300.00 a month,
  recovery until 2026-08-31.
  July   D7 8,000.00 -> 800.00; draw pays 1,200.00; payable 2,000.00; balance 1,200.00
  August D8 40,000.00 -> 4,000.00; above 2,000.00; 50% = 1,000.00, capped at 300.00; payable
         3,700.00; balance 900.00
  Sept.  D9 50,000.00 -> 5,000.00; September ends after 2026-08-31: nothing recovered, the
         900.00 still owed is forgiven; payable 5,000.00; balance 0.00
P5 Ed, plan nr, left 2026-07-31, no deals: July's draw pays 2,000.00; no row after (not active).

No draw entry is earned: no run after a close posts a true-up or an unclosed line. Without the
ledger a quarter run carries the balance from month to month inside the run (the same payroll
as the closes); a run over August alone starts from 0.00 (P1 pays 4,500.00, P3 2,000.00, P4
4,000.00). With draw_until = 2026-08-31 on P2's plan, P2's September pays 0.00.
"""
import csv
import os
import sqlite3
import subprocess
import sys

lib = __file__.rsplit("/", 3)[0] + "/lib"
sys.path.insert(0, lib)
from wb import Checker, cents, load, load_values, table  # noqa: E402
from recalc import check_many  # noqa: E402

out, case, binary = sys.argv[1], sys.argv[2], sys.argv[3]
ini = os.path.join(case, "case.ini")
db = os.path.join(out, "ledger.db")
led = ["--set", f"ledger.path={db}"]
env = {k: v for k, v in os.environ.items() if k != "SAMETABLE_TEST_RUN_ID"}
c = Checker()


def sametable(*args):
    p = subprocess.run([binary, *args], capture_output=True, text=True, env=env,
                       stdin=subprocess.DEVNULL)
    c.eq(f"exit of {' '.join(args[:3])}", p.returncode, 0)
    c.eq(f"stderr of {' '.join(args[:3])}", p.stderr, "")
    return p


def payroll(path):
    """[(person, period, cents)] and the run IDs the file names."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return ([(r["person_id"], r["period"], cents(float(r["amount"]))) for r in rows],
            {r["run_id"] for r in rows})


def run_month(month, as_of):
    d = os.path.join(out, month)
    sametable("run", "-c", ini, *led, "--period", month, "--as-of", as_of, "--out", d)
    return d


def close(month, d, run_ids):
    c.eq(f"{month}: one run ID in the payroll file", len(run_ids), 1)
    sametable("close", "-c", ini, *led, "--period", month, "--run", min(run_ids), "--out", d)


def ledger_rows(month):
    """posted_row of the close of `month`: person -> (draw_in, draw_out, payable)."""
    with sqlite3.connect(db) as con:
        return {p: (a, b, c_) for p, a, b, c_ in con.execute(
            "SELECT r.person, r.draw_in, r.draw_out, r.payable FROM posted_row r"
            " JOIN close c ON c.id = r.close_id WHERE c.period = ? AND c.reopened_at IS NULL",
            (month,))}


def ledger_draw_lines(month):
    """The draw entries posted by the close of `month`: sorted (entry, person, amount)."""
    with sqlite3.connect(db) as con:
        return sorted(con.execute(
            "SELECT p.entry, p.person, p.amount FROM posted p JOIN close c ON c.id = p.close_id"
            " WHERE c.period = ? AND p.entry IN ('draw', 'draw_back', 'forgiven')", (month,)))


def ledger_query(sql, *args):
    with sqlite3.connect(db) as con:
        return list(con.execute(sql, args))


# ---- July: the case's own run (args), then its close ----------------------------------------
want7 = [("P1", "2026-07", 300000), ("P2", "2026-07", 200000), ("P3", "2026-07", 100000),
         ("P4", "2026-07", 200000), ("P5", "2026-07", 200000)]
got7, ids7 = payroll(os.path.join(out, "payroll-2026-07.csv"))
c.eq("July payroll", got7, want7)
close("2026-07", out, ids7)
c.eq("July ledger rows (draw in, draw out, payable)", ledger_rows("2026-07"),
     {"P1": (0, 180000, 300000), "P2": (0, 0, 200000), "P3": (0, 100000, 100000),
      "P4": (0, 120000, 200000), "P5": (0, 0, 200000)})
c.eq("July draw entries", ledger_draw_lines("2026-07"),
     [("draw", "P1", 180000), ("draw", "P2", 150000), ("draw", "P3", 100000),
      ("draw", "P4", 120000), ("draw", "P5", 200000)])

# ---- August -------------------------------------------------------------------------------
d8 = run_month("2026-08", "2026-08-31")
want8 = [("P1", "2026-08", 300000), ("P2", "2026-08", 600000), ("P3", "2026-08", 100000),
         ("P4", "2026-08", 370000)]
got8, ids8 = payroll(os.path.join(d8, "payroll-2026-08.csv"))
c.eq("August payroll", got8, want8)
c.true("August's run ID differs from July's", ids8 and ids8.isdisjoint(ids7))
c.eq("August posts no true-up or unclosed line (draws are not earned)",
     ledger_query("SELECT count(*) FROM run_line WHERE run_id = ? AND entry NOT IN"
                  " ('line', 'draw', 'draw_back', 'forgiven')", min(ids8)), [(0,)])

# The workbook: Payouts shows the draw columns and Payable adds them up.
wb = load_values(os.path.join(d8, "payouts-2026-08.xlsx"))
rows, total = table(wb["Payouts"], "Person ID")
c.eq("Payouts draw columns (paid, recovered, carried out, payable)",
     [(r["Person ID"], cents(r["Draw paid (USD)"]), cents(r["Draw recovered (USD)"]),
       cents(r["Draw balance carried out (USD)"]), cents(r["Payable (USD)"])) for r in rows],
     [("P1", 0, 150000, 30000, 300000), ("P2", 0, 0, 0, 600000), ("P3", 0, 100000, 0, 100000),
      ("P4", 0, 30000, 90000, 370000)])
c.eq("Payouts total payable", cents(total["Payable (USD)"]), 1370000)
fwb = load(os.path.join(d8, "payouts-2026-08.xlsx"))
frows, _ = table(fwb["Payouts"], "Person ID")
c.true("Payable is a formula over the draw columns",
       all(isinstance(r["Payable (USD)"], str) and r["Payable (USD)"].startswith("=ROUND(")
           for r in frows))
# The Adjustments sheet's balances: draw carried in, paid, recovered, forgiven, carried out.
bal, header = [], None
for r in wb["Adjustments"].iter_rows(values_only=True):
    if header is None and r[0] == "Person ID" and "Draw carried in (USD)" in r:
        header = list(r)
    elif header is not None and r[0] is not None:
        bal.append(dict(zip(header, r)))
    elif header is not None:
        break
c.eq("Adjustments balances (draw in, paid, recovered, forgiven, out)",
     [(r["Person ID"], cents(r["Draw carried in (USD)"]), cents(r["Draw paid (USD)"]),
       cents(r["Draw recovered (USD)"]), cents(r["Draw forgiven (USD)"]),
       cents(r["Draw carried out (USD)"])) for r in bal],
     [("P1", 180000, 0, 150000, 0, 30000), ("P2", 0, 0, 0, 0, 0),
      ("P3", 100000, 0, 100000, 0, 0), ("P4", 120000, 0, 30000, 0, 90000)])
# Every statement shows the draw and the balance carried.
texts = [v for row in wb["St East"].iter_rows(values_only=True) for v in row
         if isinstance(v, str)]
for line in ("Draw balance: 1,800.00 carried in + 0.00 paid − 1,500.00 recovered = 300.00 USD "
             "carried out",
             "Draw balance: 0.00 carried in + 0.00 paid − 0.00 recovered = 0.00 USD carried out",
             "Draw balance: 1,200.00 carried in + 0.00 paid − 300.00 recovered = 900.00 USD "
             "carried out",
             "Draw recovered: 50% × the payout above the draw, at most 300.00, at most the "
             "balance"):
    c.true(f"August statements show {line!r}", line in texts)

close("2026-08", d8, ids8)
c.eq("August ledger rows", ledger_rows("2026-08"),
     {"P1": (180000, 30000, 300000), "P2": (0, 0, 600000), "P3": (100000, 0, 100000),
      "P4": (120000, 90000, 370000)})
c.eq("August draw entries", ledger_draw_lines("2026-08"),
     [("draw_back", "P1", -150000), ("draw_back", "P3", -100000), ("draw_back", "P4", -30000)])

# ---- September ----------------------------------------------------------------------------
d9 = run_month("2026-09", "2026-09-30")
want9 = [("P1", "2026-09", 470000), ("P2", "2026-09", 200000), ("P3", "2026-09", 100000),
         ("P4", "2026-09", 500000)]
got9, ids9 = payroll(os.path.join(d9, "payroll-2026-09.csv"))
c.eq("September payroll", got9, want9)
c.eq("September posts no true-up or unclosed line",
     ledger_query("SELECT count(*) FROM run_line WHERE run_id = ? AND entry NOT IN"
                  " ('line', 'draw', 'draw_back', 'forgiven')", min(ids9)), [(0,)])
close("2026-09", d9, ids9)
c.eq("September ledger rows", ledger_rows("2026-09"),
     {"P1": (30000, 0, 470000), "P2": (0, 0, 200000), "P3": (0, 100000, 100000),
      "P4": (90000, 0, 500000)})
c.eq("September draw entries", ledger_draw_lines("2026-09"),
     [("draw", "P2", 200000), ("draw", "P3", 100000), ("draw_back", "P1", -30000),
      ("forgiven", "P4", 90000)])
# Each closed row's arithmetic: earned + adjustments (draws included) − recovered = payable.
bad = ledger_query("SELECT person, payout_period FROM posted_row"
                   " WHERE earned + adjustments - recovered != payable")
c.eq("posted rows: earned + adjustments − recovered = payable", bad, [])
h = sametable("history", "-c", ini, *led, "--person", "P1").stdout
for line in ("draw to recover: 0.00 carried in, 1,800.00 carried out",
             "draw to recover: 1,800.00 carried in, 300.00 carried out",
             "draw to recover: 300.00 carried in, 0.00 carried out",
             "paid to date (closed periods not reopened): 10,700.00"):
    c.true(f"history of P1 shows {line!r}", line in h)

# ---- Without the ledger (case.ini names none) ------------------------------------------------
q = os.path.join(out, "stateless-q3")
sametable("run", "-c", ini, "--period", "2026-Q3", "--as-of",
          "2026-09-30", "--out", q)
got_q, _ = payroll(os.path.join(q, "payroll-2026-Q3.csv"))
c.eq("a quarter run without the ledger carries the draw balance month to month",
     sorted(got_q), sorted(want7 + want8 + want9))
a = os.path.join(out, "stateless-08")
sametable("run", "-c", ini, "--period", "2026-08", "--as-of",
          "2026-08-31", "--out", a)
got_a, _ = payroll(os.path.join(a, "payroll-2026-08.csv"))
c.eq("a month run without the ledger starts from a zero draw balance", got_a,
     [("P1", "2026-08", 450000), ("P2", "2026-08", 600000), ("P3", "2026-08", 200000),
      ("P4", "2026-08", 400000)])

# draw_until: the guarantee applies to payout periods ending on or before it. With P2's plan's
# draw ending 2026-08-31, September (ends 09-30) pays P2 their 0.00 earned, no draw.
u = os.path.join(out, "stateless-until")
sametable("run", "-c", ini, "--set", "plan.nr.draw_until=2026-08-31", "--period", "2026-Q3",
          "--as-of", "2026-09-30", "--out", u)
got_u, _ = payroll(os.path.join(u, "payroll-2026-Q3.csv"))
c.eq("draw_until ends the guarantee",
     [g for g in got_u if g[0] == "P2"],
     [("P2", "2026-07", 200000), ("P2", "2026-08", 600000), ("P2", "2026-09", 0)])
# A draw key that cannot be read is a configuration error (exit 78), never a guess.
p = subprocess.run([binary, "check", "-c", ini, "--set", "plan.nr.draw_type=maybe"],
                   capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)
c.eq("a bad draw_type exits 78", p.returncode, 78)
c.true("and names the key", "key 'draw_type' in [plan.nr]" in p.stderr)

# ---- LibreOffice recalculates every formula to the cached value ------------------------------
books = [os.path.join(d8, "payouts-2026-08.xlsx"), os.path.join(q, "payouts-2026-Q3.xlsx")]
for res in check_many(books):
    res.report()
    c.true(f"{os.path.basename(res.path)} recalculates to its cached values",
           res.ok and res.total > 0)
c.done()
