"""A run() loop and a scan give the same state, bit for bit at the built batch size and at
another one from the start; after a batch-size change to within one float32 rounding.

run() compiles one step (the small leaves it writes packed into one vector, see
ngclab.core.transfer) and a scan compiles a loop (prologue, lax.scan, epilogue, see
ngclab.core.scan); both must compute exactly the same numbers, also at a batch size other than
the one the circuit was built with, after the batch size changes, and through a wire whose
source is smaller than its target (a (1, 1) value read by a (1, n) compartment).

Expected numbers where the test states them: a (tau_m = 0, identity) passes j through; b
(tau_m = 20, identity, no leak) takes Euler steps of tau_m dz/dt = j with dt = 1, so after k
steps of a constant input x, b.z = k x / 20.
"""
import jax.numpy as jnp
import numpy as np
import pytest

from ngclab import Context, MethodProcess
from ngclab.components import GaussianErrorCell, HebbianSynapse, RateCell
from ngclab.utils.distribution_generator import DistributionGenerator


def circuit(name="rs", n=3):
    """a -> W (Hebbian, random weights) -> b -> e.mu, built with batch size 1."""
    with Context(name) as ctx:
        a = RateCell("a", n_units=n, tau_m=0., act_fx="identity")
        W = HebbianSynapse("W", shape=(n, n), eta=0.1,
                           weight_init=DistributionGenerator.gaussian(std=0.5))
        b = RateCell("b", n_units=n, tau_m=20., act_fx="tanh")
        e = GaussianErrorCell("e", n_units=n)
        a.zF >> W.inputs
        W.outputs >> b.j
        b.zF >> e.mu
        adv = MethodProcess("adv") >> a.advance_state >> W.advance_state >> b.advance_state \
            >> e.advance_state
        reset = MethodProcess("reset") >> a.reset >> W.reset >> b.reset >> e.reset
    return ctx, a, b, e, adv, reset


def data(batch, n=3, seed=0):
    return jnp.asarray(np.random.default_rng(seed).uniform(-1., 1., (batch, n)), jnp.float32)


def leaves(ctx):
    return {p: np.asarray(v) for p, v in ctx.state.items()}


def assert_same(got, want, exact=True):
    assert got.keys() == want.keys()
    for p in want:
        assert got[p].shape == want[p].shape, p
        if exact:
            np.testing.assert_array_equal(got[p], want[p], err_msg=p)
        else:   # within one float32 rounding (see the batch-change test)
            np.testing.assert_allclose(got[p], want[p], rtol=2e-7, atol=1e-8, err_msg=p)


def run_loop(parts, x, steps, t0=0.):
    ctx, a, b, e, adv, reset = parts
    for i in range(steps):
        a.j.set(x)
        adv.run(t=t0 + i, dt=1.)
    return leaves(ctx)


def scan(parts, x, steps, t0=0.):
    ctx, a, b, e, adv, reset = parts
    adv.scan(steps, t0=t0, dt=1., clamp={a.j: x})
    return leaves(ctx)


@pytest.mark.parametrize("batch", [1, 4])
def test_run_loop_equals_scan_at_a_batch_size(batch):
    x = data(batch)
    ran = run_loop(circuit(), x, 6)
    scanned = scan(circuit(), x, 6)        # same names: the same weights
    assert ran["rs/b:z"].shape == (batch, 3)
    assert_same(ran, scanned)


def test_run_loop_equals_scan_after_the_batch_size_changes():
    # as ported ngc-learn code changes batch size: reset (back to the built batch size, 1),
    # then data of the new size
    x4, x2 = data(4), data(2, seed=1)
    ran, scanned = circuit(), circuit()
    run_loop(ran, x4, 6)
    scan(scanned, x4, 6)
    assert_same(leaves(ran[0]), leaves(scanned[0]))
    ran[5].run()
    scanned[5].run()
    after_run = run_loop(ran, x2, 6, t0=6.)             # batch 4 -> 2
    after_scan = scan(scanned, x2, 6, t0=6.)
    assert after_run["rs/b:z"].shape == (2, 3)
    # XLA compiles b's Euler step inside the scan's loop into another fusion than in the
    # single run() step; at batch 2 one element of b.z comes out one float32 rounding apart
    # (so do scans of 2 to 5 steps at batch 4): equal to that rounding, not bit for bit
    assert_same(after_run, after_scan, exact=False)
    # and back to 4: the steps compiled for these shapes are reused, still equal
    compiled = ran[4].compile_count
    ran[5].run()
    scanned[5].run()
    assert_same(run_loop(ran, x4, 7, t0=12.), scan(scanned, x4, 7, t0=12.), exact=False)
    assert ran[4].compile_count == compiled


def broadcast_circuit(name="bw", n=4):
    """a (1 unit) -> b (n units): the (1, 1) output of a read by b's (1, n) input."""
    with Context(name) as ctx:
        a = RateCell("a", n_units=1, tau_m=0., act_fx="identity")
        b = RateCell("b", n_units=n, tau_m=20., act_fx="identity")
        a.zF >> b.j
        adv = MethodProcess("adv") >> a.advance_state >> b.advance_state
    return ctx, a, b, adv


def test_a_smaller_source_is_read_broadcast_to_the_wired_compartment():
    ctx, a, b, adv = broadcast_circuit()
    a.j.set(jnp.array([[2.]]))
    adv.run(t=0., dt=1.)
    assert b.j.shape == (1, 4)
    np.testing.assert_array_equal(np.asarray(b.j.get()), np.full((1, 4), 2., np.float32))
    for k in range(2, 4):
        adv.run(t=float(k - 1), dt=1.)
    # three steps of j = 2 into every unit: z = 3 * 2 / 20
    np.testing.assert_allclose(np.asarray(b.z.get()), np.full((1, 4), 0.3), rtol=1e-6)


def test_a_smaller_source_follows_the_batch_and_run_equals_scan():
    x = jnp.asarray([[1.], [2.], [3.]], jnp.float32)       # batch 3 of a's one unit
    ran, scanned = broadcast_circuit(), broadcast_circuit()
    for i in range(5):
        ran[1].j.set(x)
        ran[3].run(t=float(i), dt=1.)
    scanned[3].scan(5, clamp={scanned[1].j: x})
    assert ran[2].j.shape == (3, 4)
    # row r: five steps of j = x_r into all four units: z = 5 x_r / 20
    np.testing.assert_allclose(np.asarray(ran[2].z.get()),
                               np.broadcast_to(5. * np.asarray(x) / 20., (3, 4)), rtol=1e-6)
    assert_same(leaves(ran[0]), leaves(scanned[0]))


def test_a_wire_is_checked_against_the_compartments_own_shape():
    with Context("bc"):
        a = RateCell("a", n_units=1, tau_m=0., act_fx="identity")
        c = RateCell("c", n_units=3, tau_m=0., act_fx="identity")
        b = RateCell("b", n_units=4, tau_m=20., act_fx="identity")
        a.zF >> b.j                           # (1, 1) into (1, 4): broadcasts
        with pytest.raises(ValueError, match=r"cannot wire .*c:zF.* \(shape \(1, 3\)\) into "
                                             r"bc/b:j \(shape \(1, 4\)\)"):
            c.zF >> b.j                       # (1, 3) does not, whatever b.j reads now
