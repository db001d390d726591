"""Run every benchmark (each in its own process) and print a table of their ratios.

    python3 bench/run_all.py [--quick] [NAME ...]

NAME picks benchmarks by name (``pcn small``); without names every benchmark runs. conv.py,
lab.py and soak.py are included when present. A benchmark that fails shows as FAILED.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BENCHES = [("pcn", ">= 0.9"), ("small", ">= 0.8"), ("step_loop", ">= 0.8"), ("minibatch", ">= 0.8"),
           ("conv", ""), ("compile", "0 recompiles"), ("memory", "bounded"), ("lab", ""),
           ("sparse", "> 1 (vs dense)"), ("cuba", "vs Brian2"), ("soak", "~1 (no slowdown)"),
           ("sweep", ">= 0.8")]


def main() -> None:
    args = sys.argv[1:]
    quick = "--quick" in args
    names = [a for a in args if a != "--quick"]
    unknown = [n for n in names if n not in dict(BENCHES)]
    if unknown:
        sys.exit(f"run_all.py: no benchmark {unknown[0]!r}; benchmarks: "
                 + ", ".join(n for n, _ in BENCHES))
    rows, failed = [], False
    for name, target in BENCHES:
        if names and name not in names:
            continue
        path = os.path.join(HERE, f"{name}.py")
        if not os.path.exists(path):
            continue
        t0 = time.perf_counter()
        res = subprocess.run([sys.executable, path] + (["--quick"] if quick else []),
                             capture_output=True, text=True)
        took = time.perf_counter() - t0
        lines = res.stdout.strip().splitlines()
        m = re.fullmatch(r"ratio:\s*(\S+)", lines[-1].strip()) if lines else None
        if res.returncode != 0 or not m:
            failed = True
            rows.append((name, "FAILED", target, took))
            sys.stderr.write(f"--- {name} failed (exit {res.returncode}) ---\n"
                             f"{res.stdout[-1500:]}\n{res.stderr[-1500:]}\n")
        else:
            rows.append((name, m.group(1), target, took))
    print(f"{'benchmark':<12} {'ratio':>8}  {'target':<22} {'time':>7}")
    for name, ratio, target, took in rows:
        print(f"{name:<12} {ratio:>8}  {target:<22} {took:>6.1f}s")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
