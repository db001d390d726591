"""sparse: sparse synaptic products against a hand-written dense ``x @ W`` inside lax.scan.

Random 2% connectivity (N = 1,000 and 4,000 units, batch 1), a fresh spike vector each step
(Bernoulli, ~0.4% of the units fire), 1,000 steps of ``g <- 0.9 g + x_t @ W`` in one jitted
lax.scan, for each way of computing the product:

- dense: the hand-written reference, ``x @ W`` with the zeros stored;
- segment_sum: ngclab's ``propagate`` (per-edge contributions summed by postsynaptic unit);
- bcoo: JAX's BCOO sparse matrix (``jax.experimental.sparse``) times x;
- events K=64: ngclab's ``propagate_events``, a segment sum over the rows of the units that
  spiked this step only (at most 64 per step, so shapes stay static; none are dropped here).

Then the components themselves: StaticSparseTensorSynapse (the same 2% cable, N = 4,000) and
a locally connected one (each output reads a window of 20 inputs), each scanned through a
MethodProcess, against hand-written dense scans of the same matrices. All programs compute the
same numbers (checked first). The ``ratio:`` line is dense time / StaticSparseTensorSynapse
time for the 2% cable at N = 4,000 (higher is better).
"""
from __future__ import annotations

import _common as C

import jax
import jax.numpy as jnp
import numpy as np

from ngclab.components.synapses._sparse import (edges_of_matrix, propagate, propagate_bcoo,
                                                propagate_events)
from ngclab.components.synapses.staticSparseTensorSynapse import StaticSparseTensorSynapse
from ngclab.core import Context, MethodProcess

DECAY, P_CONN, P_SPIKE, CAPACITY = 0.9, 0.02, 0.004, 64


def random_cable(n: int, seed: int = 0) -> np.ndarray:
    rs = np.random.RandomState(seed)
    return (rs.uniform(0.1, 1., (n, n)) * (rs.uniform(size=(n, n)) < P_CONN)).astype(np.float32)


def spike_train(n: int, steps: int, seed: int = 1) -> jnp.ndarray:
    rs = np.random.RandomState(seed)
    return jnp.asarray((rs.uniform(size=(steps, 1, n)) < P_SPIKE).astype(np.float32))


def scan_of(product, n: int):
    """A jitted scan of g <- DECAY g + product(x_t, operand); returns the final g."""
    @jax.jit
    def run(xs, operand):
        def body(g, x):
            return g * DECAY + product(x, operand), None
        return jax.lax.scan(body, jnp.zeros((1, n)), xs)[0]
    return run


def products(n: int, steps: int, repeats: int) -> dict[str, float]:
    W = random_cable(n)
    edges = edges_of_matrix(W)
    values = jnp.asarray(W[edges.pre, edges.post])
    xs = spike_train(n, steps)
    assert int(jnp.max(jnp.sum(xs, axis=-1))) <= CAPACITY  # the event path drops nothing
    Wd = jnp.asarray(W)
    scans = {
        "dense": (scan_of(lambda x, w: x @ w, n), Wd),
        "segment_sum": (scan_of(lambda x, v: propagate(x, v, edges), n), values),
        "bcoo": (scan_of(lambda x, v: propagate_bcoo(x, v, edges), n), values),
        f"events K={CAPACITY}": (scan_of(
            lambda x, v: propagate_events(x, v, edges, CAPACITY)[0], n), values),
    }
    runs = {name: (lambda f=f, op=op: C.block(f(xs, op))) for name, (f, op) in scans.items()}
    want = runs["dense"]()
    for name, fn in runs.items():
        C.check_close(f"{name} (N={n})", fn(), want, atol=1e-3)
    return C.interleaved(runs, repeats)


def component_vs_dense(n: int, steps: int, repeats: int, local_window: int | None) -> tuple:
    """(ngclab scan time, hand-written dense scan time) of a StaticSparseTensorSynapse."""
    with Context("bench") as ctx:
        if local_window is None:   # one output stream of n units reading all n inputs, 2% kept
            W = StaticSparseTensorSynapse("W", n_in_streams=n, K_local=1, O_local=n, P_l=n,
                                          p_conn=P_CONN, key=0)
        else:                      # output stream s reads inputs s .. s + window - 1
            W = StaticSparseTensorSynapse("W", n_in_streams=n, K_local=1, O_local=1,
                                          P_l=local_window, key=0)
        adv = MethodProcess("adv") >> W.advance_state
    xs = spike_train(W.io_shape[0], steps)
    dense = jnp.asarray(W.dense_weights())
    start = ctx.snapshot()

    def ngclab():
        ctx.restore(start)
        return C.block(adv.scan(steps, clamp={W.inputs: xs}, record=[W.outputs])[W.outputs.path])

    @jax.jit
    def hand(xs, w):
        return jax.lax.scan(lambda c, x: (c, x @ w), 0., xs)[1]

    ref = lambda: C.block(hand(xs, dense))
    C.check_close(f"component (N={n})", ngclab(), ref(), atol=1e-3)
    best = C.interleaved({"ngclab": ngclab, "jax": ref}, repeats)
    return best["ngclab"], best["jax"]


def main() -> None:
    args = C.parse_args(__doc__.splitlines()[0])
    sizes, steps, repeats = ([200, 400], 100, 2) if args.quick else ([1_000, 4_000], 1_000, 5)
    C.row("steps per scan", steps)
    for n in sizes:
        best = products(n, steps, repeats)
        C.row(f"N={n:,} 2% random", "time per step; dense / method (higher: faster)")
        for name, t in best.items():
            C.row(f"  {name}", f"{t / steps * 1e6:8.1f} us   x{best['dense'] / t:6.2f}")
        C.row("  segment_sum / bcoo", f"x{best['bcoo'] / best['segment_sum']:.2f}")
        events = best[f"events K={CAPACITY}"]
        C.row("  events / segment_sum", f"x{best['segment_sum'] / events:.2f}")
    n = sizes[-1]
    window = 8 if args.quick else 20
    t_loc, t_loc_ref = component_vs_dense(n, steps, repeats, local_window=window)
    C.row(f"local window (N={n:,})", f"ngclab {t_loc / steps * 1e6:.1f} us/step, dense "
                                   f"{t_loc_ref / steps * 1e6:.1f} us/step: "
                                   f"x{t_loc_ref / t_loc:.2f}")
    t_rand, t_rand_ref = component_vs_dense(n, steps, repeats, local_window=None)
    C.row(f"2% random (N={n:,})", f"ngclab {t_rand / steps * 1e6:.1f} us/step, dense "
                                 f"{t_rand_ref / steps * 1e6:.1f} us/step")
    print(f"ratio: {t_rand_ref / t_rand:.3f}")


if __name__ == "__main__":
    main()
