"""The next run, holding the lock, removes the scratch directory a killed run left (and the file
in it), and leaves no scratch directory of its own."""
import os
import sys

out = sys.argv[1]
left = sorted(n for n in os.listdir(out) if n.startswith(".sametable-tmp."))
print("ok   no scratch directory left" if not left else f"FAIL scratch directories left: {left}")
sys.exit(1 if left else 0)
