"""A rerun removes the statement file of a person who no longer has a payroll row in the period,
so the statements folder holds exactly the new set. See NOTES.md."""
import os
import subprocess
import sys

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker  # noqa: E402

out, case, binary = sys.argv[1], sys.argv[2], sys.argv[3]
base = os.path.dirname(out)
st = os.path.join(base, "st", "2026-10")
c = Checker()
first = sorted(os.listdir(st))
c.eq("first run: files", len(first), 24)
c.true("first run: Tara Okafor's statement", "005Dn0000000EJU.xlsx" in first)

people = os.path.join(base, "in", "people.csv")
text = open(people, encoding="utf-8").read()
old = "005Dn0000000EJU,Tara Okafor,Marketing,Events Manager,mkt,005Dn0000000EJN,2750000.00,5000.00,2019-01-06,"
assert old + "\n" in text, "samples/people.csv changed: fix this test"
text = text.replace(old + "\n", old + "2026-09-30\n", 1)  # End Date, the last column
open(people, "w", encoding="utf-8").write(text)

p = subprocess.run([binary, "run", "-c", os.path.join(base, "in", "sametable.ini"), "--out", out,
                    "--statements", os.path.join(base, "st")], capture_output=True, text=True)
c.eq("rerun exit", p.returncode, 0)
c.eq("rerun stderr", p.stderr, "")
second = sorted(os.listdir(st))
c.eq("rerun: files", second, [f for f in first if f != "005Dn0000000EJU.xlsx"])
with open(os.path.join(out, "payroll-2026-10.csv"), encoding="utf-8") as fp:
    c.true("rerun: no payroll row for her", "005Dn0000000EJU" not in fp.read())
c.done()
