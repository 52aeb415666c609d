"""The next run removes the scratch directory a killed run left (its process ID names no live
process) and the file in it, keeps a live process's (pid 1), and leaves none of its own."""
import os
import sys

out = sys.argv[1]
left = sorted(n for n in os.listdir(out) if n.startswith(".sametable-tmp."))
ok = left == [".sametable-tmp.1.0"]
print("ok   only the live process's scratch directory is left" if ok
      else f"FAIL scratch directories left: {left}, want ['.sametable-tmp.1.0']")
sys.exit(0 if ok else 1)
