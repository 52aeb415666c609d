"""Merge chains followed to the surviving lead, for touches and deals: `sametable check` and the
Run sheet's counts. The credits file (expected/) shows every touch under L3. See NOTES.md."""
import sys

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, labels, load_values  # noqa: E402

out, case, binary = sys.argv[1], sys.argv[2], sys.argv[3]
c = Checker()
run = labels(load_values(f"{out}/attribution-2026-10.xlsx")["Run"], 1, 3)
c.eq("touches joined through identities", run["Touches joined through identities"], 3)
c.eq("touches without a lead id", run["Touches unmatched: no lead id"], 0)
c.eq("deal rows joined through identities", run["Deal rows joined through identities"], 2)
c.check_command(binary, case)
c.done()
