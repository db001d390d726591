"""step_loop: the small tutorial circuit driven one run() call per step from Python.

ngclab: ``a.j.set(x); adv.run(t=i, dt=1.)`` per step.
Reference: a hand-written per-step loop calling one jitted step function of the same math
(``zb = step(zb, x, W, b, t, dt)``). Target: ngclab >= 0.8 of the hand-written loop's steps/s
(absolute steps/s move 2x between days on shared machines; the ratio measured side by side does
not). The ``ratio:`` line is that ratio.
"""
from __future__ import annotations

import _common as C

import jax
import jax.numpy as jnp

from ngclab.core.compiled import GATHER_AFTER

def main() -> None:
    args = C.parse_args(__doc__.splitlines()[0])
    steps, repeats = (200, 2) if args.quick else (20_000, 5)
    n = 10
    ctx, a, W, b, adv = C.build_small(n)
    x = jax.random.uniform(jax.random.PRNGKey(0), (1, n))
    start = ctx.snapshot()

    def ngclab():
        ctx.restore(start)
        for i in range(steps):
            a.j.set(x)
            adv.run(t=float(i), dt=1.)
        return C.block(b.zF.get())

    weights, biases = W.weights.get(), W.biases.get()
    step = jax.jit(lambda zb, x, w, bb, t, dt: C.small_step_fn(w, bb)(zb, x, dt))

    def hand():
        # Python floats, not NumPy scalars: jit takes them several microseconds faster
        zb = jnp.zeros((1, n))
        for i in range(steps):
            zb = step(zb, x, weights, biases, float(i), 1.)
        return C.block(zb)

    C.check_close("step_loop", ngclab(), hand())  # also compiles both
    # the first run() after restore() finds the inputs in the snapshot's arrays: once it has
    # seen that GATHER_AFTER times, a program of its own takes them (compiled once): warm up
    for _ in range(GATHER_AFTER):
        ngclab()
    compiles = C.compilations(adv)
    best = C.interleaved({"ngclab": ngclab, "jax": hand}, repeats)
    if C.compilations(adv) != compiles:
        raise SystemExit(f"step_loop: run() recompiled {C.compilations(adv) - compiles} times")
    ours, ref = steps / best["ngclab"], steps / best["jax"]
    C.row("steps per repeat", steps)
    C.row("ngclab run() loop", f"{ours:,.0f} steps/s")
    C.row("hand-written jitted step loop", f"{ref:,.0f} steps/s")
    C.row("target", ">= 0.8 of the hand-written loop")
    print(f"ratio: {ours / ref:.3f}")


if __name__ == "__main__":
    main()
