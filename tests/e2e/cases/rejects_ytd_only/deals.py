"""A closed-won deal of February 2026 with a bad amount, appended as line 526: inside the year the
statements' year to date reads, outside every window October's pay needs."""
import sys
p = sys.argv[1]
text = open(p, encoding="utf-8", newline="").read()
assert text.endswith("\n")
text += "006FEB0000000001,Feb Deal,00QDn000000YPC4,005Dn0000000EJ9,Closed Won,12x34,USD,2026-02-10,2026-01-20,2026-01-02,New Logo,\n"
open(p, "w", encoding="utf-8", newline="").write(text)
