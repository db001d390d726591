"""Every benchmark runs with --quick (tiny sizes) and prints its `ratio:` line last.

No timing assertions: CI machines vary; this only checks that the benchmarks execute and that
ngclab and the hand-written references they compare with agree (each script exits non-zero if
the two compute different numbers). Each script runs in its own subprocess, one test each (so
they spread over the suite's workers); soak.py is run by test_soak.py at a longer length.
run_all.py's table is checked on small.py, which run_all.py runs with --quick and fails unless it
exits 0 and prints `ratio: <number>` last: small.py is checked there, not run twice.
"""
import importlib.util
import os
import re
import subprocess
import sys

import pytest

BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                     "bench")
SCRIPTS = sorted(f[:-3] for f in os.listdir(BENCH)
                 if f.endswith(".py") and not f.startswith("_") and f != "run_all.py")


def _run(*args, timeout=600):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("name", [s for s in SCRIPTS if s not in ("soak", "small")])
def test_benchmark_runs_quick_and_prints_its_ratio_last(name):
    res = _run(os.path.join(BENCH, f"{name}.py"), "--quick")
    assert res.returncode == 0, res.stderr[-3000:]
    assert re.fullmatch(r"ratio: \d+(\.\d+)?", res.stdout.strip().splitlines()[-1]), res.stdout


def test_run_all_lists_every_benchmark():
    # run_all.py is a script, not a package module: load it from its file
    spec = importlib.util.spec_from_file_location("run_all", os.path.join(BENCH, "run_all.py"))
    run_all = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run_all)
    assert sorted(n for n, _ in run_all.BENCHES) == SCRIPTS


def test_run_all_prints_a_table_of_ratios():
    res = _run(os.path.join(BENCH, "run_all.py"), "--quick", "small")
    assert res.returncode == 0, res.stderr[-3000:]
    head, *rows = res.stdout.strip().splitlines()
    assert head.split()[:2] == ["benchmark", "ratio"]
    assert [r.split()[0] for r in rows] == ["small"]
    assert re.fullmatch(r"\d+(\.\d+)?", rows[0].split()[1]), res.stdout


def test_run_all_refuses_an_unknown_name():
    res = _run(os.path.join(BENCH, "run_all.py"), "--quick", "nosuch")
    assert res.returncode != 0 and "no benchmark 'nosuch'" in res.stderr
