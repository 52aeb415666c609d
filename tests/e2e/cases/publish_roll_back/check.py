"""The staged files of the interrupted run are gone, the old file untouched, no manifest left."""
import os
import sys

out = sys.argv[1]
names = sorted(os.listdir(out))
want = [".sametable.lock", "attribution-2026-10.xlsx", "credits-2026-10.csv", "extra.csv",
        "payouts-2026-10.xlsx", "payroll-2026-10.csv", "lines-2026-10.csv",
        "rejects-2026-10.csv"]
assert names == sorted(want), names
with open(os.path.join(out, "extra.csv")) as fh:
    assert fh.read() == "old\n"
print("1 passed, 0 failed")
