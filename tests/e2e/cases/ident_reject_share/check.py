"""Contact-only rows are unmatched ("no lead id"), not rejected, so 3 of 10 of them pass a file
whose max_reject_share is 0.01; the same file read without its Contact ID column (what the tool
did with these rows before: "empty lead_id") fails with exit 65. See NOTES.md."""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, load_values, reconciliation, table  # noqa: E402

out, case, binary = sys.argv[1], sys.argv[2], sys.argv[3]
ini = os.path.join(case, "case.ini")
c = Checker()
att = load_values(f"{out}/attribution-2026-10.xlsx")
c.eq("touches rows", reconciliation(att)["touches"], [10, 7, 0, 0, 3, 0, 0, 0])
exc, _ = table(att["Exceptions"], "File")
c.eq("exceptions", [tuple(r.values()) for r in exc], [
    ("members.csv", 9, "Contact ID", "K1",
     "unmatched: no lead id (3 touches, the first at this line, have only a contact_id, and no "
     "identities file ([inputs] identities) maps contacts to leads; not attributed)")])
c.check_command(binary, case)
with tempfile.TemporaryDirectory() as d:
    p = subprocess.run([binary, "run", "-c", ini, "--out", d, "--set",
                        "columns.touches.contact_id=No Such Column"], capture_output=True, text=True)
    c.eq("without the contact column: exit", p.returncode, 65)
    c.eq("without the contact column: stderr", p.stderr,
         "sametable: members.csv:9: empty lead_id: '' in column 'Lead ID'\n"
         "sametable: members.csv:10: empty lead_id: '' in column 'Lead ID'\n"
         "sametable: members.csv:11: empty lead_id: '' in column 'Lead ID'\n"
         "sametable: members.csv: 3 of 10 data rows rejected, more than allowed "
         "([format.touches] max_reject_share 0.01)\n"
         # The hint names the file's contact-looking header (see NOTES.md).
         "sametable: members.csv: 3 of them have an empty lead_id: if they are contacts (a "
         "campaign member report), map the file's column 'Contact ID' with [columns.touches] "
         "contact_id to count them as unmatched (no lead id) and join them through [inputs] "
         "identities\n")
    c.eq("without the contact column: nothing written",
         [n for n in os.listdir(d) if not n.startswith(".")], [])
# The same file with its contact column renamed: no header to name, the hint stays general.
with tempfile.TemporaryDirectory() as d:
    src = open(os.path.join(case, "members.csv")).read()
    renamed = src.replace("Contact ID", "Member", 1)
    open(os.path.join(d, "members.csv"), "w").write(renamed)
    for f in ("campaigns.csv", "deals.csv"):
        shutil.copy(os.path.join(case, f), d)
    shutil.copy(ini, os.path.join(d, "case.ini"))
    p = subprocess.run([binary, "run", "-c", os.path.join(d, "case.ini"), "--out",
                        os.path.join(d, "out"), "--set",
                        "columns.touches.contact_id=No Such Column"], capture_output=True, text=True)
    c.eq("no contact-like header: exit", p.returncode, 65)
    c.eq("no contact-like header: last line", p.stderr.splitlines()[-1],
         "sametable: members.csv: 3 of them have an empty lead_id: if they are contacts (a "
         "campaign member report), map the file's contact ID column with [columns.touches] "
         "contact_id to count them as unmatched (no lead id) and join them through [inputs] "
         "identities")
c.done()
