"""Control characters from the inputs never make a workbook invalid and read back the same in
openpyxl, LibreOffice and the CSV outputs: each becomes U+FFFD; a line break is LF; a literal
"_xHHHH_" stays literal (NOTES.md)."""
import os
import re
import subprocess
import sys
import zipfile
import xml.etree.ElementTree as ET

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/lib")
from wb import Checker, load  # noqa: E402
from recalc import decode_xstring, inline_strings  # noqa: E402

out = sys.argv[1]
c = Checker()
R = "\ufffd"
books = [os.path.join(out, n) for n in ("attribution-2026-10.xlsx", "payouts-2026-10.xlsx")]

# Every XML part of both packages parses (a C0 control character in one would not).
for path in books:
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith(".xml") or name.endswith(".rels"):
                try:
                    ET.fromstring(z.read(name))
                except ET.ParseError as e:
                    c.true(f"{os.path.basename(path)} {name} is well-formed XML ({e})", False)
        # The text of every cell: workbooks stream, so strings are inline in the worksheets (a
        # shared string table, if one were written, counts too).
        strings = "".join(z.read(n).decode() for n in z.namelist()
                          if n == "xl/sharedStrings.xml" or n.startswith("xl/worksheets/sheet"))
    # libxlsxwriter 1.1.4 would escape a control character as _xHHHH_; none reaches it.
    c.eq(f"{os.path.basename(path)}: no escaped control character",
         re.findall(r"_x00[01][0-9A-Fa-f]_", strings.replace("_x005F_", "")), [])
    if path.endswith("attribution-2026-10.xlsx"):
        # Excel reads "_xHHHH_" in a cell as one escaped character; a literal one is written with
        # its underscore escaped (openpyxl and LibreOffice read it back as written).
        c.true("literal _x0041_ written as _x005F_x0041_", "Promo_x005F_x0041_" in strings)

# openpyxl reads every workbook; every string is free of control characters other than TAB, LF.
bad = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
texts, sheets = set(), set()
for path in books:
    wb = load(path)
    inline = inline_strings(path)  # streamed: openpyxl leaves "_xHHHH_" of inline text undecoded
    sheets.update(wb.sheetnames)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    v = decode_xstring(cell.value) if inline and cell.data_type != "f" else cell.value
                    texts.add(v)
                    c.true(f"{ws.title}!{cell.coordinate} {v!r} has no control character",
                           not bad.search(v))
for want in (f"Spring{R}Sale{R}Now{R}[31m",  # campaign C1: 01, 0B, 1B
             f"Promo_x0041_ {R}end{R}",      # campaign C2: literal _x0041_, U+0085, DEL
             "Two\nlines",                   # campaign C3: quoted CRLF
             f"paid{R}social",               # C1's channel: 1B
             f"Ann{R}e{R}Doe{R}",            # person P1: 01, 0B, 1B
             f"Acme{R}Corp{R}",              # deal D1's name: 01, 0B
             "Beta_x0042_"):                 # deal D2's name: literal _x0042_
    c.true(f"{want!r} is in a workbook", want in texts)
c.true("team Sales<ESC>East has the sheet 'St Sales_East'", "St Sales_East" in sheets)

# LibreOffice opens both workbooks, recalculates them, and reads every cell, text included, as
# openpyxl does (recalc.py compares non-formula cells exactly). It must be installed (make deps).
lib = __file__.rsplit("/", 3)[0] + "/lib"
r = subprocess.run([sys.executable, os.path.join(lib, "recalc.py")] + books,
                   capture_output=True, text=True)
c.eq("LibreOffice reads both workbooks as openpyxl does", r.returncode, 0)
if r.returncode:
    print(r.stdout[-2000:], r.stderr[-2000:])
c.done()
