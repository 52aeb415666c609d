"""SIGTERM or SIGINT during a run: exit 128 + signal and no output file, whole or partial.

A run over ~300k generated touches is signalled after increasing delays. Each run must either
finish (exit 0, every output present) or die of the signal (exit 143 / 130) leaving either
nothing but the lock file (signalled before publication) or every file complete (signalled
after the renames) — never a part of the set and never a temporary file. At least one run must have been interrupted, or the test
proves nothing.
"""
import os
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from gendata import ini  # noqa: E402
from faults import signal_run  # noqa: E402
from wb import Checker  # noqa: E402

binary = sys.argv[3]
gen = os.path.join(os.path.dirname(binary), "sametable-gen")
root = os.path.abspath(os.path.join(sys.argv[2], "../../../.."))
c = Checker()
with tempfile.TemporaryDirectory() as tmp:
    subprocess.run([gen, "--scale", "30", "--out", tmp], check=True)
    with open(os.path.join(tmp, "case.ini"), "w") as fh:
        fh.write(ini())
    ref = os.path.join(tmp, "reference")
    subprocess.run([binary, "run", "-c", os.path.join(tmp, "case.ini"), "--out", ref], check=True)
    complete = sorted(n for n in os.listdir(ref) if n != ".sametable.lock")
    c.true("the reference run writes workbooks and CSV files", len(complete) >= 4)
    interrupted = 0
    for i, delay in enumerate([0.02, 0.05, 0.1, 0.2, 0.4, 0.8]):
        sig = signal.SIGTERM if i % 2 == 0 else signal.SIGINT
        interrupted += signal_run(c, i,
                                  [binary, "run", "-c", os.path.join(tmp, "case.ini"), "--out"],
                                  os.path.join(tmp, f"out{i}"), delay, sig, complete)
    c.true("at least one run was interrupted", interrupted > 0)
c.done()
