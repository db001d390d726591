"""Shared helpers for the benchmarks: the --quick flag, timing, circuits, report lines.

Every benchmark compares ngclab with a hand-written JAX program of the same math, timed in the
same process, and prints ``ratio: <x>`` as its last line (ngclab speed / reference speed, so
1.0 means "as fast as hand-written JAX" and higher is better).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Callable

import jax
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:  # run as `python3 bench/x.py` from anywhere
    sys.path.insert(0, ROOT)


def parse_args(description: str, extra: Callable | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--quick", action="store_true",
                   help="tiny sizes and iterations (CI checks that the benchmark runs)")
    if extra is not None:
        extra(p)
    return p.parse_args()


def block(x):
    return jax.block_until_ready(x)


def best_time(fn: Callable, repeats: int) -> float:
    """The fastest of ``repeats`` timed calls of ``fn`` (seconds); fn must block on its result."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def interleaved(fns: dict[str, Callable], repeats: int) -> dict[str, float]:
    """Best time of each function, timing them in turns so machine noise hits all alike."""
    best = {k: float("inf") for k in fns}
    for _ in range(repeats):
        for k, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            best[k] = min(best[k], time.perf_counter() - t0)
    return best


def compilations(proc) -> int:
    """Every compilation of a process: its programs, its steps' lean programs, the programs
    that take their inputs as other steps packed them and those that run recorded calls."""
    return (proc.compile_count + proc.lean_compile_count + proc.gathered_compile_count
            + proc.chain_compile_count)


def check_close(name: str, got, want, atol: float = 1e-4) -> None:
    """The benchmark is only meaningful if both programs compute the same numbers."""
    got, want = np.asarray(got), np.asarray(want)
    if got.shape != want.shape or not np.allclose(got, want, atol=atol, rtol=1e-4):
        diff = np.max(np.abs(got - want)) if got.shape == want.shape else "shape"
        raise SystemExit(f"{name}: ngclab and the hand-written reference disagree "
                         f"(max |diff| {diff}, shapes {got.shape} vs {want.shape})")


def build_small(n: int = 10, batch: int = 1):
    """The tutorial circuit: a (RateCell, tau_m=0) -> W (HebbianSynapse) -> b (RateCell, tau_m=20)."""
    from ngclab.core import Context, MethodProcess
    from ngclab.components.neurons.graded.rateCell import RateCell
    from ngclab.components.synapses.hebbian.hebbianSynapse import HebbianSynapse
    with Context("circuit") as ctx:
        a = RateCell("a", n_units=n, tau_m=0., act_fx="identity", batch_size=batch)
        W = HebbianSynapse("W", shape=(n, n), batch_size=batch)
        b = RateCell("b", n_units=n, tau_m=20., act_fx="identity", batch_size=batch)
        a.zF >> W.inputs
        W.outputs >> b.j
        adv = MethodProcess("advance") >> a.advance_state >> W.advance_state >> b.advance_state
    return ctx, a, W, b, adv


def small_step_fn(weights, biases, tau_m: float = 20.):
    """Hand-written math of the small circuit: returns step(zb, x, dt) -> zb."""
    def step(zb, x, dt):
        out = x @ weights + biases            # W: outputs = a.zF @ W + b (a.zF = x, tau_m = 0)
        return zb + dt * out / tau_m          # b: Euler step of tau dz/dt = j (no leak, identity)
    return step


def row(label: str, value, unit: str = "") -> None:
    print(f"{label:<34} {value}{(' ' + unit) if unit else ''}")
