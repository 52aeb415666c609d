"""A close killed at any point leaves the ledger before or after it, never between; a run started
while a close holds the ledger exits 75 (issue 13).

One July run is published (4 lines, 3 payroll rows). Then, on a fresh copy of that ledger each
time, `close` runs with SAMETABLE_TEST_LEDGER_KILL=N for N = 1..9: steps 1–7 come before the
commit (locked, begun, run checked, close row, lines, rows, event), 8 after it, 9 is past the
last step (no kill). After each kill the copy must hold either no close at all (N <= 7) or the
whole close: 1 close, 4 posted lines, 3 posted rows, 1 event (N >= 8), pass integrity_check, and
accept the close again (before) or refuse it as a second close (after). Then 30 closes are
killed at random moments (0–40 ms after start) with the same invariant. Finally a close paused
at step 3 (SAMETABLE_TEST_LEDGER_PAUSE) holds the ledger: a run started then exits 75, and the
close finishes once let go.
"""
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from ledgerlib import Sequence  # noqa: E402
from wb import Checker  # noqa: E402

out, case, binary = sys.argv[1], sys.argv[2], sys.argv[3]
c = Checker()


def state(db):
    con = sqlite3.connect(db)
    try:
        ok = con.execute("PRAGMA integrity_check").fetchone()[0]
        n = tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("close", "posted", "posted_row", "event"))
    finally:
        con.close()
    return ok, n


BEFORE, AFTER = (0, 0, 0, 0), (1, 4, 3, 1)

with tempfile.TemporaryDirectory() as work:
    s = Sequence(binary, case, work)
    s.deals("deals_m1.csv")
    p = s.run("2026-07", "2026-07-31")
    c.eq("july run", (p.returncode, p.stderr), (0, ""))
    rid = s.run_id("2026-07")
    c.eq("published run: 4 lines, 3 rows",
         s.q("SELECT (SELECT count(*) FROM run_line), (SELECT count(*) FROM run_row)"), [(4, 3)])
    pristine = os.path.join(work, "pristine.db")
    con = sqlite3.connect(s.db)  # a clean single-file copy (the WAL folded in)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    shutil.copyfile(s.db, pristine)

    def fresh():
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(s.db + suffix):
                os.remove(s.db + suffix)
        shutil.copyfile(pristine, s.db)

    for n in range(1, 10):
        fresh()
        p = s.close("2026-07", rid, env={"SAMETABLE_TEST_LEDGER_KILL": str(n)})
        want_rc = -signal.SIGKILL if n <= 8 else 0
        c.eq(f"kill at step {n}: exit", p.returncode, want_rc)
        ok, got = state(s.db)
        c.eq(f"kill at step {n}: integrity", ok, "ok")
        c.eq(f"kill at step {n}: ledger", got, BEFORE if n <= 7 else AFTER)
        p = s.close("2026-07", rid)
        c.eq(f"kill at step {n}: close again", p.returncode, 0 if n <= 7 else 76)
        c.eq(f"kill at step {n}: then closed once", state(s.db)[1], AFTER)

    rng = random.Random(13)
    seen = set()
    for i in range(30):
        fresh()
        proc = subprocess.Popen(
            [binary, "close", "--period", "2026-07", "--run", rid, "-c", s.ini, "--out", s.out,
             "--set", "ledger.path=" + s.db], env=s.env, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, 0.04))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        ok, got = state(s.db)
        seen.add(got)
        c.eq(f"random kill {i}: integrity", ok, "ok")
        c.true(f"random kill {i}: before or after, got {got}", got in (BEFORE, AFTER))
    print(f"random kills: states seen {sorted(seen)}")

    # A run while a close holds the ledger: 75; the close then completes.
    fresh()
    flag = s.db + ".paused"
    close = subprocess.Popen(
        [binary, "close", "--period", "2026-07", "--run", rid, "-c", s.ini, "--out", s.out,
         "--set", "ledger.path=" + s.db], env=dict(s.env, SAMETABLE_TEST_LEDGER_PAUSE="3"),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(500):
        if os.path.exists(flag):
            break
        time.sleep(0.01)
    c.true("the close reached its pause", os.path.exists(flag))
    p = s.run("2026-08", "2026-08-31")
    c.eq("a run during close: 75", p.returncode, 75)
    c.true(f"…saying the ledger is held: {p.stderr}",
           "another sametable run or close holds the ledger" in p.stderr)
    p = s.close("2026-07", rid)
    c.eq("a second close during close: 75", p.returncode, 75)
    os.remove(flag)
    _, err = close.communicate(timeout=60)
    c.eq("the paused close completes", (close.returncode, err), (0, ""))
    c.eq("closed once", state(s.db)[1], AFTER)
c.done()
