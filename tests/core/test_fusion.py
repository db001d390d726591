"""Fused sequences (ngclab.core.fusion): run()/set() calls repeated between reads run as one program.

What a user observes must not change: every value read, whenever it is read, is bit for bit the
value the same calls give run one by one (``fuser.enabled = False``: the program the rest of the
suite checks against the equations). The loops below are a PCN mini-batch as ported ngc-learn
code writes it (reset, two sets, T advance runs, evolve, read the loss), with reads in the
middle, snapshots, a held State, knob moves, other shapes and bad input in between.

Circuit: test_deferred's PCN (bench/minibatch.py's, small): z0 -W1-> e1.mu, z1 -> e1.target,
z1 -W2-> e2.mu, e2.dmu -E2-> z1.j, e1.dtarget -> z1.j_td; Hebbian W1, W2 evolve.
"""
import warnings

import jax.numpy as jnp
import numpy as np
import pytest

from ngclab.core import fusion
from tests.core.test_deferred import pcn as deferred_pcn

N_IN, N_H, N_OUT, BATCH, T = 6, 8, 3, 5, 3


@pytest.fixture(autouse=True)
def hot_soon(monkeypatch):
    monkeypatch.setattr(fusion, "HOT_AFTER", 2)
    # the PCN reads E2's and e1's outputs of the step before, as bench/minibatch.py's does
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*sees the previous step's value")
        yield


def pcn(name, fused=True):
    ctx, (z0, z1, W1, W2, e1, e2, E2), (advance, evolve, reset) = deferred_pcn(
        name, N_IN, N_H, N_OUT)
    ctx.fuser.enabled = fused
    return ctx, dict(z0=z0, z1=z1, W1=W1, W2=W2, e1=e1, e2=e2, E2=E2, advance=advance,
                     evolve=evolve, reset=reset)


def data(n=4, batch=BATCH):
    rng = np.random.default_rng(0)
    xs = [jnp.asarray(rng.uniform(0., 1., (batch, N_IN)), jnp.float32) for _ in range(n)]
    ys = [jnp.asarray(np.eye(N_OUT)[rng.integers(0, N_OUT, batch)], jnp.float32)
          for _ in range(n)]
    return xs, ys


def minibatch(m, x, y, middle=None):
    m["reset"].run()
    m["z0"].j.set(x)
    m["e2"].target.set(y)
    for t in range(T):
        m["advance"].run(t=float(t), dt=1.)
        if middle is not None:
            middle(t)
    m["evolve"].run()
    return np.asarray(m["e2"].L.get())


def final(ctx) -> dict:
    return {p.split("/", 1)[1]: np.asarray(v) for p, v in ctx.state.items()}


def assert_same_state(got, want):
    assert got.keys() == want.keys()
    for p in want:
        np.testing.assert_array_equal(got[p], want[p], err_msg=p)


def both(name, loop):
    """``loop(ctx, m)`` on a fused and an unfused copy: (its results, final state) each, and
    the fused copy's Context."""
    out = []
    for fused in (True, False):
        ctx, m = pcn(name, fused)     # (one name: keys drawn from it agree)
        out.append((loop(ctx, m), final(ctx), ctx))
    return out


def test_a_minibatch_loop_runs_fused_and_reads_the_same_bits():
    xs, ys = data()

    def loop(ctx, m):
        return [minibatch(m, xs[i % 4], ys[i % 4]) for i in range(8)]

    (fused, fstate, fctx), (plain, pstate, _) = both("mb", loop)
    assert fctx.fuser.compiles >= 1               # the sequence ran as one program
    assert len(fctx.fuser._fused) == 1
    np.testing.assert_array_equal(np.array(fused), np.array(plain))
    assert_same_state(fstate, pstate)


def test_fusing_compiles_no_step_again_and_a_knob_moves_without_recompiling():
    xs, ys = data()

    def loop(ctx, m):
        losses = [minibatch(m, xs[i % 4], ys[i % 4]) for i in range(5)]
        counts = (m["advance"].compile_count, ctx.fuser.compiles)
        m["z1"].tau_m.set(4.)                 # a slider: the next sequences read the new value
        losses += [minibatch(m, xs[i % 4], ys[i % 4]) for i in range(5)]
        return losses, counts, (m["advance"].compile_count, ctx.fuser.compiles)

    ((fused, before, after), fstate, _), ((plain, *_), pstate, _) = both("knob", loop)
    assert after == before                     # neither the steps nor the sequence recompiled
    assert before[1] >= 1
    np.testing.assert_array_equal(np.array(fused), np.array(plain))
    assert_same_state(fstate, pstate)


def test_reads_in_the_middle_of_a_hot_sequence_see_the_calls_before_them():
    xs, ys = data()

    def loop(ctx, m):
        got = [minibatch(m, xs[i % 4], ys[i % 4]) for i in range(4)]   # hot now
        seen = []

        def middle(t):
            if t == 1:
                seen.append(np.asarray(m["z1"].z.get()))         # a get() in the middle
                seen.append(np.asarray(ctx.state[f"{ctx.name}/e1:dmu"]))  # the state dict
        got.append(minibatch(m, xs[0], ys[0], middle))
        got.append(minibatch(m, xs[1], ys[1]))                    # and fused again after
        return got, seen

    ((fused, fseen), fstate, fctx), ((plain, pseen), pstate, _) = both("mid", loop)
    assert fctx.fuser.compiles >= 1
    np.testing.assert_array_equal(np.array(fused), np.array(plain))
    for u, v in zip(fseen, pseen):
        np.testing.assert_array_equal(u, v)
    assert_same_state(fstate, pstate)


def test_a_snapshot_or_a_held_state_taken_while_calls_are_recorded_holds_their_values():
    xs, ys = data()

    def loop(ctx, m):
        for i in range(4):
            minibatch(m, xs[i], ys[i])
        held = ctx.state                      # a State held across the calls
        m["reset"].run()
        m["z0"].j.set(xs[2])
        snap = ctx.snapshot()                 # mid-sequence: the values after reset and set
        zj = np.asarray(held[f"{ctx.name}/z0:j"])
        m["e2"].target.set(ys[2])
        for t in range(T):
            m["advance"].run(t=float(t), dt=1.)
        z1 = np.asarray(held[f"{ctx.name}/z1:z"])            # read through the held State
        m["evolve"].run()
        loss = np.asarray(m["e2"].L.get())
        ctx.restore(snap)
        m["e2"].target.set(ys[2])
        for t in range(T):
            m["advance"].run(t=float(t), dt=1.)
        m["evolve"].run()
        return zj, z1, loss, np.asarray(m["e2"].L.get())

    (fused, fstate, _), (plain, pstate, _) = both("snap", loop)
    for u, v in zip(fused, plain):
        np.testing.assert_array_equal(u, v)
    np.testing.assert_array_equal(fused[2], fused[3])     # from the snapshot: the same loss
    np.testing.assert_array_equal(fused[0], np.asarray(xs[2]))
    assert_same_state(fstate, pstate)


def test_calls_that_leave_the_sequence_run_as_they_come():
    xs, ys = data()
    xs7, ys7 = data(batch=7)

    def loop(ctx, m):
        got = [minibatch(m, xs[i % 4], ys[i % 4]) for i in range(4)]
        got.append(minibatch(m, xs7[0], ys7[0]))            # another batch size
        got.append(minibatch(m, np.asarray(xs[1]), ys[1]))   # a NumPy input
        m["reset"].run()
        m["z0"].j.set(xs[2])
        m["e2"].target.set(ys[2])
        m["advance"].run(t=0., dt=1.)
        m["advance"].run(t=1., dt=.5)                        # the same calls, another dt
        m["evolve"].run()
        got.append(np.asarray(m["e2"].L.get()))
        got.append(minibatch(m, xs[3], ys[3]))
        return got

    (fused, fstate, fctx), (plain, pstate, _) = both("leave", loop)
    assert fctx.fuser.compiles >= 1
    for u, v in zip(fused, plain):
        np.testing.assert_array_equal(u, v)
    assert_same_state(fstate, pstate)


def test_bad_input_in_a_hot_sequence_fails_at_the_call_and_changes_nothing():
    xs, ys = data()
    ctx, m = pcn("bad")
    for i in range(4):
        minibatch(m, xs[i], ys[i])
    assert ctx.fuser._fused
    m["reset"].run()
    m["z0"].j.set(xs[0])
    before = final(ctx)
    with pytest.raises(ValueError, match=r"z0:j.*shape \(5, 9\)"):
        m["z0"].j.set(jnp.ones((BATCH, 9), jnp.float32))
    assert_same_state(final(ctx), before)      # the recorded calls ran; the bad set did not


def test_watched_and_effectful_processes_are_never_recorded():
    xs, ys = data()
    ctx, m = pcn("watched")
    m["advance"].watch(m["e2"].L)
    for i in range(4):
        minibatch(m, xs[i], ys[i])
    assert not ctx.fuser._fused                # every sequence holds a watched run
    out = m["advance"].run(t=0., dt=1.)
    assert list(out) == [m["e2"].L.path]       # still returns what it watches
