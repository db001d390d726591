"""pcn: a predictive-coding circuit, 20 steps of scan then one evolve, per batch.

    z (RateCell 256, relu, tau_m 20) --W (HebbianSynapse 256x784)--> e.mu
    e (GaussianErrorCell 784), e.target = data;  e.dmu --E (StaticSynapse 784x256)--> z.j
    W.pre <- z.zF, W.post <- e.dmu;  batch 64

Per batch, ngclab does ``reset.run(); adv.scan(20, clamp={e.target: x}); evolve.run(...)``.
Reference: one jax.jit per batch (reset, one lax.scan of 20 steps, the Hebbian update) of the
same math. Target: ratio (reference time / ngclab time) >= 0.9.
"""
from __future__ import annotations

import _common as C

import warnings

import jax
import jax.numpy as jnp


def build(n_z: int, n_x: int, batch: int, eta: float):
    from ngclab.core import Context, MethodProcess
    from ngclab.components.neurons.graded.gaussianErrorCell import GaussianErrorCell
    from ngclab.components.neurons.graded.rateCell import RateCell
    from ngclab.components.synapses.hebbian.hebbianSynapse import HebbianSynapse
    from ngclab.components.synapses.staticSynapse import StaticSynapse
    with Context("pcn") as ctx:
        z = RateCell("z", n_units=n_z, tau_m=20., act_fx="relu", batch_size=batch)
        W = HebbianSynapse("W", shape=(n_z, n_x), eta=eta, w_bound=0., sign_value=-1.,
                           batch_size=batch)
        e = GaussianErrorCell("e", n_units=n_x, batch_size=batch)
        E = StaticSynapse("E", shape=(n_x, n_z), batch_size=batch)
        z.zF >> W.inputs
        W.outputs >> e.mu
        e.dmu >> E.inputs
        E.outputs >> z.j
        z.zF >> W.pre
        e.dmu >> W.post
        adv = (MethodProcess("advance") >> z.advance_state >> W.advance_state
               >> e.advance_state >> E.advance_state)
        evolve = MethodProcess("evolve") >> W.evolve
        reset = (MethodProcess("reset") >> z.reset >> W.reset >> e.reset >> E.reset)
    return ctx, z, W, e, E, adv, evolve, reset


def hand_sample(steps: int, eta: float, tau_m: float = 20., dt: float = 1.):
    """The same math written directly: returns jitted sample(W, E, x) -> new W."""
    @jax.jit
    def sample(Wm, Ew, x):
        n_z = Wm.shape[0]

        def body(carry, _):
            z, e_out, _, _ = carry
            z = z + dt * (e_out * (z >= 0.)) / tau_m      # z: tau dz/dt = j * relu'(z)
            z_f = jnp.maximum(z, 0.)
            dmu = x - z_f @ Wm                             # e: (target - mu) / sigma, sigma = 1
            return (z, dmu @ Ew, z_f, dmu), None           # E: feedback to z.j

        zeros = jnp.zeros((x.shape[0], n_z))
        carry = (zeros, zeros, zeros, jnp.zeros_like(x))
        _, _, z_f, dmu = jax.lax.scan(body, carry, None, length=steps)[0]
        return Wm + eta * (z_f.T @ dmu)                    # sgd on -(pre^T post)
    return sample


def main() -> None:
    # z reads E's output of the previous step on purpose (the error feedback loop)
    warnings.filterwarnings("ignore", message=".*sees the previous step's value")
    args = C.parse_args(__doc__.splitlines()[0])
    if args.quick:
        n_z, n_x, batch, iters, repeats = 16, 32, 4, 3, 2
    else:
        n_z, n_x, batch, iters, repeats = 256, 784, 64, 20, 5
    steps, eta = 20, 1e-3
    ctx, z, W, e, E, adv, evolve, reset = build(n_z, n_x, batch, eta)
    data = jax.random.uniform(jax.random.PRNGKey(0), (4, batch, n_x))
    start = ctx.snapshot()
    w0, ew = W.weights.get(), E.weights.get()

    def ngclab():
        ctx.restore(start)
        for i in range(iters):
            reset.run()
            adv.scan(steps, t0=0., dt=1., clamp={e.target: data[i % 4]})
            evolve.run(t=float(steps), dt=1.)
        return C.block(W.weights.get())

    sample = hand_sample(steps, eta)

    def hand():
        w = w0
        for i in range(iters):
            w = sample(w, ew, data[i % 4])
        return C.block(w)

    C.check_close("pcn", ngclab(), hand(), atol=1e-4)  # also compiles both
    best = C.interleaved({"ngclab": ngclab, "jax": hand}, repeats)
    per = steps * iters
    C.row("batches x steps", f"{iters} x {steps} (batch {batch}, {n_z}->{n_x})")
    C.row("ngclab", f"{best['ngclab'] * 1e3:.1f} ms  ({per / best['ngclab']:,.0f} steps/s)")
    C.row("hand-written jax", f"{best['jax'] * 1e3:.1f} ms  ({per / best['jax']:,.0f} steps/s)")
    C.row("target", ">= 0.9")
    print(f"ratio: {best['jax'] / best['ngclab']:.3f}")


if __name__ == "__main__":
    main()
