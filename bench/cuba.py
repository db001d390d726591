"""cuba: Brian2's CUBA benchmark (4,000 LIF cells, 2% random connectivity, exponential currents,
dt = 0.1 ms, 1 s of network time = 10,000 steps) as ngclab components, next to Brian2.

ngclab: ``ngclab.models.cuba`` (LIFCell and two event-driven SparseExponentialSynapses), one
``scan`` of 10,000 steps recording spike counts per cell ("sum") and each step's spiking cells
(the synapses' ``events``, at most event_capacity per step: memory grows with steps x capacity,
not steps x cells), timed after one compiling run, best of a few. Beside it a hand-written JAX
scan of the same math (the same tables and the same event-driven product), which must fire the
same spikes. Then Brian2 (cython target) runs bench/_brian2_cuba.py in a subprocess right
after, on the same machine, from the interpreter in $BRIAN2_PYTHON or /opt/brian2ref/bin/python
(a Python with brian2 in its own virtual environment); without one it says so and prints
ngclab's numbers only.

Printed: steps/s and spikes of both and their ratio; a scaling table at N = 1,000, 4,000,
16,000 and 64,000 (80 expected inputs per cell, p = 80 / N; each size in its own process,
with its peak RSS); where ngclab's time goes (the cells alone, the two synapses alone on the
recorded spikes, the whole step) and the synaptic product's variants (events looped over
the spikes, the same rows gathered all at once, every row every step). ``ratio:`` is ngclab's
steps/s over Brian2's (over the hand-written JAX scan's when there is no Brian2).
``--quick``: N = 400, 1,000 steps, no Brian2, no scaling (CI checks that it runs);
``--no-scaling``: N = 4,000 only.
"""
from __future__ import annotations

import _common as C

import json
import os
import resource
import subprocess
import sys
import time
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from ngclab.components.synapses._sparse import active_rows, propagate_rows, propagate_table
from ngclab.core import MethodProcess
from ngclab.models import cuba

HERE = os.path.dirname(os.path.abspath(__file__))
BRIAN2_DEFAULT = "/opt/brian2ref/bin/python"
SIZES = (1_000, 4_000, 16_000, 64_000)
warnings.filterwarnings("ignore", message=".*sees the previous step's value")


def capacity_for(n: int) -> int:
    """Spikes a step may carry: 64 at 4,000 cells (the most seen is ~11), growing with n."""
    return max(64, n // 250)


def ngclab_run(n: int, steps: int, repeats: int, seed: int = 1) -> dict:
    net = cuba.build(n, seed=seed, event_capacity=capacity_for(n))
    start = net.ctx.snapshot()
    record = {net.P.s: "sum", net.Ce.events: None, net.Ci.events: None}

    def once():
        net.ctx.restore(start)
        out = cuba.run(net, steps, record=record)
        return {k: np.asarray(v) for k, v in out.items()}

    t0 = time.perf_counter()
    out = once()
    first = time.perf_counter() - t0
    best = C.best_time(once, repeats)
    counts = out[net.P.s.path][0]
    raster = sum(out[s.events.path].nbytes for s in net.synapses)
    return {"net": net, "start": start, "seconds": best, "first": first,
            "spikes": int(counts.sum()), "counts": counts, "raster_bytes": raster}


def hand_written(net: cuba.Cuba, steps: int):
    """The same network as plain JAX: Euler LIF with held refractory periods, two event-driven
    exponential currents on the synapses' row tables (spike counts per cell returned). The
    constants are traced float32 scalars, as the components' knobs (literal constants would be
    folded by XLA into other roundings, and a chaotic network then fires other spikes)."""
    n = net.n
    Ce, Ci = net.Ce, net.Ci
    cap = Ce.event_capacity
    names = ("dt", "tau_m", "tau_e", "tau_i", "E_L", "V_T", "V_R", "w_e", "w_i", "refractory")
    consts = {k: jnp.float32(x) for k, x in zip(names, (
        cuba.DT, cuba.TAU_M, cuba.TAU_E, cuba.TAU_I, cuba.E_L, cuba.V_T, cuba.V_R, cuba.W_E,
        cuba.W_I, cuba.REFRACTORY))}
    w_e, w_i = Ce.weights.get(), Ci.weights.get()

    def drive(s, syn, w):
        lo, hi = syn.pre_units
        x = s[:, lo:hi]
        rows, count = active_rows(x, cap)
        return propagate_rows(x, rows, count, syn.targets, w, n)

    def step(c, k):
        v, rfr, ge, gi, total = c
        mask = (rfr >= k["refractory"]) * 1.
        v_new = v + k["dt"] * (((k["E_L"] - v) + (ge + gi) * mask) * (1. / k["tau_m"]))
        v_new = jnp.where(mask > 0., v_new, v)
        s = (v_new > k["V_T"]) * 1. * mask
        rfr = (rfr + k["dt"]) * (1. - s)
        v = v_new * (1. - s) + s * k["V_R"]
        ge = ge * (1. - k["dt"] / k["tau_e"]) + k["w_e"] * drive(s, Ce, w_e)
        gi = gi * (1. - k["dt"] / k["tau_i"]) + k["w_i"] * drive(s, Ci, w_i)
        return (v, rfr, ge, gi, total + s)

    @jax.jit
    def scan(v0, k):
        z = jnp.zeros((1, n))
        init = (v0, z + k["refractory"], z, z, z)
        return jax.lax.scan(lambda c, _: (step(c, k), None), init, None, length=steps)[0][4]

    return lambda v0: scan(v0, consts)


def brian2_python() -> str | None:
    path = os.environ.get("BRIAN2_PYTHON", BRIAN2_DEFAULT)
    return path if os.path.exists(path) else None


def brian2_run(python: str, n: int, steps: int, seed: int = 1) -> dict:
    res = subprocess.run([python, os.path.join(HERE, "_brian2_cuba.py"), str(n), str(steps),
                          str(seed)], capture_output=True, text=True, timeout=3600)
    if res.returncode != 0:
        raise SystemExit(f"Brian2 failed (exit {res.returncode}):\n{res.stderr[-2000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def child(n: int, steps: int) -> None:
    """One scaling row in its own process: its time, spikes and peak RSS (JSON)."""
    r = ngclab_run(n, steps, repeats=1 if n >= 16_000 else 2)
    print(json.dumps({"n": n, "seconds": r["seconds"], "first": r["first"],
                      "spikes": r["spikes"], "raster_mb": r["raster_bytes"] / 2 ** 20,
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def scaling(steps: int, python: str | None) -> None:
    C.row("scaling (10,000 steps)", "ngclab s (steps/s) | Brian2 s (steps/s) | spikes "
                                    "ngclab/Brian2 | ngclab peak RSS")
    prev = None
    for n in SIZES:
        res = subprocess.run([sys.executable, __file__, "--child", str(n), str(steps)],
                             capture_output=True, text=True, timeout=3600)
        if res.returncode != 0:
            raise SystemExit(f"ngclab N={n} failed:\n{res.stderr[-2000:]}")
        ours = json.loads(res.stdout.strip().splitlines()[-1])
        theirs = brian2_run(python, n, steps) if python else None
        b2 = (f"{theirs['seconds']:6.2f} s ({steps / theirs['seconds']:7.0f})"
              if theirs else "     (no Brian2)   ")
        spikes = f"{ours['spikes']:,}/{theirs['spikes']:,}" if theirs else f"{ours['spikes']:,}"
        grow = f"  x{ours['seconds'] / prev:.1f} per 4x N" if prev else ""
        C.row(f"  N={n:,}", f"{ours['seconds']:6.2f} s ({steps / ours['seconds']:7.0f}) | {b2} "
                            f"| {spikes} | {ours['rss_mb']:.0f} MB (spike lists "
                            f"{ours['raster_mb']:.1f} MB; dense would be "
                            f"{n * steps * 4 / 2 ** 20:,.0f} MB){grow}")
        prev = ours["seconds"]


def where_time_goes(r: dict, steps: int, repeats: int) -> None:
    """Per-step cost of the cells alone, the synapses alone (on recorded spikes), the whole."""
    net, start = r["net"], r["start"]
    steps = min(steps, 2_000)
    net.ctx.restore(start)
    spikes = net.advance.scan(steps, dt=cuba.DT, record=[net.P.s])[net.P.s.path]
    with net.ctx:
        cells = MethodProcess("cells") >> net.P.advance_state
        syn = MethodProcess("syn") >> net.Ce.advance_state >> net.Ci.advance_state
    P, Ce, Ci = net.P, net.Ce, net.Ci

    def timed(proc, **kw):
        def go():
            net.ctx.restore(start)
            C.block(proc.scan(steps, dt=cuba.DT, record={Ce.overflow: "last"}, **kw)
                    [Ce.overflow.path])
        go()
        return C.best_time(go, repeats) / steps * 1e6

    full = timed(net.advance)
    syn_t = timed(syn, clamp={P.s: spikes})      # P.s held at the recorded spikes
    x = jnp.asarray(spikes)
    n = net.n

    def product_scan(kind: str):
        tabs = [(s.pre_units, s.targets, s.weights.get()) for s in (Ce, Ci)]
        cap = Ce.event_capacity

        def drive(xs, lo, hi, targets, w):
            xs = xs[:, lo:hi]
            if kind == "events (loop over spikes)":
                rows, count = active_rows(xs, cap)
                return propagate_rows(xs, rows, count, targets, w, n)
            if kind == "every row (segment sum)":
                return propagate_table(xs, targets, w, n)
            rows, _ = active_rows(xs, cap)          # all K padded rows gathered at once
            idx = jnp.asarray(np.vstack([targets, np.full((1, targets.shape[1]), n)]))[rows]
            vals = jnp.concatenate([w, jnp.zeros((1, w.shape[1]))])[rows]
            return jax.vmap(lambda i, v: jnp.zeros(n + 1).at[i.ravel()].add(v.ravel()))(
                idx, vals)[:, :n]

        @jax.jit
        def run(xs):
            def body(g, s):
                return g * 0.99 + sum(drive(s, lo, hi, t, w) for (lo, hi), t, w in tabs), None
            return jax.lax.scan(body, jnp.zeros((1, n)), xs)[0]
        return run

    kinds = ["events (loop over spikes)", "events (gather all K rows)", "every row (segment sum)"]
    runs = {k: product_scan(k) for k in kinds}
    for k, f in runs.items():
        C.block(f(x))
    best = C.interleaved({k: (lambda f=f: C.block(f(x))) for k, f in runs.items()}, repeats)
    with net.ctx:
        only_cells = timed(cells)
    C.row("where the time goes", f"whole step {full:.1f} us = cells alone {only_cells:.1f} us "
                                 f"+ the two synapses alone {syn_t:.1f} us (on recorded spikes)")
    C.row("  the synaptic products", "(both cables, plain JAX on the same spikes)")
    for k in kinds:
        C.row(f"    {k}", f"{best[k] / steps * 1e6:8.1f} us/step")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(int(sys.argv[2]), int(sys.argv[3]))
        return
    args = C.parse_args(__doc__.splitlines()[0], lambda p: p.add_argument(
        "--no-scaling", action="store_true", help="skip the scaling table"))
    n, steps, repeats = (400, 1_000, 2) if args.quick else (4_000, 10_000, 3)
    r = ngclab_run(n, steps, repeats)
    net = r["net"]
    net.ctx.restore(r["start"])
    hand = hand_written(net, steps)
    v0 = net.P.v.get()
    counts = np.asarray(hand(v0))[0]
    C.check_close(f"spike counts per cell (N={n})", r["counts"], counts, atol=0.)
    t_hand = C.best_time(lambda: C.block(hand(v0)), repeats)
    C.row(f"CUBA N={n:,}, {steps:,} steps", f"ngclab {r['seconds']:.3f} s = "
                                            f"{steps / r['seconds']:,.0f} steps/s, "
                                            f"{r['spikes']:,} spikes (first run with "
                                            f"compile {r['first']:.1f} s)")
    C.row("  hand-written JAX", f"{t_hand:.3f} s = {steps / t_hand:,.0f} steps/s "
                                f"(ngclab x{t_hand / r['seconds']:.2f})")
    python = None if args.quick else brian2_python()
    if python is None:
        C.row("  Brian2", "not run (--quick)" if args.quick else
              f"no Brian2 interpreter: set BRIAN2_PYTHON (looked for {BRIAN2_DEFAULT})")
        ratio = t_hand / r["seconds"]
        C.row("ratio is", "ngclab steps/s / hand-written JAX steps/s")
    else:
        b2 = brian2_run(python, n, steps)
        C.row("  Brian2 (cython)", f"{b2['seconds']:.3f} s = {steps / b2['seconds']:,.0f} "
                                   f"steps/s, {b2['spikes']:,} spikes")
        ratio = b2["seconds"] / r["seconds"]
        C.row("  ngclab / Brian2", f"x{ratio:.2f} steps/s")
        C.row("ratio is", "ngclab steps/s / Brian2 cython steps/s")
    where_time_goes(r, steps, repeats)
    if not (args.quick or args.no_scaling):
        scaling(steps, python)
    print(f"ratio: {ratio:.3f}")


if __name__ == "__main__":
    main()
