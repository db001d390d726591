"""minibatch: a PCN training step as code ported from ngc-learn writes it, one run() at a time.

    z0 (RateCell 64, stateless) --W1 (Hebbian 64x128)--> e1.mu;  e1.target <- z1.z
    z1 (RateCell 128, tanh, tau_m 10): j <- E2(e2.dmu), j_td <- e1.dtarget
    z1.zF --W2 (Hebbian 128x10)--> e2.mu;  e2.target = labels;  e2.dmu --E2 (static 10x128)--> z1.j

Components are built with the default batch size (1) and take mini-batches of 50, as ported
ngc-learn scripts do. Per mini-batch: ``reset.run(); z0.j.set(x); e2.target.set(y);`` ten
``advance.run(t=..., dt=1.)``, ``evolve.run()``, then the loss ``e2.L.get()`` is read.

References, in the same process: the same math by hand with one ``jax.jit`` per ngclab ``run``
called the same way (target: ngclab >= 0.8 of it), and one ``jax.jit`` of the whole mini-batch
(what fusing could reach; reported, no target).
"""
from __future__ import annotations

import _common as C

import warnings

import jax
import jax.numpy as jnp
import numpy as np

from ngclab.core.compiled import GATHER_AFTER
from ngclab.core.fusion import HOT_AFTER

N_IN, N_H, N_OUT, BATCH, T, ETA = 64, 128, 10, 50, 10, 1e-3


def build():
    from ngclab import Context, MethodProcess
    from ngclab.components import GaussianErrorCell, HebbianSynapse, RateCell, StaticSynapse
    from ngclab.utils.distribution_generator import DistributionGenerator as D
    with Context("minibatch") as ctx:
        z0 = RateCell("z0", n_units=N_IN, tau_m=0., act_fx="identity")
        z1 = RateCell("z1", n_units=N_H, tau_m=10., act_fx="tanh")
        W1 = HebbianSynapse("W1", shape=(N_IN, N_H), eta=ETA, sign_value=-1., w_bound=0.,
                            weight_init=D.gaussian(std=0.05))
        W2 = HebbianSynapse("W2", shape=(N_H, N_OUT), eta=ETA, sign_value=-1., w_bound=0.,
                            weight_init=D.gaussian(std=0.05))
        e1 = GaussianErrorCell("e1", n_units=N_H)
        e2 = GaussianErrorCell("e2", n_units=N_OUT)
        E2 = StaticSynapse("E2", shape=(N_OUT, N_H), weight_init=D.gaussian(std=0.05))
        z0.zF >> W1.inputs
        W1.outputs >> e1.mu
        z1.z >> e1.target
        z1.zF >> W2.inputs
        W2.outputs >> e2.mu
        e2.dmu >> E2.inputs
        E2.outputs >> z1.j
        e1.dtarget >> z1.j_td
        z0.zF >> W1.pre
        e1.dmu >> W1.post
        z1.zF >> W2.pre
        e2.dmu >> W2.post
        advance = (MethodProcess("advance") >> z0.advance_state >> z1.advance_state
                   >> W1.advance_state >> W2.advance_state >> e1.advance_state
                   >> e2.advance_state >> E2.advance_state)
        evolve = MethodProcess("evolve") >> W1.evolve >> W2.evolve
        reset = (MethodProcess("reset") >> z0.reset >> z1.reset >> W1.reset >> W2.reset
                 >> e1.reset >> e2.reset >> E2.reset)
    return ctx, (z0, z1, W1, W2, e1, e2, E2), (advance, evolve, reset)


def hand_steps():
    """The same math: reset -> state, advance(state, x, y, dt) -> state, evolve -> weights."""
    def reset():
        zeros = jnp.zeros((BATCH, N_H))
        return (zeros, zeros, jnp.zeros((BATCH, N_OUT)), zeros)  # z1, e1.dtarget, e2.dmu, E2 out

    def advance(state, w1, w2, e2w, x, y, dt):
        z1, dtarget1, _, e2_out = state
        j = e2_out * (1. - jnp.square(jnp.tanh(z1)))        # j f'(z), R = 1
        z1 = z1 + dt * (j + dtarget1) / 10.                 # tau dz/dt = j f'(z) + j_td
        dmu1 = z1 - x @ w1                                  # sigma = 1
        dmu2 = y - jnp.tanh(z1) @ w2
        return (z1, -dmu1, dmu2, dmu2 @ e2w)

    def evolve(state, w1, w2, x):
        z1, dtarget1, dmu2, _ = state
        return w1 + ETA * (x.T @ -dtarget1), w2 + ETA * (jnp.tanh(z1).T @ dmu2)

    def loss(state):
        return -0.5 * jnp.sum(jnp.square(state[2]))

    return reset, advance, evolve, loss


def main() -> None:
    warnings.filterwarnings("ignore", message=".*sees the previous step's value")
    args = C.parse_args(__doc__.splitlines()[0])
    batches, repeats = (3, 2) if args.quick else (30, 5)
    ctx, (z0, z1, W1, W2, e1, e2, E2), (advance, evolve, reset) = build()
    rng = np.random.default_rng(0)
    xs = jnp.asarray(rng.uniform(0., 1., (4, BATCH, N_IN)), jnp.float32)
    ys = jnp.asarray(np.eye(N_OUT)[rng.integers(0, N_OUT, (4, BATCH))], jnp.float32)
    start = ctx.snapshot()
    w1_0, w2_0, e2w = W1.weights.get(), W2.weights.get(), E2.weights.get()

    def ngclab():
        ctx.restore(start)
        for i in range(batches):
            reset.run()
            z0.j.set(xs[i % 4])
            e2.target.set(ys[i % 4])
            for t in range(T):
                advance.run(t=float(t), dt=1.)
            evolve.run()
            e2.L.get()
        return C.block(W1.weights.get())

    reset_f, advance_f, evolve_f, loss_f = hand_steps()
    reset_j, advance_j, evolve_j, loss_j = map(jax.jit, (reset_f, advance_f, evolve_f, loss_f))

    def per_run():
        w1, w2 = w1_0, w2_0
        for i in range(batches):
            state = reset_j()
            x, y = xs[i % 4], ys[i % 4]
            for t in range(T):
                # dt as a Python float: jit takes it faster than a NumPy scalar
                state = advance_j(state, w1, w2, e2w, x, y, 1.)
            w1, w2 = evolve_j(state, w1, w2, x)
            loss_j(state)
        return C.block(w1)

    @jax.jit
    def whole(w1, w2, x, y):
        state = jax.lax.fori_loop(0, T, lambda t, s: advance_f(s, w1, w2, e2w, x, y, 1.),
                                  reset_f())
        w1, w2 = evolve_f(state, w1, w2, x)
        return w1, w2, loss_f(state)

    def fused():
        w1, w2 = w1_0, w2_0
        for i in range(batches):
            w1, w2, _ = whole(w1, w2, xs[i % 4], ys[i % 4])
        return C.block(w1)

    C.check_close("minibatch", ngclab(), per_run(), atol=1e-5)   # also compiles all three
    C.check_close("minibatch", fused(), per_run(), atol=1e-5)
    # a step's first call after another step wrote gets a program of its own for inputs laid
    # out as it has seen them GATHER_AFTER times (after restore(), after reset), and a whole
    # mini-batch runs as one program once it has come fusion.HOT_AFTER times: warm up to both
    for _ in range(max(GATHER_AFTER, -(-(HOT_AFTER + 2) // batches))):
        ngclab()
    compiles = C.compilations(advance)
    best = C.interleaved({"ngclab": ngclab, "per_run": per_run, "fused": fused}, repeats)
    if C.compilations(advance) != compiles:
        raise SystemExit(f"minibatch: advance recompiled "
                         f"{C.compilations(advance) - compiles} times")
    # where the time goes: the advance step alone, ngclab's compiled step (lean once its
    # outputs go unread: only the leaves the next run reads, the other 19 of the 22 leaves it
    # writes computed when evolve reads them) vs the hand-written one (the 4 arrays the
    # training needs)
    x, y = xs[0], ys[0]
    w1, w2 = W1.weights.get(), W2.weights.get()
    runs = 20 if args.quick else 200

    def ngclab_advance():
        for t in range(runs):
            advance.run(t=float(t), dt=1.)
        return C.block(e2.L.get())

    def hand_advance():
        state = reset_j()
        for _ in range(runs):
            state = advance_j(state, w1, w2, e2w, x, y, 1.)
        return C.block(state)

    ngclab_advance()
    alone = C.interleaved({"ngclab": ngclab_advance, "hand": hand_advance}, repeats)
    per = batches
    C.row("mini-batches", f"{batches} x (reset, {T} advance runs, evolve); batch {BATCH}")
    C.row("ngclab run() calls", f"{per / best['ngclab']:,.0f} mini-batches/s")
    C.row("hand-written, one jit per run", f"{per / best['per_run']:,.0f} mini-batches/s")
    C.row("hand-written, one jit per batch", f"{per / best['fused']:,.0f} mini-batches/s")
    C.row("ratio vs one jit per batch", f"{best['fused'] / best['ngclab']:.3f} (no target)")
    C.row("advance step alone, per run", f"ngclab {alone['ngclab'] / runs * 1e6:.0f} us, "
          f"hand-written {alone['hand'] / runs * 1e6:.0f} us "
          f"({alone['hand'] / alone['ngclab']:.2f}; the ngclab step lean: unread leaves deferred)")
    C.row("target", ">= 0.8 of one jit per run")
    print(f"ratio: {best['per_run'] / best['ngclab']:.3f}")


if __name__ == "__main__":
    main()
