"""The run on the same inputs: K1's touch joins no lead (its identities rows are rejected), so D1's
journey is L1's own touch alone; K2's joins L2. See NOTES.md."""
import csv
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, load_values, table  # noqa: E402

out, case, binary = sys.argv[1], sys.argv[2], sys.argv[3]
c = Checker()
with tempfile.TemporaryDirectory() as d:
    p = subprocess.run([binary, "run", "-c", os.path.join(case, "case.ini"), "--out", d],
                       capture_output=True, text=True)
    c.eq("run exit", p.returncode, 0)
    c.eq("run stderr", p.stderr,
         f"sametable: 3 input rows rejected (identities.csv 3), listed in {d}/rejects-2026-10.csv\n")
    with open(f"{d}/credits-2026-10.csv", newline="") as fh:
        got = [(r["deal_id"], r["lead_id"], r["touch_line"], r["campaign_id"], r["linear_USD"])
               for r in csv.DictReader(fh)]
    c.eq("credits", got, [("D1", "L1", "2", "C1", "100.00"),
                          ("D2", "L2", "4", "C2", "100.00"), ("D2", "L2", "5", "C1", "100.00")])
    with open(f"{d}/rejects-2026-10.csv", newline="") as fh:
        rej = [(r["line"], r["value"]) for r in csv.DictReader(fh)]
    c.eq("rejected identities rows", rej, [("2", "K1"), ("4", "K1"), ("5", "K1")])
    exc, _ = table(load_values(f"{d}/attribution-2026-10.xlsx")["Exceptions"], "File")
    c.eq("no lead id row", tuple(exc[-1].values()),
         ("touches.csv", 3, "contact_id", "K1",
          "unmatched: no lead id (1 touch, the first at this line, has only a contact_id, which the "
          "identities file does not map to a lead; 1 of them: the contact's identities rows were "
          "rejected; not attributed)"))
c.done()
