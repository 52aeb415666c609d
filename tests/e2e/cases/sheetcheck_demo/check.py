"""Issue 10 "Done when": every sheet of both demo workbooks, read as finance reads them, with
every check of tests/e2e/lib/sheetcheck.py — headers (a), shown arithmetic (b), attainment
against `explain` (c), totals of one kind (d) — and every per-person statement file. NOTES.md lists what it reported on the code before
issue 10, per item.
"""
import os
import subprocess
import sys

out, case, binary = sys.argv[1], sys.argv[2], sys.argv[3]
root = os.path.normpath(os.path.join(case, "..", "..", "..", ".."))
p = subprocess.run([sys.executable, os.path.join(root, "tests/e2e/lib/sheetcheck.py"),
                    "--bin", binary, "--config", os.path.join(root, "config/sametable.ini"),
                    "--payouts", os.path.join(out, "payouts-2026-10.xlsx"),
                    "--attribution", os.path.join(out, "attribution-2026-10.xlsx"),
                    "--statements", os.path.join(out, "statements")],
                   capture_output=True, text=True)
print(p.stdout, p.stderr, sep="")
sys.exit(p.returncode)
