"""small: the tutorial circuit a -> W -> b (10 units) for 100,000 steps in one scan.

ngclab: ``adv.scan(T, clamp={a.j: x}, record=[b.zF])`` (a fresh call each time, Python included).
Reference: one jax.jit around one lax.scan of the same math, recording b.zF.
Target: ratio (reference time / ngclab time) >= 0.8.

A second reference, reported without a target, takes the cells' knobs (tau_m, the prior's leak,
R, the output scale) as arguments, as ngclab's programs do so that sliders and sweeps apply
without recompiling, and computes the terms they enter (the leak ``-gamma * z``, ``R * j``, the
output scale). The first is the math as it simplifies for these values, written by hand (no
leak, slope 1, constants baked in), so XLA hoists ``dt * j / tau_m`` out of the loop and one
addition per step is left.
"""
from __future__ import annotations

import _common as C

import jax
import jax.numpy as jnp


def main() -> None:
    args = C.parse_args(__doc__.splitlines()[0])
    steps, repeats = (1_000, 2) if args.quick else (100_000, 7)
    n = 10
    ctx, a, W, b, adv = C.build_small(n)
    x = jax.random.uniform(jax.random.PRNGKey(0), (1, n))
    start = ctx.snapshot()

    def ngclab():
        ctx.restore(start)
        return C.block(adv.scan(steps, t0=0., dt=1., clamp={a.j: x}, record=[b.zF])[b.zF.path])

    step = C.small_step_fn(W.weights.get(), W.biases.get())

    @jax.jit
    def hand(zb0, x):
        def body(zb, _):
            zb = step(zb, x, 1.)
            return zb, zb
        return jax.lax.scan(body, zb0, None, length=steps)[1]

    @jax.jit
    def hand_knobs(zb0, x, w, bias, knobs):
        tau, leak, resist, out_scale, dt = knobs
        def body(zb, _):
            j = x @ w + bias
            zb = zb + dt * (-leak * zb + resist * j * jnp.ones_like(zb)) / tau   # slope 1
            return zb, out_scale * zb
        return jax.lax.scan(body, zb0, None, length=steps)[1]

    zb0 = jnp.zeros((1, n))
    knobs = tuple(jnp.float32(v) for v in (20., 0., 1., 1., 1.))
    ref = lambda: C.block(hand(zb0, x))
    ref_knobs = lambda: C.block(hand_knobs(zb0, x, W.weights.get(), W.biases.get(), knobs))
    C.check_close("small", ngclab(), ref())  # also compiles both
    C.check_close("small", ref_knobs(), ref())
    best = C.interleaved({"ngclab": ngclab, "jax": ref, "knobs": ref_knobs}, repeats)
    C.row("steps", steps)
    C.row("ngclab", f"{best['ngclab'] * 1e3:.2f} ms  ({steps / best['ngclab']:,.0f} steps/s)")
    C.row("hand-written jax", f"{best['jax'] * 1e3:.2f} ms  ({steps / best['jax']:,.0f} steps/s)")
    C.row("hand-written, knobs as arguments", f"{best['knobs'] * 1e3:.2f} ms  "
          f"(ratio {best['knobs'] / best['ngclab']:.3f}, no target)")
    C.row("target", ">= 0.8")
    print(f"ratio: {best['jax'] / best['ngclab']:.3f}")


if __name__ == "__main__":
    main()
