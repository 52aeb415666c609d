"""A campaign member report with contact-only rows joined through a converted lead report: the
buckets, the identity map's counts on the Run sheet, the Exceptions row for the contacts without a
lead, the credit per channel and `sametable check`, each worked out in NOTES.md."""
import sys

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, cents, labels, load_values, reconciliation, table  # noqa: E402

out, case, binary = sys.argv[1], sys.argv[2], sys.argv[3]
c = Checker()
att = load_values(f"{out}/attribution-2026-10.xlsx")
by = reconciliation(att)
c.eq("touches rows", by["touches"], [9, 4, 1, 1, 2, 1, 0, 0])
c.eq("identities rows", by["identities"], [3, 2, 1, 0, 0, 0, 0, 0])
c.eq("deals rows", by["deals"], [2, 2, 0, 0, 0, 0, 0, 0])
run = labels(att["Run"], 1, 3)
c.eq("touches joined through identities", run["Touches joined through identities"], 3)
c.eq("touches without a lead id", run["Touches unmatched: no lead id"], 2)
c.eq("deal rows joined through identities", run["Deal rows joined through identities"], 0)
notes = labels(att["Run"], 1, 4)
c.true("the joined count says how many were duplicates",
       "1 of them repeat a campaign the lead already has" in notes["Touches joined through identities"])
exc, _ = table(att["Exceptions"], "File")
c.eq("exceptions", [tuple(r.values()) for r in exc], [
    ("members.csv", 10, "Lead ID", None, "rejected: empty lead_id and contact_id"),
    ("members.csv", 5, "Contact ID", "K2",
     "unmatched: no lead id (2 touches, the first at this line, have only a contact_id, which the "
     "identities file does not map to a lead; not attributed)"),
])
s = labels(att["Summary"])
c.eq("closed-won revenue", cents(s["Closed-won revenue"]), 130000)
c.eq("unattributed revenue", cents(s["Unattributed revenue"]), 0)
rows, _ = table(att["Summary"], "Channel")
c.eq("channel credit", {r["Channel"]: cents(r["linear credit (USD)"]) for r in rows},
     {"email": 50000, "paid_search": 50000, "events": 15000, "paid_social": 15000})
c.check_command(binary, case)
c.done()
