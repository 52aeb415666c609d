"""FX path: `check --strict` names the missing rate; `run` writes the converted cents. See NOTES.md."""
import csv
import io
import subprocess
import sys
import tempfile

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker  # noqa: E402

case, binary = sys.argv[2], sys.argv[3]
ini = f"{case}/case.ini"
c = Checker()

# Under --strict the one rejected row fails the check (exit 65) and is named.
p = subprocess.run([binary, "check", "--strict", "-c", ini], capture_output=True, text=True)
c.eq("strict exit", p.returncode, 65)
c.eq("strict stdout", p.stdout, "")
c.eq("strict stderr", p.stderr.splitlines(), [
    "sametable: deals.csv:5: no FX rate for JPY on or before 2026-10-01: 'JPY' in column 'currency'",
    "sametable: deals.csv: 1 of 5 data rows rejected, more than allowed (none under --strict)",
])

with tempfile.TemporaryDirectory() as out:
    p = subprocess.run([binary, "run", "-c", ini, "--out", out], capture_output=True, text=True)
    c.eq("run exit", p.returncode, 0)
    # The run succeeds (the share allows one bad row) and says so in one line for cron.
    c.eq("run stderr", p.stderr,
         f"sametable: 1 input row rejected (deals.csv 1), listed in {out}/rejects-2026-10.csv\n")

    def rows(name):
        with open(f"{out}/{name}", newline="") as fp:
            return list(csv.reader(io.StringIO(fp.read())))

    # Converted amounts (USD) per deal, each rounded once, half away from zero:
    #   D1 100.10 EUR × 1.05 (10-04's 1.0825 not yet in force) = 105.105 → 105.11
    #   D2 1,234.56 EUR × 1.0825 = 1,336.4112 → 1,336.41
    #   D3 100 JPY × 0.00675 (in force from 10-02, its close day) = 0.675 → 0.68
    #   D5 20.00 USD as written
    got = {r[0]: r[2] for r in rows("credits-2026-10.csv")[1:]}
    c.eq("converted amounts", got,
         {"D1": "105.11", "D2": "1336.41", "D3": "0.68", "D5": "20.00"})
    c.eq("rejects", rows("rejects-2026-10.csv"), [
        ["file", "line", "column", "value", "reason"],
        ["deals.csv", "5", "currency", "JPY", "no FX rate for JPY on or before 2026-10-01"],
    ])
c.done()
