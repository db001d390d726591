"""Batch size follows the data, as in ngc-learn.

Components are built with a batch size (default 1); a value set into a batched compartment may
carry another batch size, and the circuit then runs at that batch size: values computed from it
take its batch axis (broadcasting, as ngc-learn's jax code does). Compiled programs are cached
per leaf shapes, so alternating between batch sizes compiles each once. Only the batch axis is
flexible.

Expected numbers: the tutorial circuit (a: tau_m = 0 passes j through; W = 1; b: Euler steps of
tau_m dz/dt = j with dt = 1, tau_m = 20), so after k steps of a constant x, b.z = k x / 20, per
row of the batch; and the same circuit built with batch_size=B gives identical numbers.
"""
import jax.numpy as jnp
import numpy as np
import pytest

from ngclab import Context, MethodProcess
from ngclab.components import GaussianErrorCell, HebbianSynapse, RateCell
from ngclab.utils.distribution_generator import DistributionGenerator


def circuit(batch_size=1, n=3, name="bt"):
    with Context(name) as ctx:
        a = RateCell("a", n_units=n, tau_m=0., act_fx="identity", batch_size=batch_size)
        W = HebbianSynapse("W", shape=(n, n), batch_size=batch_size, eta=0.1,
                           weight_init=DistributionGenerator.constant(value=1.))
        b = RateCell("b", n_units=n, tau_m=20., act_fx="identity", batch_size=batch_size)
        e = GaussianErrorCell("e", n_units=n, batch_size=batch_size)
        a.zF >> W.inputs
        W.outputs >> b.j
        b.zF >> e.mu
        a.zF >> W.pre
        e.dmu >> W.post
        adv = MethodProcess("adv") >> a.advance_state >> W.advance_state >> b.advance_state \
            >> e.advance_state
        evolve = MethodProcess("evolve") >> W.evolve
        reset = MethodProcess("reset") >> a.reset >> W.reset >> b.reset >> e.reset
    return ctx, a, W, b, e, adv, evolve, reset


def data(batch, n=3, seed=0):
    return jnp.asarray(np.random.default_rng(seed).uniform(0., 1., (batch, n)), jnp.float32)


def minibatch(parts, x, y, steps=4):
    ctx, a, W, b, e, adv, evolve, reset = parts
    reset.run()
    a.j.set(x)
    e.target.set(y)
    for i in range(steps):
        adv.run(t=float(i), dt=1.)
    evolve.run(t=float(steps), dt=1.)
    return {p: np.asarray(v) for p, v in ctx.state.items()}


def test_a_batch_of_data_runs_a_circuit_built_for_batch_one():
    x = data(5)
    parts = circuit()
    ctx, a, W, b, e, adv, evolve, reset = parts
    a.j.set(x)                                   # (5, 3) into a (1, 3) compartment
    for i in range(4):
        adv.run(t=float(i), dt=1.)
    assert b.z.shape == (5, 3) and e.dmu.shape == (5, 3)
    np.testing.assert_allclose(np.asarray(b.z.get()), 4 * np.asarray(x).sum(1, keepdims=True)
                               * np.ones((1, 3)) / 20., rtol=1e-5)   # z = k (x @ 1) / tau_m


def test_it_gives_the_numbers_of_a_circuit_built_for_that_batch():
    x, y = data(6), data(6, seed=1)
    flexible = minibatch(circuit(1, name="m"), x, y)
    built = minibatch(circuit(6, name="m"), x, y)
    assert flexible.keys() == built.keys()
    for path in built:   # leaves nothing writes (a.j_td) keep batch one, as in ngc-learn
        np.testing.assert_array_equal(np.broadcast_to(flexible[path], built[path].shape),
                                      built[path], err_msg=path)
    for path in ("m/b:z", "m/e:dmu", "m/W:outputs"):
        assert flexible[path].shape == (6, 3), path


def test_alternating_batch_sizes_compile_each_once():
    parts = circuit()
    ctx, a, W, b, e, adv, evolve, reset = parts
    # one round of each batch size, and one more of the first: reset then has seen the state
    # as built, after batch 5 and after batch 3 (each a different set of leaf shapes)
    for batch in (5, 3, 5):
        minibatch(parts, data(batch), data(batch, seed=2))
    counts = (adv.compile_count, evolve.compile_count, reset.compile_count)
    for batch in (5, 3, 5, 3, 5):
        minibatch(parts, data(batch), data(batch, seed=2))
    assert (adv.compile_count, evolve.compile_count, reset.compile_count) == counts


def test_other_axes_are_still_refused_and_nothing_changes():
    ctx, a, W, b, e, adv, evolve, reset = circuit()
    before = {p: np.asarray(v) for p, v in ctx.state.items()}
    with pytest.raises(ValueError, match=r"bt/a:j: cannot set a value of shape \(5, 4\) into a "
                                         r"compartment of shape \(1, 3\)"):
        a.j.set(jnp.ones((5, 4)))
    with pytest.raises(ValueError, match=r"bt/W:weights: cannot set a value of shape \(4, 3\)"):
        W.weights.set(jnp.ones((4, 3)))          # a parameter has no batch axis
    with pytest.raises(ValueError, match=r"bt/a:j"):
        a.j.set(jnp.ones((5,)))                  # a missing axis is not a batch
    assert {p: np.asarray(v) for p, v in ctx.state.items()}.keys() == before.keys()
    for p, v in ctx.state.items():
        np.testing.assert_array_equal(np.asarray(v), before[p])


def test_scan_clamps_records_and_state_follow_the_batch():
    x = data(4)
    parts = circuit()
    ctx, a, W, b, e, adv, evolve, reset = parts
    out = adv.scan(5, clamp={a.j: x}, record=[b.z, e.dmu])
    assert out["bt/b:z"].shape == (5, 4, 3)
    for k in range(5):                            # b.z after step k+1 = (k+1) x.sum / 20
        np.testing.assert_allclose(out["bt/b:z"][k], (k + 1) * np.asarray(x).sum(1)[:, None]
                                   * np.ones((1, 3)) / 20., rtol=1e-5)
    scanned = {p: np.asarray(v) for p, v in ctx.state.items()}
    # the same five steps one run() at a time, from the same (batch-one) start
    c2, a2, W2, b2, e2, adv2 = circuit()[:6]   # same names: same PRNG keys
    for i in range(5):
        a2.j.set(x)
        adv2.run(t=float(i), dt=1.)
    for p, v in c2.state.items():   # equal to float32 rounding: XLA may order the sums of a
        # batched dot differently inside a loop than in a single step
        np.testing.assert_allclose(np.asarray(v), scanned[p], rtol=1e-6, atol=1e-7, err_msg=p)


def test_save_load_and_snapshots_keep_the_batch(tmp_path):
    x = data(4)
    ctx, a, W, b, e, adv, evolve, reset = circuit()
    a.j.set(x)
    adv.run(t=0., dt=1.)
    snap = ctx.snapshot()
    ctx.save(tmp_path / "m")
    fresh = circuit()[0]                          # batch one again
    fresh.load(tmp_path / "m")
    for p, v in ctx.state.items():
        np.testing.assert_array_equal(np.asarray(fresh.state[p]), np.asarray(v), err_msg=p)
    reset.run()
    assert b.z.shape == (1, 3)
    ctx.restore(snap)
    assert b.z.shape == (4, 3)
    adv.run(t=1., dt=1.)                          # and it runs on from there
    np.testing.assert_allclose(np.asarray(b.z.get()), 2 * np.asarray(x).sum(1)[:, None]
                               * np.ones((1, 3)) / 20., rtol=1e-5)


def test_a_value_with_fewer_axes_is_broadcast_as_ngc_learn_code_expects():
    """ngc-learn's own tests set (n,) arrays into (1, n) compartments: broadcast to (1, n)."""
    ctx, a, W, b, e, adv, evolve, reset = circuit()
    a.j.set(jnp.array([1., 2., 3.]))
    assert a.j.shape == (1, 3)
    np.testing.assert_array_equal(np.asarray(a.j.get()), [[1., 2., 3.]])
    adv.run(t=0., dt=1.)                         # b.z = (x @ 1) / 20 = 6 / 20 per unit
    np.testing.assert_allclose(np.asarray(b.z.get()), np.full((1, 3), 0.3), rtol=1e-6)
