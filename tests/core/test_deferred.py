"""Deferred outputs (ngclab.core.deferred): a run() loop that leaves some outputs unread goes lean.

What a user can observe must not change: every value read, whenever it is read (after one run,
after many, through a snapshot, by another process), is bit for bit the value the full program
gives. The reference is the same model run with lean mode switched off (``QUIET_CALLS`` out of
reach), which is the program every other test of the suite checks against the equations.

The model is a small PCN as ported ngc-learn scripts write it: z0 (stateless) -W1-> e1.mu,
z1 (tanh, tau_m 10) fed back through E2 from e2, Hebbian W1, W2 trained by evolve after ten
advance runs per mini-batch, and the losses read once per mini-batch.
"""
import jax.numpy as jnp
import numpy as np
import pytest

from ngclab import Context, MethodProcess
from ngclab.components import GaussianErrorCell, HebbianSynapse, RateCell, StaticSynapse
from ngclab.core import compiled, deferred
from ngclab.utils.distribution_generator import DistributionGenerator as D

# lean mode rests on CPython's reference counts (off from 3.14, see ngclab.core.compiled)
LEAN = compiled._REUSE_SLOTS
# ported PCN code runs z1 before the cells that feed it (ngc-learn's order), which warns
pytestmark = pytest.mark.filterwarnings("ignore::ngclab.core.checks.OrderWarning")


def pcn(name, n_in=6, n_h=8, n_out=3):
    with Context(name) as ctx:
        z0 = RateCell("z0", n_units=n_in, tau_m=0., act_fx="identity", key=4)
        z1 = RateCell("z1", n_units=n_h, tau_m=10., act_fx="tanh", key=5)
        W1 = HebbianSynapse("W1", shape=(n_in, n_h), eta=1e-2, sign_value=-1., w_bound=0.,
                            weight_init=D.gaussian(std=0.3), key=1)
        W2 = HebbianSynapse("W2", shape=(n_h, n_out), eta=1e-2, sign_value=-1., w_bound=0.,
                            weight_init=D.gaussian(std=0.3), key=2)
        e1 = GaussianErrorCell("e1", n_units=n_h, key=6)
        e2 = GaussianErrorCell("e2", n_units=n_out, key=7)
        E2 = StaticSynapse("E2", shape=(n_out, n_h), weight_init=D.gaussian(std=0.3), key=3)
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
        adv = (MethodProcess("advance") >> z0.advance_state >> z1.advance_state
               >> W1.advance_state >> W2.advance_state >> e1.advance_state
               >> e2.advance_state >> E2.advance_state)
        evolve = MethodProcess("evolve") >> W1.evolve >> W2.evolve
        reset = (MethodProcess("reset") >> z0.reset >> z1.reset >> W1.reset >> W2.reset
                 >> e1.reset >> e2.reset >> E2.reset)
    return ctx, (z0, z1, W1, W2, e1, e2, E2), (adv, evolve, reset)


def batches(k, batch=5, n_in=6, n_out=3):
    rng = np.random.default_rng(k)
    x = jnp.asarray(rng.uniform(0., 1., (batch, n_in)), jnp.float32)
    y = jnp.asarray(np.eye(n_out)[rng.integers(0, n_out, batch)], jnp.float32)
    return x, y


def train(name, n_batches, steps=10, peek=None):
    """Mini-batches as ported code writes them; returns the losses read and the final state.
    ``peek(i, t, cells)`` may read something between advance runs."""
    ctx, cells, (adv, evolve, reset) = pcn(name)
    z0, z1, W1, W2, e1, e2, E2 = cells
    losses = []
    for i in range(n_batches):
        x, y = batches(i)
        reset.run()
        z0.j.set(x)
        e2.target.set(y)
        for t in range(steps):
            adv.run(t=float(t), dt=1.)
            if peek is not None:
                peek(i, t, cells)
        evolve.run()
        losses.append(np.asarray(e2.L.get()))
    return losses, {p: np.asarray(v) for p, v in ctx.state.items()}, adv


def full_mode(monkeypatch):
    monkeypatch.setattr(deferred, "QUIET_CALLS", 10 ** 9)


def test_a_training_loop_goes_lean_and_every_number_stays_the_same(monkeypatch):
    losses, state, adv = train("lean_train", 6)
    step = adv._last_run[3]
    info = compiled.describe(step)
    assert info["lean"] is LEAN
    # its lean calls are recorded and run as one chained program (ngclab.core.chain), compiled
    # once; the lean program alone is never needed
    assert info["chain_compiles"] == int(LEAN) and info["lean_compiles"] == 0
    assert "lean_train/e1:L" in info["deferred"] and "lean_train/z1:z" not in info["deferred"]
    full_mode(monkeypatch)
    want_losses, want_state, want_adv = train("lean_train_ref", 6)
    assert not compiled.describe(want_adv._last_run[3])["lean"]
    for got, want in zip(losses, want_losses):
        np.testing.assert_array_equal(got, want)
    assert set(state) == {p.replace("lean_train_ref/", "lean_train/") for p in want_state}
    for p, v in want_state.items():
        np.testing.assert_array_equal(state[p.replace("lean_train_ref/", "lean_train/")], v,
                                      err_msg=p)


def test_values_read_between_lean_runs_are_the_full_programs(monkeypatch):
    # reads now and then (every fourth run, of a deferred leaf and of a kept one) stay exact
    def peek(i, t, cells):
        if (i * 10 + t) % 4 == 3:
            seen.append((np.asarray(cells[4].L.get()), np.asarray(cells[1].z.get()),
                         np.asarray(cells[5].dmu.get())))

    seen = []
    train("lean_peek", 4, peek=peek)
    got = seen
    seen = []
    full_mode(monkeypatch)
    train("lean_peek_ref", 4, peek=peek)
    assert len(got) == len(seen) == 10
    for a, b in zip(got, seen):
        for u, v in zip(a, b):
            np.testing.assert_array_equal(u, v)


def test_a_snapshot_taken_in_lean_mode_restores_the_values_of_its_time(monkeypatch):
    def run(name):
        ctx, cells, (adv, evolve, reset) = pcn(name)
        x, y = batches(0)
        reset.run()
        cells[0].j.set(x)
        cells[5].target.set(y)
        for t in range(12):
            adv.run(t=float(t), dt=1.)
        snap = ctx.snapshot()                  # holds deferred leaves, unread
        for t in range(12, 20):
            adv.run(t=float(t), dt=1.)
        later = {p: np.asarray(v) for p, v in ctx.state.items()}
        ctx.restore(snap)
        return {p: np.asarray(v) for p, v in ctx.state.items()}, later, adv

    at12, at20, adv = run("lean_snap")
    assert compiled.describe(adv._last_run[3])["lean"] is LEAN
    full_mode(monkeypatch)
    want12, want20, _ = run("lean_snap_ref")
    for p in want12:
        q = p.replace("lean_snap_ref/", "lean_snap/")
        np.testing.assert_array_equal(at12[q], want12[p], err_msg=p)
        np.testing.assert_array_equal(at20[q], want20[p], err_msg=p)
    assert not np.array_equal(at12["lean_snap/e1:L"], at20["lean_snap/e1:L"])


def test_a_loop_that_reads_every_step_goes_back_to_the_full_program():
    ctx, cells, (adv, evolve, reset) = pcn("lean_back")
    x, y = batches(0)
    cells[0].j.set(x)
    cells[5].target.set(y)
    for t in range(8):                          # unread: lean
        adv.run(t=float(t), dt=1.)
    step = adv._last_run[3]
    assert compiled.describe(step)["lean"] is LEAN
    for t in range(8, 14):                      # the loss read after every run
        adv.run(t=float(t), dt=1.)
        cells[4].L.get()
    assert not compiled.describe(step)["lean"]
    if LEAN:
        assert step._lean._need == 4 * deferred.QUIET_CALLS   # and waits longer to try again
