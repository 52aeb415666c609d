"""Two October closed-won deals with their close date in US layout (lines 4 and 36)."""
import sys
p = sys.argv[1]
lines = open(p, encoding="utf-8", newline="").read().split("\n")
for n in (4, 36):
    assert ",2026-10-28," in lines[n - 1], lines[n - 1]
    lines[n - 1] = lines[n - 1].replace(",2026-10-28,", ",10/28/2026,", 1)
open(p, "w", encoding="utf-8", newline="").write("\n".join(lines))
