"""Every benchmark runs with --quick (tiny sizes) and prints its `ratio:` line last.

No timing assertions: CI machines vary; this only checks that the benchmarks execute and that
ngclab and the hand-written references they compare with agree (each script exits non-zero if
the two compute different numbers). run_all.py runs each script in its own subprocess and
reports FAILED for one that exits non-zero or whose output lacks a last `ratio:` line, so one
run of it covers them all (running them twice would double this folder's time).
"""
import os
import re
import subprocess
import sys

BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                     "bench")
SCRIPTS = sorted(f[:-3] for f in os.listdir(BENCH)
                 if f.endswith(".py") and not f.startswith("_") and f != "run_all.py")


def test_every_benchmark_runs_quick_and_prints_a_ratio():
    res = subprocess.run([sys.executable, os.path.join(BENCH, "run_all.py"), "--quick"],
                         capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stderr[-3000:]
    lines = res.stdout.strip().splitlines()
    assert lines[0].split()[:2] == ["benchmark", "ratio"]
    ratios = {ln.split()[0]: ln.split()[1] for ln in lines[1:]}
    assert sorted(ratios) == SCRIPTS, res.stdout
    for name, ratio in ratios.items():
        assert re.fullmatch(r"\d+(\.\d+)?", ratio), f"{name}: {ratio}"


def test_a_benchmark_prints_its_ratio_last():
    res = subprocess.run([sys.executable, os.path.join(BENCH, "small.py"), "--quick"],
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    assert re.fullmatch(r"ratio: \d+(\.\d+)?", res.stdout.strip().splitlines()[-1])
