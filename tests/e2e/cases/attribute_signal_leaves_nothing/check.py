"""SIGTERM or SIGINT during `attribute`: exit 128 + signal and no output file, whole or partial
(the same guarantee as run's, signal_leaves_nothing). attribute publishes its CSV and workbook as
one set through the same staging, lock and handler.

A path file of 200,000 generated journeys over ten channels (markov, shapley and linear) is
attributed, and signalled after delays spread over the time a whole run takes here. Each run
must finish (exit 0, both outputs) or die of the signal leaving nothing but the lock, or both
files complete (signalled after the switch) — never one of the two, never a temporary file or a
journal. At least one run must have been interrupted, or the test proves nothing.
"""
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from faults import signal_run  # noqa: E402
from wb import Checker  # noqa: E402

binary = sys.argv[3]
c = Checker()
with tempfile.TemporaryDirectory() as tmp:
    paths = os.path.join(tmp, "paths.csv")
    r = random.Random(7)
    ch = [f"ch{i}" for i in range(10)]
    with open(paths, "w") as fh:
        fh.write("path,total_conversions,total_conversion_value,total_null\n")
        for _ in range(200000):
            steps = " > ".join(r.choice(ch) for _ in range(r.randint(1, 8)))
            fh.write(f"{steps},{r.randint(0, 3)},{r.randint(0, 500)},{r.randint(0, 5)}\n")
    args = ["attribute", "--paths", paths, "--models", "markov,shapley,linear", "--out"]
    ref = os.path.join(tmp, "reference")
    t0 = time.monotonic()
    subprocess.run([binary] + args + [ref], check=True)
    span = time.monotonic() - t0
    complete = sorted(n for n in os.listdir(ref) if n != ".sametable.lock")
    c.eq("the reference run writes both files", complete,
         ["path-attribution.csv", "path-attribution.xlsx"])
    interrupted = 0
    for i in range(8):
        sig = signal.SIGTERM if i % 2 == 0 else signal.SIGINT
        interrupted += signal_run(c, i, [binary] + args, os.path.join(tmp, f"out{i}"),
                                  span * (i + 1) / 8, sig, complete)
    c.true("at least one run was interrupted", interrupted > 0)
c.done()
print(f"{0 if c.failures else 1} passed, {c.failures} failed")
