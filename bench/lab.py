"""Bench: the Lab loop with a drawing Scope (no browser) vs a headless scan of the same model.

The tutorial circuit a -> W -> b (10 units). The headless baseline is one compiled scan of the
same length with the same clamp and recording. The Lab runs ``steps_per_frame`` chunks through
its normal path (snapshot, scan, finiteness check, ring buffer, throttled frames: PNG images,
or with ``--backend ipympl`` blits into ipympl canvas widgets, the path a browser with
jupyter-matplotlib gets).
Prints frames/s, the time from play to the first drawn frame, and LAST ``ratio: <x>``
(Lab steps/s over headless steps/s).

    python bench/lab.py [--quick] [--steps-per-frame K] [--backend png|ipympl]
"""
from __future__ import annotations

import argparse
import asyncio
import time

import numpy as np


def build():
    from ngclab import Context, MethodProcess
    from ngclab.components import HebbianSynapse, RateCell
    with Context("model") as ctx:
        a = RateCell("a", n_units=10, tau_m=0.)
        W = HebbianSynapse("W", shape=(10, 10))
        b = RateCell("b", n_units=10, tau_m=20.)
        a.zF >> W.inputs
        W.outputs >> b.j
        adv = MethodProcess("advance") >> a.advance_state >> W.advance_state >> b.advance_state
        rst = MethodProcess("reset") >> a.reset >> W.reset >> b.reset
    return ctx, a, W, b, adv, rst


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="short run for CI")
    ap.add_argument("--steps-per-frame", type=int, default=100000)
    ap.add_argument("--backend", choices=("png", "ipympl"), default="png",
                    help="how the Scope draws (a headless 'auto' Scope draws PNG)")
    args = ap.parse_args()
    seconds = 1.5 if args.quick else 6.0
    spf = args.steps_per_frame
    x = np.ones((1, 10), np.float32)

    # headless: one compiled scan (compiled first, then timed)
    ctx, a, W, b, adv, rst = build()
    n_head = spf * 20
    adv.scan(steps=n_head, clamp={a.j: x}, record=[b.zF])
    reps, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds / 2 or reps == 0:
        out = adv.scan(steps=n_head, clamp={a.j: x}, record=[b.zF])
        np.asarray(out["model/b:zF"])
        reps += 1
    head_rate = reps * n_head / (time.perf_counter() - t0)

    # the Lab: play in an asyncio task, the way the kernel runs it
    from ngclab.lab import Lab
    ctx, a, W, b, adv, rst = build()
    lab = Lab(ctx, advance=adv, reset=rst, clamp={a.j: x}, watch=[b.zF, W.weights],
              steps_per_frame=spf, scope_backend=args.backend)
    lab.run(steps=spf)  # compile the chunk once (as a first press of play would)
    lab.reset()

    async def session() -> tuple[float, float, int, int]:
        frames0 = lab.scope.frames_drawn
        lab.scope.first_frame_time = None
        lab.scope._last_draw = 0.0
        start = time.perf_counter()
        lab.play()
        while time.perf_counter() - start < seconds:
            await asyncio.sleep(0.01)
        lab.pause()
        await lab._task if lab._task is not None else None
        wall = time.perf_counter() - start
        first = (lab.scope.first_frame_time or start) - start
        return wall, first, lab.step_count, lab.scope.frames_drawn - frames0

    wall, first, steps, frames = asyncio.run(session())
    lab_rate = steps / wall
    print(f"headless scan: {head_rate:,.0f} steps/s")
    print(f"lab loop:      {lab_rate:,.0f} steps/s ({steps} steps, steps_per_frame={spf})")
    print(f"frames/s: {frames / wall:.1f} (scope backend {lab.scope.backend_in_use})")
    print(f"play to first frame: {first * 1000:.1f} ms")
    print(f"ratio: {lab_rate / head_rate:.3f}")


if __name__ == "__main__":
    main()
