"""The switch failed in its middle and was undone: every file of the set published before is
byte-identical (SHA-256 taken by `pre`), the directory in the file's place is untouched, and no
staged file, journal or manifest is left."""
import hashlib
import os
import sys

out = sys.argv[1]
with open(os.path.join(out, "..", "before.sha")) as fh:
    before = sorted(fh.read().splitlines(), key=lambda ln: ln.split()[1])
after = []
for d, _, files in os.walk(out):
    for name in files:
        rel = "./" + os.path.relpath(os.path.join(d, name), out)
        if name == ".sametable.lock":
            continue
        with open(os.path.join(d, name), "rb") as fh:
            after.append(f"{hashlib.sha256(fh.read()).hexdigest()}  {rel}")
after.sort(key=lambda ln: ln.split()[1])
failures = 0
if after != before:
    print("FAIL the previous set changed:\n  before " + "\n  before ".join(before) +
          "\n  after  " + "\n  after  ".join(after))
    failures += 1
if len(before) < 4:
    print(f"FAIL the previous set has too few files to prove anything: {before}")
    failures += 1
print(f"{1 - min(failures, 1)} passed, {failures} failed")
sys.exit(1 if failures else 0)
