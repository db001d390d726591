"""conv: HebbianConvSynapse (B=64, 28x28x1 maps -> 5x5x1x32 filters, SAME), one step =
advance_state + evolve (sgd) + backtransmit, on a new input batch every step, with pre wired
from the inputs and post from the outputs (so no convolution is loop-invariant).

ngclab: ``W.inputs.set(x_i); step.run(t=i, dt=1.)`` per step from Python, and
``step.scan(T, clamp={W.inputs: xs})``.
Reference: the same math hand-written with lax convolutions in canonical NHWC/HWIO layouts
(explicit transposes: XLA's CPU backend runs other dimension numbers up to ~10x slower inside
loops) in one jax.jit called per step, and that step inside one jitted lax.scan. Both compute
the same numbers (checked first).
The ``ratio:`` line is ngclab run() steps/s / hand-written jitted step steps/s; the scan ratio
is printed above it.
"""
from __future__ import annotations

import _common as C
import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from ngclab.components.synapses.convolution import HebbianConvSynapse
from ngclab.core import Context, MethodProcess
from ngclab.utils.distribution_generator import DistributionGenerator as DG

ETA, SIGN, DECAY, R = 1e-6, 1., 1e-3, 1.0
OUTS = ("out0_y", "out1_dK", "out2_db", "out3_dX")  # dict keys sort in this order


def hand_step_fn(n: int, k: int, stride: int = 1):
    """One step of the Hebbian conv synapse written directly with lax (SAME padding)."""
    out = -(-n // stride)
    total = max((out - 1) * stride + k - n, 0)
    lo, hi = total // 2, total - total // 2
    r = (n + lo + hi - k) % stride
    pad = ((lo, hi), (lo, hi))

    def step(K, b, t, x):
        y = lax.conv_general_dilated(x, K, (stride, stride), pad,
                                     dimension_numbers=("NHWC", "HWIO", "NHWC")) * R + b
        pre, post = x, y                            # pre <- inputs, post <- outputs
        # filter vjp: input channels as the batch, the post map as the kernel (canonical layouts)
        dK = lax.conv_general_dilated(jnp.transpose(pre, (3, 1, 2, 0)),
                                      jnp.transpose(post, (1, 2, 0, 3)), (1, 1),
                                      ((lo, hi - r), (lo, hi - r)), rhs_dilation=(stride, stride),
                                      dimension_numbers=("NHWC", "HWIO", "NHWC"))
        dK = jnp.transpose(dK, (1, 2, 0, 3)) * SIGN - K * DECAY
        db = jnp.sum(post, axis=(0, 1, 2), keepdims=True) * SIGN
        K, b = K - ETA * dK, b - ETA * db           # sgd: subtract eta * update
        K_rot = jnp.transpose(jnp.flip(K, (0, 1)), (0, 1, 3, 2))  # input vjp: rotated filters
        dX = lax.conv_general_dilated(post, K_rot, (1, 1), ((k - 1 - lo, k - 1 - hi + r),) * 2,
                                      lhs_dilation=(stride, stride),
                                      dimension_numbers=("NHWC", "HWIO", "NHWC")) * SIGN
        return K, b, t + 1., y, dK, db, dX
    return step


def main() -> None:
    args = C.parse_args(__doc__.splitlines()[0])
    if args.quick:
        B, n, k, co, steps, repeats = 2, 8, 3, 4, 5, 2
    else:
        B, n, k, co, steps, repeats = 64, 28, 5, 32, 40, 5
    with Context("bench") as ctx:
        W = HebbianConvSynapse("W", (k, k, 1, co), (n, n), eta=ETA, padding="SAME",
                               batch_size=B, bias_init=DG.constant(0.), sign_value=SIGN,
                               w_decay=DECAY, resist_scale=R, key=0)
        W.inputs >> W.pre
        W.outputs >> W.post
        step = MethodProcess("step") >> W.advance_state >> W.evolve >> W.backtransmit
    rs = np.random.RandomState(0)
    xs = jnp.asarray(rs.uniform(size=(steps, B, n, n, 1)).astype(np.float32))
    start = ctx.snapshot()
    K0, b0 = W.weights.get(), W.biases.get()

    def ngclab_run():
        ctx.restore(start)
        for i in range(steps):
            W.inputs.set(xs[i])
            step.run(t=float(i), dt=1.)
        return C.block(W.weights.get())

    def ngclab_scan():
        ctx.restore(start)
        step.scan(steps, t0=0., dt=1., clamp={W.inputs: xs})
        return C.block(W.weights.get())

    one = hand_step_fn(n, k)
    jstep = jax.jit(one)

    def hand_run():
        K, b, t = K0, b0, jnp.float32(0.)
        for i in range(steps):
            K, b, t, y, dK, db, dX = jstep(K, b, t, xs[i])
        return C.block(K)

    @jax.jit
    def hand_scan_fn(K, b, xs):
        # the carry holds the filters, biases, time, the current input and the step's outputs
        # (y, dK, db, dX), as ngclab's state does. Measured on XLA's CPU backend: this dict
        # carry runs ~1.7x faster than a plain tuple (K, b, t, y, dK, db, dX) with x taken from
        # the scanned slice, so the reference uses it.
        outs = jax.eval_shape(one, K, b, jnp.float32(0.), xs[0])[3:]
        init = {"K": K, "b": b, "t": jnp.float32(0.), "x": xs[0],
                **{name: jnp.zeros(o.shape, o.dtype) for name, o in zip(OUTS, outs)}}

        def body(c, x_t):
            c = {**c, "x": x_t}
            K, b, t, *rest = one(c["K"], c["b"], c["t"], c["x"])
            return {**c, "K": K, "b": b, "t": t, **dict(zip(OUTS, rest))}, None
        return lax.scan(body, init, xs)[0]

    def hand_scan():
        return C.block(hand_scan_fn(K0, b0, xs)["K"])

    # both programs compute the same numbers (this also compiles everything)
    C.check_close("conv run", ngclab_run(), hand_run(), atol=1e-4)
    C.check_close("conv scan", ngclab_scan(), hand_scan(), atol=1e-4)
    final = hand_scan_fn(K0, b0, xs)
    for name, got in (("out0_y", W.outputs), ("out3_dX", W.dInputs), ("out1_dK", W.dWeights)):
        C.check_close(f"conv scan {name}", got.get(), final[name], atol=1e-3)
    ctx.restore(start)
    W.inputs.set(xs[0])
    step.run(t=0., dt=1.)
    K1, b1, _, y, dK, db, dX = jstep(K0, b0, jnp.float32(0.), xs[0])
    for name, got, want in (("outputs", W.outputs, y), ("dWeights", W.dWeights, dK),
                            ("dBiases", W.dBiases, db), ("dInputs", W.dInputs, dX)):
        C.check_close(f"conv {name}", got.get(), want, atol=1e-3)
    compiles = step.compile_count
    best = C.interleaved({"run": ngclab_run, "hand_run": hand_run, "scan": ngclab_scan,
                          "hand_scan": hand_scan}, repeats)
    if step.compile_count != compiles:
        raise SystemExit(f"conv: ngclab recompiled {step.compile_count - compiles} times")
    rate = {name: steps / t for name, t in best.items()}
    C.row("shape", f"B={B}, {n}x{n}x1 -> {k}x{k}x1x{co}, SAME; {steps} steps per repeat")
    C.row("ngclab step.run() loop", f"{rate['run']:,.1f} steps/s")
    C.row("hand-written jitted step loop", f"{rate['hand_run']:,.1f} steps/s")
    C.row("ngclab step.scan()", f"{rate['scan']:,.1f} steps/s")
    C.row("hand-written jitted lax.scan", f"{rate['hand_scan']:,.1f} steps/s")
    C.row("ratio (scan vs hand-written scan)", f"{rate['scan'] / rate['hand_scan']:.3f}")
    print(f"ratio: {rate['run'] / rate['hand_run']:.3f}")


if __name__ == "__main__":
    main()
