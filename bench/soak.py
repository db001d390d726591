"""Soak: a spiking lab played for a long session, its memory and frame rate sampled each minute.

The circuit: Poisson encoder (64 inputs, cycling through 16 random rate patterns) -> trace-STDP
synapse (64 x 32, learning every step) -> LIF cells (32) with pre/post traces. A ``Lab`` watches
the spikes (raster), the membrane potentials (traces) and the weights (image), with its Scope
drawing PNG frames (``scope_backend="png"``, what a browser without ipympl gets).

The Lab is driven the way a browser drives it: a "play" message to the Controls widget starts the
run loop as an asyncio task on this process's event loop; every few seconds a knob message moves
a slider (as a user dragging it would; knobs never recompile), the Controls view says it is open
every 2 s (the heartbeat that keeps a shown lab playing) and the front end's frame requests are
what the Scope renders (``frames`` holds each panel's PNG). Every ``--sample`` seconds
(default 60) one row is recorded: resident memory (VmRSS), frames drawn and steps taken since
the last row (per second), the advance process's compile count, live JAX arrays and asyncio
tasks. At the end the table is printed, then a summary and ``ratio: <x>``: the steps per second
of the last row over the first (1.0: no slowdown over the session).

    python bench/soak.py [--minutes 60] [--sample 60] [--quick]

The chunk is compiled (one ``lab.run`` of a chunk, then a reset) before the session starts, as a
first press of play would. Exits non-zero if the run stopped with an error, recompiled while
playing, drew no PNG frames or left a task running. ``--quick`` is a 20-second session sampled
every 5 seconds.
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:  # run as `python bench/soak.py` from anywhere
    sys.path.insert(0, ROOT)


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def build_lab(steps_per_frame: int):
    """The spiking lab of the module docstring."""
    from ngclab import Context, MethodProcess
    from ngclab.components import LIFCell, PoissonCell, TraceSTDPSynapse, VarTrace
    from ngclab.lab import Lab
    from ngclab.utils.distribution_generator import DistributionGenerator

    n_in, n_out = 64, 32
    with Context("soak") as ctx:
        z0 = PoissonCell("z0", n_in, target_freq=63.75, key=1)
        W = TraceSTDPSynapse("W", (n_in, n_out), A_plus=1e-2, A_minus=1e-3, eta=1.,
                             weight_init=DistributionGenerator.uniform(0.0, 0.3), key=2)
        z1 = LIFCell("z1", n_out, tau_m=20., resist_m=3., refract_time=2., key=3)
        tr0 = VarTrace("tr0", n_in, tau_tr=10., a_delta=0.)
        tr1 = VarTrace("tr1", n_out, tau_tr=10., a_delta=0.)
        z0.outputs >> W.inputs
        W.outputs >> z1.j
        z0.outputs >> tr0.inputs
        z1.s >> tr1.inputs
        z0.outputs >> W.preSpike
        tr0.outputs >> W.preTrace
        z1.s >> W.postSpike
        tr1.outputs >> W.postTrace
        advance = (MethodProcess("advance") >> z0.advance_state >> W.advance_state
                   >> z1.advance_state >> tr0.advance_state >> tr1.advance_state >> W.evolve)
        reset = MethodProcess("reset")
        for c in (z0, W, z1, tr0, tr1):
            reset >> c.reset
    rng = np.random.default_rng(0)
    patterns = rng.uniform(0., 1., (16, 1, n_in)).astype(np.float32)
    stream = np.repeat(patterns, 25, axis=0)           # (400, 1, 64): each pattern 25 steps
    lab = Lab(ctx, advance=advance, reset=reset, clamp={z0.inputs: stream},
              watch=[z1.s, z1.v, W.weights], steps_per_frame=steps_per_frame,
              scope_backend="png", max_fps=30.)
    return lab, z1


async def session(lab, z1, seconds: float, sample: float) -> tuple[list[dict], dict]:
    """Play for ``seconds``, a row every ``sample`` seconds; returns (rows, summary)."""
    import jax
    knob = z1.tau_m.path
    rows: list[dict] = []
    lab.run(lab.steps_per_frame)      # compile the chunk once (as a first press of play would)
    lab.reset()
    compiled = lab.advance.compile_count
    start = time.perf_counter()
    view = {"type": "view", "view": "soak", "state": "alive"}
    lab.controls._receive(view)                                       # a view is shown
    lab.controls._receive({"type": "action", "action": "play", "id": "soak-1"})   # play
    task = lab._task
    mark = (start, lab.step_count, lab.scope.frames_drawn)
    next_sample, next_knob, next_beat, wiggle = start + sample, start + 5.0, start + 2.0, 0
    while True:
        now = time.perf_counter()
        if not lab.running:
            break                                   # stopped by an error (or no view heard)
        if now >= next_beat:                                          # the view's heartbeat
            lab.controls._receive(view)
            next_beat += 2.0
        if now >= next_knob:                                          # a slider moved
            wiggle += 1
            value = 20. + 5. * (wiggle % 2)
            reply = lab.knobs._handle({"type": "knob", "path": knob, "value": value})
            if not reply["ok"]:
                raise SystemExit(f"soak: the knob message was refused: {reply['message']}")
            next_knob += 5.0
        if now >= next_sample:
            gc.collect()
            t0, steps0, frames0 = mark
            span = now - t0
            rows.append({
                "minute": (now - start) / 60.0,
                "rss_mb": rss_mb(),
                "fps": (lab.scope.frames_drawn - frames0) / span,
                "steps_per_s": (lab.step_count - steps0) / span,
                "compiles": lab.advance.compile_count,
                "jax_arrays": len(jax.live_arrays()),
                "tasks": len(asyncio.all_tasks()),
            })
            print(_format_row(rows[-1]), flush=True)
            mark = (now, lab.step_count, lab.scope.frames_drawn)
            next_sample = now + sample           # (a late row does not make the next one early)
            if now - start >= seconds - 1e-6:
                break
        await asyncio.sleep(0.05)
    paused_by_itself = lab.runner.note        # (the pause below clears it)
    lab.controls._handle({"type": "action", "action": "pause"})
    await task
    await asyncio.sleep(0)
    left = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    frames = lab.scope.frames
    png = all(isinstance(f, str) and f.startswith("data:image/png;base64,")
              for f in frames.values()) and len(frames) == len(lab.scope.watched)
    summary = {"steps": lab.step_count, "frames": lab.scope.frames_drawn,
               "error": lab.error or paused_by_itself,
               "compiles_before": compiled,
               "compiles": lab.advance.compile_count, "tasks_left": len(left),
               "png_frames": png, "seconds": time.perf_counter() - start}
    return rows, summary


HEADER = (f"{'minute':>7} {'rss MB':>8} {'frames/s':>9} {'steps/s':>10} {'compiles':>9} "
          f"{'jax arrays':>11} {'tasks':>6}")


def _format_row(r: dict) -> str:
    return (f"{r['minute']:>7.2f} {r['rss_mb']:>8.1f} {r['fps']:>9.1f} {r['steps_per_s']:>10,.0f} "
            f"{r['compiles']:>9d} {r['jax_arrays']:>11d} {r['tasks']:>6d}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=60.0, help="length of the session")
    ap.add_argument("--sample", type=float, default=60.0, help="seconds between rows")
    ap.add_argument("--steps-per-frame", type=int, default=50)
    ap.add_argument("--quick", action="store_true", help="a 20-second session (CI)")
    args = ap.parse_args()
    minutes, sample = (20 / 60.0, 5.0) if args.quick else (args.minutes, args.sample)
    if not (minutes > 0 and sample > 0):
        raise SystemExit("soak: --minutes and --sample must be positive")
    lab, z1 = build_lab(args.steps_per_frame)
    print(f"soak: {minutes:g} min, a row every {sample:g} s, steps_per_frame="
          f"{args.steps_per_frame}, pid {os.getpid()}", flush=True)
    print(HEADER, flush=True)
    rows, summary = asyncio.run(session(lab, z1, minutes * 60.0, sample))
    print()
    print(HEADER)
    for r in rows:
        print(_format_row(r))
    rss = [r["rss_mb"] for r in rows]
    print(f"steps: {summary['steps']:,}  frames: {summary['frames']:,}  "
          f"wall: {summary['seconds']:.0f} s")
    if rss:
        print(f"rss: first {rss[0]:.1f} MB, last {rss[-1]:.1f} MB, max {max(rss):.1f} MB, "
              f"growth after the first row {max(rss) - rss[0]:+.1f} MB")
    print(f"compiles: {summary['compiles']} (before playing: {summary['compiles_before']})  "
          f"tasks left: {summary['tasks_left']}  "
          f"png frames: {summary['png_frames']}  error: {summary['error'] or 'none'}")
    failed = []
    if summary["error"]:
        failed.append(f"the run stopped: {summary['error']}")
    if summary["compiles"] != summary["compiles_before"]:
        failed.append("the lab recompiled while playing")
    if summary["tasks_left"]:
        failed.append("a task was left running after pause")
    if not summary["png_frames"] or not rows:
        failed.append("no PNG frames (or no rows)")
    if failed:
        raise SystemExit("soak failed: " + "; ".join(failed))
    first, last = rows[0]["steps_per_s"], rows[-1]["steps_per_s"]
    print(f"ratio: {last / first:.3f}")


if __name__ == "__main__":
    main()
