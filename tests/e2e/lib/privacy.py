"""Per-person statement files hold nothing about anyone else (issue 10 item 12).

check_statements(dir, people_csv, id_header, name_header) reads every `<id>.xlsx` under dir and
returns a list of failures: a file whose visible text lacks its own person's ID, or holds another
person's ID or name (whole words). "Visible text" is what a reader can see or search: shared and
inline strings, formulas, comments, sheet names and document properties; cell positions such as
r="P1" are not text and are left out.
"""
import csv
import os
import re
import zipfile


def visible_text(path):
    parts = []
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if not name.endswith(".xml"):
                continue
            xml = z.read(name).decode("utf-8")
            if "/worksheets/" in name:
                xml = " ".join(re.findall(r"<(?:f|t)[^>]*>([^<]*)</(?:f|t)>", xml))
            parts.append(xml)
    return "\n".join(parts)


def people(people_csv, id_header, name_header):
    with open(people_csv, newline="", encoding="utf-8-sig") as fp:
        return {r[id_header].strip(): r[name_header].strip() for r in csv.DictReader(fp)}


def check_statements(directory, people_csv, id_header, name_header):
    everyone = people(people_csv, id_header, name_header)
    failures, files = [], 0
    for dirpath, _, names in sorted(os.walk(directory)):
        for f in sorted(names):
            if not f.endswith(".xlsx"):
                continue
            files += 1
            pid = f[:-len(".xlsx")]
            text = visible_text(os.path.join(dirpath, f))
            if not re.search(rf"(?<![\w]){re.escape(pid)}(?![\w])", text):
                failures.append(f"{f}: its own person ID {pid} is not in it")
            for other, name in everyone.items():
                if other == pid:
                    continue
                for token in (other, name):
                    if token and re.search(rf"(?<![\w]){re.escape(token)}(?![\w])", text):
                        failures.append(f"{f}: names {token!r} (person {other}), not its reader")
    if files == 0:
        failures.append(f"no statement file under {directory}")
    return failures, files
