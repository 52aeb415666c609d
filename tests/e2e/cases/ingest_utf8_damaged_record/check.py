"""The damaged campaigns row is rejected; C1 keeps its valid "ü" (NOTES.md)."""
import os
import sys

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, load_values, reconciliation, table  # noqa: E402

out = sys.argv[1]
c = Checker()
wb = load_values(os.path.join(out, "attribution-2026-10.xlsx"))
c.eq("campaigns reconciliation", reconciliation(wb)["campaigns"], [3, 2, 0, 0, 0, 1, 0, 0])
rows, _ = table(wb["Campaigns"], "Campaign ID")
names = {r["Campaign ID"]: r.get("Campaign") for r in rows}
c.eq("C1's name as written", names.get("C1"), "Messe M\u00fcnchen")
c.true("C2 is not a campaign", "C2" not in names)
c.done()
