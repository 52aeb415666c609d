"""Helpers for the ledger's e2e checks: a working copy of a case, nightly runs and closes through
the real binary, and the ledger read back with sqlite3."""
import csv
import os
import shutil
import sqlite3
import subprocess


class Sequence:
    """A case copied into `work` (its deals.csv and payments.csv replaced step by step), run with
    [ledger] path = work/ledger.db and --out work/out. Run IDs are real (the e2e runner's fixed
    SAMETABLE_TEST_RUN_ID is removed from the environment)."""

    def __init__(self, binary, case, work):
        self.binary = binary
        self.dir = os.path.join(work, "seq")
        shutil.copytree(case, self.dir)
        self.ini = os.path.join(self.dir, "case.ini")
        self.out = os.path.join(self.dir, "out")
        self.db = os.path.join(self.dir, "ledger.db")
        self.env = {k: v for k, v in os.environ.items() if k != "SAMETABLE_TEST_RUN_ID"}
        self.env["USER"] = "finance-test"

    def deals(self, name):
        shutil.copyfile(os.path.join(self.dir, name), os.path.join(self.dir, "deals.csv"))

    def payments(self, name):
        shutil.copyfile(os.path.join(self.dir, name), os.path.join(self.dir, "payments.csv"))

    def cmd(self, *args, env=None, ledger=True):
        argv = [self.binary, *args, "-c", self.ini, "--out", self.out]
        if ledger:
            argv += ["--set", "ledger.path=" + self.db]
        e = dict(self.env)
        if env:
            e.update(env)
        return subprocess.run(argv, capture_output=True, text=True, env=e,
                              stdin=subprocess.DEVNULL)

    def run(self, period, as_of, **kw):
        return self.cmd("run", "--period", period, "--as-of", as_of, **kw)

    def payroll(self, period, path=None):
        """[(person_id, payout period, cents, run_id)] of the published payroll file."""
        path = path or os.path.join(self.out, f"payroll-{period}.csv")
        with open(path, newline="", encoding="utf-8") as fh:
            return [(r["person_id"], r["period"], int(round(float(r["amount"]) * 100)),
                     r["run_id"]) for r in csv.DictReader(fh)]

    def pay(self, period, path=None):
        """{person_id: cents} of a payroll file."""
        return {p: c for p, _, c, _ in self.payroll(period, path)}

    def run_id(self, period, path=None):
        ids = {r for _, _, _, r in self.payroll(period, path)}
        assert len(ids) == 1, ids
        return ids.pop()

    def keep_payroll(self, period, name):
        """A copy of the published payroll file: the file payroll imported."""
        dst = os.path.join(self.dir, name)
        shutil.copyfile(os.path.join(self.out, f"payroll-{period}.csv"), dst)
        return dst

    def close(self, period, run_id, payroll=None, **kw):
        args = ["close", "--period", period, "--run", run_id]
        if payroll:
            args += ["--payroll", payroll]
        return self.cmd(*args, **kw)

    def q(self, sql, *params):
        con = sqlite3.connect(self.db)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    def posted(self, period):
        """{(person, entry, kind, deal, about): cents} posted by the close of `period` (not
        reopened)."""
        out = {}
        for person, entry, kind, deal, about, amount in self.q(
                "SELECT p.person, p.entry, p.kind, p.deal, p.about, p.amount FROM posted p"
                " JOIN close c ON c.id = p.close_id WHERE c.period = ? AND c.reopened_at IS NULL",
                period):
            key = (person, entry, kind, deal, about)
            out[key] = out.get(key, 0) + amount
        return out

    def rows(self, period):
        """{person: (earned, adjustments, balance_in, recovered, balance_out, payable)}."""
        return {r[0]: tuple(r[1:]) for r in self.q(
            "SELECT r.person, r.earned, r.adjustments, r.balance_in, r.recovered, r.balance_out,"
            " r.payable FROM posted_row r JOIN close c ON c.id = r.close_id"
            " WHERE c.period = ? AND c.reopened_at IS NULL", period)}
