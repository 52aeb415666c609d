"""A deal closed 2024-03-15 (outside every window the run keeps) with a bad amount and no owner,
appended to the demo's deals.csv as line 526."""
import sys
p = sys.argv[1]
text = open(p, encoding="utf-8", newline="").read()
assert text.endswith("\n")
text += "006OLD0000000001,Old Deal,00QDn000000YPC4,,Closed Won,\"12,50,0\",USD,2024-03-15,2024-02-01,2024-01-10,New Logo,\n"
open(p, "w", encoding="utf-8", newline="").write(text)
