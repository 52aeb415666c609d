"""tests/data/pathdata/PathData.csv (ChannelAttribution's public example, GPL-3, notice beside
it): per-channel credit sums to the totals.

Totals computed independently here from the file: conversions and value summed over its rows;
(the CSV carries 10 significant digits, so sums agree to a relative 1e-9);
every model's per-channel conversions and value must add up to them, the twelve channels must
all be there, and Markov's removal effects must lie in [0, 1] with alpha (present in most
converting paths) the largest. A rerun must give the same bytes.
"""
import csv
import filecmp
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker  # noqa: E402

out, case, binary = sys.argv[1], sys.argv[2], sys.argv[3]
root = os.path.abspath(os.path.join(case, "../../../.."))
src = os.path.join(root, "tests/data/pathdata/PathData.csv")
c = Checker()
conv = value = 0.0
channels = set()
with open(src, newline="", encoding="utf-8") as fh:
    for r in csv.DictReader(fh):
        if float(r["total_conversions"]) > 0:
            conv += float(r["total_conversions"])
            value += float(r["total_conversion_value"])
        channels.update(x.strip() for x in r["path"].split(">"))
with open(f"{out}/path-attribution.csv", newline="", encoding="utf-8") as fh:
    rows = list(csv.DictReader(fh))
c.eq("channels", sorted(r["channel"] for r in rows), sorted(channels))
for m in ("markov", "shapley", "linear"):
    c.true(f"{m} conversions sum", abs(sum(float(r[f"{m}_conversions"]) for r in rows) - conv) < 1e-9 * conv)
    c.true(f"{m} value sum", abs(sum(float(r[f"{m}_value"]) for r in rows) - value) < 1e-9 * value)
re = {r["channel"]: float(r["markov_removal_effect"]) for r in rows}
c.true("removal effects in [0, 1]", all(0 <= v <= 1 for v in re.values()))
c.eq("largest removal effect", max(re, key=re.get), "alpha")
with tempfile.TemporaryDirectory() as again:
    subprocess.run([binary, "attribute", "--paths", src, "--models", "markov,shapley,linear",
                    "--out", again], check=True)
    c.true("rerun identical", filecmp.cmp(f"{out}/path-attribution.csv",
                                          f"{again}/path-attribution.csv", shallow=False))
c.done()
