"""Cell-for-cell comparison of two workbooks (openpyxl, Debian's python3).

Used to show that a streamed workbook (libxlsxwriter's constant_memory mode: inline strings, rows
flushed as written) holds exactly what the same workbook written in memory holds. The XML differs;
what a reader sees must not: per sheet, in order, every cell's value (formulas as written, and
the cached results), number format, font, fill, border and alignment, every comment, merged
ranges, row outline levels, heights and hidden flags, column widths, freeze panes, autofilter,
print titles, and the number of charts.

    /usr/bin/python3 bookdiff.py A.xlsx B.xlsx    # exit 0 when equal, else the differences
"""
import sys

import openpyxl

from recalc import decode_xstring, inline_strings


def _style(c):
    f, b, a = c.font, c.border, c.alignment
    return (
        c.number_format,
        (f.b, f.i, f.sz, f.color.rgb if f.color is not None else None),
        c.fill.fgColor.rgb if c.fill is not None and c.fill.fgColor is not None else None,
        (b.top.style, b.bottom.style, b.left.style, b.right.style),
        (a.horizontal, a.vertical, a.wrap_text, a.indent),
    )


def _text(v, inline):
    # openpyxl 3.0 decodes no "_xHHHH_" in inline strings; in shared ones it drops "x005F_", the
    # one escape sametable writes (control characters are U+FFFD, CR is LF), so both agree.
    return decode_xstring(v) if inline and isinstance(v, str) else v


def _sheet(ws, ws_values, inline):
    cells = {}
    for row in ws.iter_rows():
        for c in row:
            if c.value is None and c.comment is None and not c.has_style:
                continue
            v = ws_values[c.coordinate].value
            formula = c.data_type == "f"
            cells[c.coordinate] = (
                c.value if formula else _text(c.value, inline),
                v if formula else _text(v, inline),
                _style(c),
                c.comment.text if c.comment is not None else None,
            )
    rows = {
        r: (d.outlineLevel, d.height, d.hidden)
        for r, d in ws.row_dimensions.items()
        if d.outlineLevel or d.height is not None or d.hidden
    }
    cols = {k: (d.width, d.hidden) for k, d in ws.column_dimensions.items() if d.width}
    return {
        "cells": cells,
        "merged": sorted(str(m) for m in ws.merged_cells.ranges),
        "rows": rows,
        "cols": cols,
        "freeze": ws.freeze_panes,
        "autofilter": ws.auto_filter.ref,
        "print_titles": (ws.print_title_rows, ws.print_title_cols),
        "charts": len(ws._charts),
        "dimensions": ws.dimensions,
    }


def describe(a_path, b_path, limit=20):
    """The differences between two workbooks, as lines (empty when they are equal)."""
    a, b = openpyxl.load_workbook(a_path), openpyxl.load_workbook(b_path)
    av, bv = openpyxl.load_workbook(a_path, data_only=True), openpyxl.load_workbook(
        b_path, data_only=True
    )
    out = []
    if a.sheetnames != b.sheetnames:
        return [f"sheets differ: {a.sheetnames} vs {b.sheetnames}"]
    for name in a.sheetnames:
        sa = _sheet(a[name], av[name], inline_strings(a_path))
        sb = _sheet(b[name], bv[name], inline_strings(b_path))
        for key in sa:
            if key == "cells":
                ca, cb = sa[key], sb[key]
                for coord in sorted(set(ca) | set(cb)):
                    if ca.get(coord) != cb.get(coord):
                        out.append(f"{name}!{coord}: {ca.get(coord)!r} vs {cb.get(coord)!r}")
            elif sa[key] != sb[key]:
                out.append(f"{name} {key}: {sa[key]!r} vs {sb[key]!r}")
            if len(out) >= limit:
                return out
    return out


def cell_count(path):
    """How many cells (with a value) the workbook holds: a comparison that saw none proves little."""
    wb = openpyxl.load_workbook(path)
    return sum(1 for ws in wb for row in ws.iter_rows() for c in row if c.value is not None)


if __name__ == "__main__":
    diffs = describe(sys.argv[1], sys.argv[2])
    for line in diffs:
        print(line)
    if not diffs:
        print(f"equal: {cell_count(sys.argv[1])} cells")
    sys.exit(1 if diffs else 0)
