"""The progress line on a terminal (src/progress.c), run under a pseudo-terminal.

The case's own run (stderr to a file) proves that a non-terminal gets nothing. Here the binary
runs again with stderr on a pty, SAMETABLE_PROGRESS_AFTER_MS=0 so that every stage and step is
drawn however fast this small data set goes, and what reached the terminal is checked both as
bytes (only "\r" redraws, no "\n" of ours) and as the screen a terminal would show (rendered here):
the line is erased at the end, -v's timing lines and the diagnostics show exactly as they do on
a non-terminal, -q and --no-progress draw nothing.
"""
import os
import pty
import re
import select
import subprocess
import sys

OUT, CASE, BIN = sys.argv[1], sys.argv[2], sys.argv[3]
GEN = os.path.join(OUT, "..", "gen")
INI = os.path.join(GEN, "case.ini")
problems = []


def env(after="0"):
    e = dict(os.environ)
    e.pop("SAMETABLE_PROGRESS_AFTER_MS", None)
    if after is not None:
        e["SAMETABLE_PROGRESS_AFTER_MS"] = after
    return e


def on_pty(argv, e):
    """Exit code and the bytes the binary wrote on its terminal (stderr; stdout to /dev/null)."""
    pid, fd = pty.fork()
    if pid == 0:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.execve(BIN, [BIN] + argv, e)
    got = b""
    while True:
        r, _, _ = select.select([fd], [], [], 120)
        if not r:
            break
        try:
            b = os.read(fd, 65536)
        except OSError:  # EIO: the child has closed its terminal
            break
        if not b:
            break
        got += b
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), got.decode()


def off_pty(argv, e):
    p = subprocess.run([BIN] + argv, env=e, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return p.returncode, p.stderr.decode()


def screen(text):
    """The lines a terminal shows for text: "\r" returns to column 0, characters overwrite."""
    rows, row, col = [], [], 0
    for ch in text:
        if ch == "\r":
            col = 0
        elif ch == "\n":
            rows.append("".join(row).rstrip(" "))
            row, col = [], 0
        else:
            if col < len(row):
                row[col] = ch
            else:
                row.append(ch)
            col += 1
    rows.append("".join(row).rstrip(" "))
    while rows and rows[-1] == "":
        rows.pop()
    return rows


def timings(lines):
    return [re.sub(r" +[0-9.]+ ms$", " N ms", x) for x in lines]


def run_args(tag, *extra):
    out = os.path.join(OUT, "..", tag)
    return ["run", "-c", INI, "--out", out, "--statements", os.path.join(out, "statements")] + list(extra)


# 1. A plain run on a terminal: the line, redrawn with "\r", naming every stage; erased at the end.
rc, tty = on_pty(run_args("tty"), env())
if rc != 0:
    problems.append(f"run on a terminal exited {rc}: {tty!r}")
raw = tty.replace("\r\n", "\n")  # the pty's own line discipline turns "\n" into "\r\n"
if "\n" in raw:
    problems.append(f"a run without -v wrote a newline on the terminal: {tty!r}")
segments = [s for s in tty.split("\r") if s.strip()]
if len(segments) < 10:
    problems.append(f"only {len(segments)} progress segments: {tty!r}")
for s in segments:
    if not s.startswith("sametable: "):
        problems.append(f"a segment that is not a progress line: {s!r}")
for stage in ("ingest", "join", "attribute", "incent", "write"):
    if not any(s.startswith("sametable: %-10s " % stage) for s in segments):
        problems.append(f"no progress line for the stage {stage}: {tty!r}")
for want in (r"^sametable: ingest     reading touches\.csv: [0-9,]+ rows \([0-9]+ %\)",
             r"^sametable: ingest     reading deals\.csv",
             r"^sametable: attribute  attributing: [0-9,]+ of [0-9,]+ deals",
             r"^sametable: incent     computing pay: [0-9,]+ of [0-9,]+ people",
             r"^sametable: write      staging",
             r"^sametable: write      [0-9,]+ of [0-9,]+ files; payouts-2026-08\.xlsx: sheet ",
             r"^sametable: write      [0-9,]+ of [0-9,]+ files; attribution-2026-08\.xlsx: saving",
             r"^sametable: write      [0-9,]+ of [0-9,]+ files; [0-9A-Za-z]+\.xlsx: sheet Statement",
             r"^sametable: write      [1-9][0-9,]* of [0-9,]+ files; "):
    if not any(re.match(want, s) for s in segments):
        problems.append(f"no segment matches {want}: {tty!r}")
if not re.search(r"\r {20,}\r$", tty):
    problems.append(f"the line is not erased at the end: {tty[-200:]!r}")
if screen(tty):
    problems.append(f"the terminal is left showing {screen(tty)!r}")

# 2. With -v: the screen shows exactly the timing lines a non-terminal gets, each at column 0.
rc, tty = on_pty(run_args("tty-v", "-v"), env())
rc2, plain = off_pty(run_args("plain-v", "-v"), env())
if rc != 0 or rc2 != 0:
    problems.append(f"-v runs exited {rc} and {rc2}")
if "sametable: ingest     reading" not in tty:
    problems.append(f"no progress line with -v: {tty!r}")
if timings(screen(tty)) != timings(plain.splitlines()):
    problems.append(f"-v on a terminal shows {screen(tty)!r}, not {plain.splitlines()!r}")

# 3. Diagnostics: an input missing; the screen shows exactly what a non-terminal gets.
bad = ["check", "-c", INI, "--set", "inputs.deals=no-such-deals.csv"]
rc, tty = on_pty(bad, env())
rc2, plain = off_pty(bad, env())
if rc != 66 or rc2 != 66:
    problems.append(f"a missing input exited {rc} and {rc2}, expected 66")
if "sametable: ingest     reading" not in tty:
    problems.append(f"no progress line before the error: {tty!r}")
if screen(tty) != plain.splitlines() or not plain:
    problems.append(f"the error on a terminal shows {screen(tty)!r}, not {plain.splitlines()!r}")

# 4. Nothing with -q, --no-progress, or on a non-terminal, even at a zero threshold.
for tag, extra in (("tty-q", ["-q"]), ("tty-np", ["--no-progress"])):
    rc, tty = on_pty(run_args(tag, *extra), env())
    if rc != 0 or tty != "":
        problems.append(f"{extra[0]} on a terminal: exit {rc}, wrote {tty!r}")
rc, plain = off_pty(run_args("pipe"), env())
if rc != 0 or plain != "":
    problems.append(f"a non-terminal stderr got {plain!r} (exit {rc})")

# 5. The default threshold: a second. Every stage of this small run is shorter than that, but a
# loaded machine may make one longer, so only the wording is checked, not the absence.
rc, tty = on_pty(run_args("tty-default"), env(None))
if rc != 0 or screen(tty):
    problems.append(f"default threshold: exit {rc}, the terminal left showing {screen(tty)!r}")

# 6. Interrupted (Ctrl-C while a line is shown): the handler erases it before the exit.
pid, fd = pty.fork()
if pid == 0:
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    os.execve(BIN, [BIN] + run_args("tty-int"), env())
got = b""
while b"\rsametable: ingest" not in got:
    r, _, _ = select.select([fd], [], [], 60)
    if not r:
        break
    try:
        got += os.read(fd, 65536)
    except OSError:
        break
os.kill(pid, 2)
while True:
    r, _, _ = select.select([fd], [], [], 60)
    try:
        b = os.read(fd, 65536) if r else b""
    except OSError:
        b = b""
    if not b:
        break
    got += b
_, status = os.waitpid(pid, 0)
os.close(fd)
tty = got.decode()
if os.waitstatus_to_exitcode(status) != 130 or "\rsametable: ingest" not in tty or screen(tty):
    problems.append(f"interrupted: exit {os.waitstatus_to_exitcode(status)}, wrote {tty!r}, "
                    f"left {screen(tty)!r}")

for p in problems:
    print(p)
sys.exit(1 if problems else 0)
