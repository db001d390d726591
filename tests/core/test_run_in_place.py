"""run() stores its results into the state itself and skips its input checks while only inputs
were set since its last call (see ngclab.core.compiled); inputs nobody has set from outside go
into the bundle of read-only leaves (see ngclab.core.transfer). These tests check that what a
user can observe stays right: a copy or snapshot taken before a run keeps its values, an input
set for the first time after some runs is read, a knob or parameter set between runs is read.

Expected numbers: a (RateCell, tau_m = 0, identity) passes j through to zF; W computes
zF @ W + biases (biases 0 at the default init); b (tau_m = 20, identity, no leak) takes Euler
steps of tau_m dz/dt = j with dt = 1: z_{k+1} = z_k + (x @ W) / 20.
"""
import jax.numpy as jnp
import numpy as np
import pytest

from ngclab import Compartment, Component, Context, MethodProcess, compilable
from ngclab.components import HebbianSynapse, RateCell
from ngclab.core import compiled, deferred, lean_calls

N = 3


def circuit(name):
    with Context(name) as ctx:
        a = RateCell("a", n_units=N, tau_m=0., act_fx="identity")
        W = HebbianSynapse("W", shape=(N, N))
        b = RateCell("b", n_units=N, tau_m=20., act_fx="identity")
        a.zF >> W.inputs
        W.outputs >> b.j
        adv = MethodProcess("advance") >> a.advance_state >> W.advance_state >> b.advance_state
    return ctx, a, W, b, adv


def euler(x, w, steps, z=None):
    """b.z after ``steps`` Euler steps of tau_m dz/dt = x @ W (tau_m = 20, dt = 1)."""
    z = np.zeros((1, N), np.float32) if z is None else z
    for _ in range(steps):
        z = z + (np.asarray(x, np.float32) @ np.asarray(w, np.float32)) / np.float32(20.)
    return z


def test_a_copy_and_a_snapshot_taken_before_runs_keep_their_values():
    ctx, a, W, b, adv = circuit("inplace_copy")
    x = jnp.asarray([[1., 2., 3.]])
    a.j.set(x)
    for i in range(3):
        adv.run(t=float(i), dt=1.)
    snap = ctx.snapshot()
    copied = dict(ctx.state)
    z3 = np.asarray(b.z.get())
    for i in range(3, 6):
        a.j.set(x)
        adv.run(t=float(i), dt=1.)
    np.testing.assert_allclose(np.asarray(b.z.get()), euler(x, W.weights.get(), 6), atol=1e-6)
    np.testing.assert_array_equal(np.asarray(copied[b.z.path]), z3)      # the copy: unchanged
    ctx.restore(snap)
    np.testing.assert_array_equal(np.asarray(b.z.get()), z3)
    np.testing.assert_allclose(z3, euler(x, W.weights.get(), 3), atol=1e-6)


def test_an_input_set_for_the_first_time_after_some_runs_is_read():
    ctx, a, W, b, adv = circuit("inplace_late_input")
    for i in range(2):                 # a.j never set yet: it goes in with the bundle
        adv.run(t=float(i), dt=1.)
    np.testing.assert_array_equal(np.asarray(b.z.get()), np.zeros((1, N), np.float32))
    x = jnp.asarray([[0.5, -1., 2.]])
    a.j.set(x)
    for i in range(2, 5):
        adv.run(t=float(i), dt=1.)
    np.testing.assert_allclose(np.asarray(b.z.get()), euler(x, W.weights.get(), 3), atol=1e-6)
    x2 = jnp.asarray([[1., 1., 1.]])
    a.j.set(x2)
    adv.run(t=5., dt=1.)
    want = euler(x2, W.weights.get(), 1, euler(x, W.weights.get(), 3))
    np.testing.assert_allclose(np.asarray(b.z.get()), want, atol=1e-6)


def test_parameters_knobs_and_carried_state_set_between_runs_are_read():
    ctx, a, W, b, adv = circuit("inplace_params")
    x = jnp.asarray([[1., 0., -1.]])
    a.j.set(x)
    adv.run(t=0., dt=1.)
    w2 = np.eye(N, dtype=np.float32) * 2.
    W.weights.set(jnp.asarray(w2))       # a read-only leaf of the step (in its bundle)
    b.z.set(jnp.zeros((1, N)))           # a leaf the step carries in its own vector
    a.j.set(x)
    adv.run(t=1., dt=1.)
    np.testing.assert_allclose(np.asarray(b.z.get()), euler(x, w2, 1), atol=1e-6)
    b.tau_m.set(10.)                     # a knob: tau_m dz/dt = j with tau_m = 10
    a.j.set(x)
    adv.run(t=2., dt=1.)
    want = euler(x, w2, 1) + (np.asarray(x) @ w2) / np.float32(10.)
    np.testing.assert_allclose(np.asarray(b.z.get()), want, atol=1e-6)


def test_raw_copies_and_held_values_keep_their_values_while_runs_go_on():
    # a plain run() loop puts each new vector into the slots of the last one when nothing
    # else holds them; everything that does hold them must keep the values of its time
    ctx, a, W, b, adv = circuit("inplace_held")
    x = jnp.asarray([[1., -2., 0.5]])
    for i in range(4):
        a.j.set(x)
        adv.run(t=float(i), dt=1.)
    merged, copied = {**ctx.state}, dict(ctx.state)
    peeked = ctx.state.peek(b.z.path)           # the raw value: still packed
    a.j.set(x)
    adv.run(t=4., dt=1.)
    snap = ctx.snapshot()
    for i in range(5, 9):
        a.j.set(x)
        adv.run(t=float(i), dt=1.)
    w = W.weights.get()
    z4, z5 = euler(x, w, 4), euler(x, w, 5)
    for held in (merged[b.z.path], copied[b.z.path], peeked):
        np.testing.assert_allclose(np.asarray(held), z4, atol=1e-6)
    np.testing.assert_allclose(np.asarray(b.z.get()), euler(x, w, 9), atol=1e-6)
    ctx.restore(snap)
    np.testing.assert_allclose(np.asarray(b.z.get()), z5, atol=1e-6)


@pytest.mark.parametrize("lean", [False, True])
def test_a_plain_run_loop_reuses_its_slots_and_a_held_copy_stops_it(monkeypatch, lean):
    # lean=False: the full program every call; lean=True: the step has gone lean (its outputs
    # unread, see ngclab.core.deferred) and extends the one record of its calls the same way
    made = []

    class CountedPacked(compiled.Packed):
        __slots__ = ()

        def __init__(self, *args):
            made.append(1)
            super().__init__(*args)

    monkeypatch.setattr(compiled, "Packed", CountedPacked)
    if not lean:
        monkeypatch.setattr(deferred, "QUIET_CALLS", 10 ** 9)
    ctx, a, W, b, adv = circuit(f"inplace_reuse_{lean}")
    x = jnp.asarray([[1., 2., 3.]])
    warm = deferred.QUIET_CALLS + 3 if lean else 2
    for i in range(warm):
        a.j.set(x)
        adv.run(t=float(i), dt=1.)
    step = adv._last_run[3]
    assert compiled.describe(step)["lean"] is (lean and compiled._REUSE_SLOTS)
    made.clear()
    made_deferred = []
    monkeypatch.setattr(lean_calls, "Deferred", lambda *args: made_deferred.append(1) or
                        deferred.Deferred(*args))
    for i in range(warm, warm + 4):
        a.j.set(x)
        adv.run(t=float(i), dt=1.)
    assert len(made) == (0 if compiled._REUSE_SLOTS else 4)
    assert not made_deferred
    held = dict(ctx.state)
    adv.run(t=float(warm + 4), dt=1.)
    # the copy holds the slots: a full step makes a new Packed; a lean one, whose calls are
    # recorded (ngclab.core.chain), starts a new record (a Deferred) and makes no Packed
    chained = lean and compiled._REUSE_SLOTS
    assert len(made) == (0 if chained else 1 if compiled._REUSE_SLOTS else 5)
    assert len(made_deferred) == chained
    np.testing.assert_allclose(np.asarray(held[b.z.path]), euler(x, W.weights.get(), warm + 4),
                               atol=1e-6)
    np.testing.assert_allclose(np.asarray(b.z.get()), euler(x, W.weights.get(), warm + 5),
                               atol=1e-6)


class Stamp(Component):
    """Writes its keywords: at = t, step = dt (to see what methods are given)."""

    def __init__(self, name, **kwargs):
        super().__init__(name, **kwargs)
        self.at = Compartment(jnp.zeros(()), kind="output")
        self.step = Compartment(jnp.zeros(()), kind="output")

    @compilable
    def advance_state(self, t, dt):
        SEEN.append((jnp.result_type(t), getattr(t, "weak_type", None)))
        self.at.set(t)
        self.step.set(dt)


SEEN: list = []


def test_keyword_numbers_reach_methods_as_float32_scalars():
    # run() hands Python floats to jit (faster than NumPy scalars); methods still see
    # strongly typed float32, so nothing about a method's arithmetic changes
    with Context("inplace_keywords"):
        s = Stamp("s")
        proc = MethodProcess("p") >> s.advance_state
    SEEN.clear()
    proc.run(t=3, dt=0.1)             # an int and a float
    proc.run(t=4., dt=0.25)
    assert proc.compile_count == 1
    assert SEEN and all(dtype == jnp.float32 and weak is False for dtype, weak in SEEN)
    assert float(s.at.get()) == 4. and s.step.get() == np.float32(0.25)
    proc.run(t=5., dt=float(np.finfo(np.float32).max))   # still a number, not inf
    assert np.isfinite(np.asarray(s.step.get()))


class Halver(Component):
    """half = dt / 2, and 1 / dt (tells 0. from -0.); takes t but never reads it."""

    def __init__(self, name, **kwargs):
        super().__init__(name, **kwargs)
        self.half = Compartment(jnp.zeros(()), kind="output")
        self.inv = Compartment(jnp.zeros(()), kind="output")

    @compilable
    def advance_state(self, t, dt):
        self.half.set(dt / 2.)
        self.inv.set(1. / dt)


def test_unread_keywords_stay_out_and_repeated_numbers_give_the_same_results():
    # a keyword the step never reads (t here) is not passed to the compiled program; a number
    # given again (dt) goes in as a device scalar made once. Expected values: dt / 2 and 1 / dt
    # in float32, for every call, whatever went before; one compilation for all of them.
    with Context("inplace_keyword_args"):
        h = Halver("h")
        proc = MethodProcess("p") >> h.advance_state
    proc.run(t=0., dt=0.5)
    step = proc._last_run[3]
    assert compiled.describe(step)["keywords"] == ["dt", "t"]
    assert compiled.describe(step)["takes"] == ["dt"]
    for i, dt in enumerate([0.5, 0.5, 0.5, 0.25, 0.25, 3, 3., 0., 0., -0., -0., 0.1, 0.1]):
        proc.run(t=float(i), dt=dt)
        assert float(h.half.get()) == np.float32(dt) / np.float32(2.), (i, dt)
        want = np.float32(1.) / np.float32(dt) if dt else np.copysign(np.inf, dt)
        assert float(h.inv.get()) == want, (i, dt)
    assert proc.compile_count == 1


def test_a_bundle_gathered_from_packed_vectors_holds_the_leaves_values():
    # the bundle of read-only leaves is built in one compiled call from the vectors its leaves
    # are still packed in (a reset's, here written by hand) and from plain arrays; expected:
    # the same as packing the leaves' values one by one
    from ngclab.core.packing import Packer
    from ngclab.core.state import Packed, Slot, State, layout
    from ngclab.core.transfer import _gather
    lay = layout(["u", "v", "w"], [(2,), (1, 3), ()])
    packed = Packed(jnp.arange(6., dtype=jnp.float32), lay)
    state = State.of({"u": Slot(packed, 0), "v": Slot(packed, 1), "w": Slot(packed, 2),
                      "x": jnp.asarray([[7., 8.]], jnp.float32)})
    packer = Packer({p: (state.peek(p).shape, jnp.float32) for p in ["x", "w", "u"]}, 64)
    cache: dict = {}
    got = _gather(state, ["x", "w", "u"], packer.pack, cache)
    np.testing.assert_array_equal(np.asarray(got), [7., 8., 5., 0., 1.])
    assert type(state.peek("u")) is Slot          # nothing sliced out of the state
    state["x"] = jnp.asarray([[1., 2.]], jnp.float32)
    got = _gather(state, ["x", "w", "u"], packer.pack, cache)
    np.testing.assert_array_equal(np.asarray(got), [1., 2., 5., 0., 1.])
    assert len(cache) == 1                         # same sources, same compiled gather
