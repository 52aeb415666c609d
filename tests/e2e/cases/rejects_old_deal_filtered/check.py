"""The four appended 2024 deal rows (bad amount and no owner, a damaged ID, a conflicting repeat)
are filtered, never rejected: `check` on the edited inputs prints the same table as on the
untouched samples, with four more deal rows read and four more filtered. See NOTES.md."""
import os
import subprocess
import sys

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker  # noqa: E402

out, case, binary = sys.argv[1], sys.argv[2], sys.argv[3]
root = os.path.abspath(os.path.join(case, "../../../.."))
c = Checker()


def table(text):
    """The reconciliation table: the lines before the first blank line (the identity map's counts
    follow it)."""
    lines = text.split("\n\n")[0].splitlines()
    head = lines[0].split()
    return {r.split()[0]: dict(zip(head[1:], map(int, r.split()[1:]))) for r in lines[1:]}


base = subprocess.run([binary, "check", "-c", f"{root}/config/sametable.ini"],
                      capture_output=True, text=True)
c.eq("baseline exit", base.returncode, 0)
edited = subprocess.run([binary, "check", "-c", f"{os.path.dirname(out)}/in/sametable.ini"],
                        capture_output=True, text=True)
c.eq("exit", edited.returncode, 0)
c.eq("stderr", edited.stderr, "")
want = table(base.stdout)
want["deals"]["rows"] += 4
want["deals"]["filtered"] += 4
c.eq("reconciliation", table(edited.stdout), want)
c.eq("identity map counts", edited.stdout.split("\n\n")[1:], base.stdout.split("\n\n")[1:])
c.eq("no deal rejected", table(edited.stdout)["deals"]["rejected"], 0)
c.done()
