"""Real-client test (DESIGN §9): LibreOffice opens both demo workbooks and two per-person statement
files, recalculates every formula
and must get the value sametable cached for it (tests/e2e/lib/recalc.py). Then a self-test: a copy
of the payouts workbook with one formula's cached value changed by 1 must be reported, that cell
and no other, so a LibreOffice that silently stopped recalculating cannot pass.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

lib = __file__.rsplit("/", 3)[0] + "/lib"
sys.path.insert(0, lib)
from recalc import read_workbook  # noqa: E402

out, case, binary = sys.argv[1], sys.argv[2], sys.argv[3]
recalc = [sys.executable, os.path.join(lib, "recalc.py")]
books = [os.path.join(out, f) for f in ("attribution-2026-10.xlsx", "payouts-2026-10.xlsx")]
# Two statement files too: an account executive's and the VP Marketing's (two bonus components).
books += [os.path.join(out, "statements", "2026-10", f"{pid}.xlsx")
          for pid in ("005Dn0000000EJ9", "005Dn0000000EJN")]
failed = False


def sheet_xml_paths(path):
    """Sheet title -> the part name of its XML, from workbook.xml and its relationships."""
    with zipfile.ZipFile(path) as z:
        wbx = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    targets = dict(re.findall(r'<Relationship Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
    out_ = {}
    for attrs in re.findall(r"<sheet ([^>]*)/>", wbx):
        name = re.search(r'name="([^"]*)"', attrs).group(1)
        rid = re.search(r'r:id="([^"]*)"', attrs).group(1)
        name = (name.replace("&apos;", "'").replace("&quot;", '"').replace("&lt;", "<")
                .replace("&gt;", ">").replace("&amp;", "&"))
        out_[name] = "xl/" + targets[rid].lstrip("/").removeprefix("xl/")
    return out_


def corrupt(src, dst):
    """Copies src to dst with the cached value of the first numeric, non-zero formula cell raised
    by 1; returns (sheet, cell, old value)."""
    from openpyxl.utils import get_column_letter
    target = None
    for title, cells in read_workbook(src):
        for (r, c), (formula, cached, _fmt) in sorted(cells.items()):
            if formula and isinstance(cached, (int, float)) and not isinstance(cached, bool) and cached:
                target = (title, f"{get_column_letter(c)}{r}")
                break
        if target:
            break
    assert target, "no numeric formula cell to corrupt"
    part = sheet_xml_paths(src)[target[0]]
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == part:
                xml = data.decode()
                pat = re.compile(rf'(<c r="{target[1]}"[^>]*>(?:<f>[^<]*</f>|<f [^>]*>[^<]*</f>))'
                                 r"<v>([^<]*)</v>")
                m = pat.search(xml)
                assert m, f"cell {target[1]} not found in {part}"
                old = m.group(2)
                xml = xml[:m.start()] + m.group(1) + f"<v>{float(old) + 1!r}</v>" + xml[m.end():]
                data = xml.encode()
            zout.writestr(item, data)
    return target[0], target[1], old


# One LibreOffice start for the two demo workbooks and the corrupted copy (each start costs ~5 s).
tmp = tempfile.mkdtemp(prefix="recalc-selftest.")
try:
    bad = os.path.join(tmp, "payouts-corrupted.xlsx")
    sheet, cell, old = corrupt(books[1], bad)
    p = subprocess.run(recalc + books + [bad], capture_output=True, text=True)
finally:
    shutil.rmtree(tmp, ignore_errors=True)
print(p.stdout, p.stderr, end="")
lines = p.stdout.splitlines()
if p.returncode != 1:  # 1 = differences only (the corrupted copy); 2 = LibreOffice/reading failure
    print(f"FAIL recalc.py exited {p.returncode}, want 1 (the corrupted copy's one difference)")
    failed = True
for b in books:
    name = os.path.basename(b)
    m = [ln for ln in lines if ln.startswith(f"ok {name}: ")]
    n = re.match(r"ok \S+: (\d+) formulas checked", m[0]) if m else None
    if not n or int(n.group(1)) == 0:
        print(f"FAIL {name}: LibreOffice's recalculated values differ from the cached ones, "
              "or no formula was checked (lines above)")
        failed = True
diffs = [ln for ln in lines if ln.startswith("DIFF payouts-corrupted.xlsx: ")]
if len(diffs) != 1 or f": {sheet}!{cell}: " not in diffs[0]:
    print(f"FAIL self-test: want exactly one difference, at {sheet}!{cell} (cached {old} + 1), "
          f"got {diffs}")
    failed = True

sys.exit(1 if failed else 0)
