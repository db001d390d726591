"""The soak benchmark (bench/soak.py) as a CI smoke test: a one-minute session, sampled every 15 s.

The full soak is an hour (``python bench/soak.py``); here the same script plays the spiking lab
for a minute and its printed table is checked: one row per sample, memory flat (the Scope's
ring buffers and the Lab's snapshots must not accumulate), frames drawn in every row, no
recompile while playing (knob messages move a slider every 5 s), no task left, and the script's
own failure checks passed (exit code 0).
"""
import os
import re
import subprocess
import sys

BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                     "bench")
ROW = re.compile(r"^\s*(\d+\.\d+)\s+(\d+\.\d)\s+(\d+\.\d)\s+([\d,]+)\s+(\d+)\s+(\d+)\s+(\d+)$")


def test_a_one_minute_soak_keeps_memory_flat_and_keeps_drawing():
    res = subprocess.run([sys.executable, os.path.join(BENCH, "soak.py"), "--minutes", "1",
                          "--sample", "15"], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-3000:]
    out = res.stdout
    table = out[out.rindex("minute"):]          # the table printed at the end
    rows = [ROW.match(line) for line in table.splitlines()[1:]]
    rows = [m for m in rows if m]
    assert len(rows) == 4, out                  # 60 s / 15 s
    minutes = [float(m.group(1)) for m in rows]
    assert all(b > a for a, b in zip(minutes, minutes[1:])) and minutes[-1] >= 1.0
    rss = [float(m.group(2)) for m in rows]
    # flat: within 25 MB of the first row (allocator noise is a few MB; the ring buffers hold
    # window=1000 steps of 3 panels, so anything kept per chunk would grow without bound)
    assert max(rss) - rss[0] < 25, table
    assert all(float(m.group(3)) > 0 for m in rows), table      # frames drawn in every row
    assert all(int(m.group(4).replace(",", "")) > 0 for m in rows), table
    assert len({m.group(5) for m in rows}) == 1, table          # no recompile while playing
    assert re.search(r"tasks left: 0\s+png frames: True\s+error: none", out), out
    assert re.fullmatch(r"ratio: \d+\.\d+", out.strip().splitlines()[-1])
