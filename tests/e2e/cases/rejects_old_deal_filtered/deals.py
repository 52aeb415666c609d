"""Deal rows closed 2024-03-15 (outside every window the run keeps), appended to the demo's
deals.csv: line 526 with a bad amount and no owner, line 527 with a damaged ID (#N/A), and lines
528-529, one deal twice with different amounts (a conflicting repeat)."""
import sys
p = sys.argv[1]
text = open(p, encoding="utf-8", newline="").read()
assert text.endswith("\n")
text += "006OLD0000000001,Old Deal,00QDn000000YPC4,,Closed Won,\"12,50,0\",USD,2024-03-15,2024-02-01,2024-01-10,New Logo,\n"
text += "#N/A,Old Deal 2,00QDn000000YPC4,005Dn0000000EJ9,Closed Won,100.00,USD,2024-03-15,2024-02-01,2024-01-10,New Logo,\n"
text += "006OLD0000000003,Old Deal 3,00QDn000000YPC4,005Dn0000000EJ9,Closed Won,100.00,USD,2024-03-15,2024-02-01,2024-01-10,New Logo,\n"
text += "006OLD0000000003,Old Deal 3,00QDn000000YPC4,005Dn0000000EJ9,Closed Won,200.00,USD,2024-03-15,2024-02-01,2024-01-10,New Logo,\n"
open(p, "w", encoding="utf-8", newline="").write(text)
