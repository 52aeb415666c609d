"""The interrupted switch was completed (the old copy the exchange left removed), the manifest
removed, and the run's own set published."""
import os
import sys

out = sys.argv[1]
names = sorted(os.listdir(out))
want = [".sametable.lock", "attribution-2026-10.xlsx", "credits-2026-10.csv", "extra.csv",
        "other.csv", "payouts-2026-10.xlsx", "payroll-2026-10.csv", "lines-2026-10.csv", "rejects-2026-10.csv"]
assert names == sorted(want), names
for name, text in (("extra.csv", "new extra\n"), ("other.csv", "new other\n")):
    with open(os.path.join(out, name)) as fh:
        got = fh.read()
        assert got == text, (name, got)
print("1 passed, 0 failed")
