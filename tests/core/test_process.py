"""Processes: keywords by name, compile errors, joint processes, compile counting."""
import jax.numpy as jnp
import numpy as np
import pytest

from ngclab import Compartment, Component, Context, JointProcess, MethodProcess, ProcessError, compilable
from ngclab.components import RateCell


class Clock(Component):
    """Counts steps and accumulates time: n += 1, elapsed += dt, last_t = t."""

    def __init__(self, name, **kwargs):
        super().__init__(name, **kwargs)
        self.n = Compartment(jnp.zeros(()), kind="output")
        self.elapsed = Compartment(jnp.zeros(()), kind="output")
        self.last_t = Compartment(jnp.zeros(()), kind="output")
        self.gain = Compartment(jnp.ones(()), kind="state")

    @compilable
    def advance_state(self, t, dt):
        self.n.set(self.n.get() + 1.)
        self.elapsed.set(self.elapsed.get() + dt)
        self.last_t.set(t)

    @compilable
    def scale(self, factor, offset=0.):
        self.gain.set(self.gain.get() * factor + offset)

    def not_compilable(self):
        pass


def test_methods_receive_the_keywords_they_name():
    with Context("m"):
        c = Clock("c")
        proc = MethodProcess("p") >> c.advance_state >> c.scale
    proc.run(t=3., dt=0.5, factor=2.)
    proc.run(t=4., dt=0.5, factor=3., offset=1.)
    assert float(c.n.get()) == 2. and float(c.elapsed.get()) == 1.0
    assert float(c.last_t.get()) == 4.
    assert float(c.gain.get()) == 1. * 2. * 3. + 1.


def test_missing_keyword_names_the_method():
    with Context("m"):
        c = Clock("c")
        proc = MethodProcess("p") >> c.advance_state
    with pytest.raises(ProcessError, match=r"needs keyword 'dt' for m/c.advance_state"):
        proc.run(t=0.)


def test_non_compilable_method_is_refused():
    with Context("m"):
        c = Clock("c")
        with pytest.raises(ProcessError, match="not_compilable is not marked @compilable"):
            MethodProcess("p") >> c.not_compilable


def test_joint_process_runs_parts_in_order():
    with Context("m"):
        c = Clock("c")
        p1 = MethodProcess("p1") >> c.advance_state
        p2 = MethodProcess("p2") >> c.scale
        both = JointProcess("both") >> p1 >> p2
    both.run(t=0., dt=1., factor=5.)
    assert float(c.n.get()) == 1. and float(c.gain.get()) == 5.
    assert [repr(s) for s in both.steps] == ["c.advance_state", "c.scale"]


def test_watch_returns_values_and_eager_calls_work():
    with Context("m"):
        c = Clock("c")
        proc = (MethodProcess("p") >> c.advance_state).watch(c.n)
    assert float(proc.run(t=0., dt=1.)["m/c:n"]) == 1.
    c.advance_state(t=1., dt=2.)  # a compilable method also runs eagerly
    assert float(c.n.get()) == 2. and float(c.elapsed.get()) == 3.


def test_knob_changes_do_not_recompile_but_structure_changes_do():
    with Context("m") as ctx:
        a = RateCell("a", n_units=2, tau_m=0.)
        b = RateCell("b", n_units=2, tau_m=10.)
        a.zF >> b.j
        proc = MethodProcess("p") >> a.advance_state >> b.advance_state
    a.j.set(jnp.ones((1, 2)))
    proc.run(t=0., dt=1.)
    assert proc.compile_count == 1
    for tau in np.linspace(5., 50., 100):       # 100 knob changes
        b.tau_m.set(tau)
        proc.run(t=0., dt=1.)
    assert proc.compile_count == 1
    before = np.asarray(b.z.get())
    b.tau_m.set(1.)                               # takes effect on the very next step
    proc.run(t=0., dt=1.)
    np.testing.assert_allclose(np.asarray(b.z.get()) - before, 1. / 1., rtol=1e-5)
    ctx.disconnect(b.j)                           # structure change: a wire
    proc.run(t=0., dt=1.)
    assert proc.compile_count == 2
    with ctx:                                     # structure change: a component
        RateCell("c", n_units=2, tau_m=0.)
    proc.run(t=0., dt=1.)
    assert proc.compile_count == 3
    for comp in (b.j, b.j_td, b.z, b.zF):         # structure change: a shape (batch of 4)
        comp.resize(jnp.zeros((4, 2)))
    proc.run(t=0., dt=1.)
    assert proc.compile_count == 4


def test_knob_values_are_validated():
    with Context("m"):
        b = RateCell("b", n_units=2, tau_m=10.)
    for bad in (float("nan"), float("inf"), -1.):
        with pytest.raises(ValueError, match="m/b:tau_m"):
            b.tau_m.set(bad)
    assert float(b.tau_m.get()) == 10.
    with pytest.raises(ValueError, match="scalar"):
        b.tau_m.set(np.ones(2))


def test_components_need_a_context_and_unique_names():
    with pytest.raises(RuntimeError, match="inside a `with Context"):
        RateCell("a", n_units=1, tau_m=0.)
    with Context("m") as ctx:
        RateCell("a", n_units=1, tau_m=0.)
        with pytest.raises(ValueError, match="already has a component named 'a'"):
            RateCell("a", n_units=1, tau_m=0.)
    assert list(ctx.components) == ["a"]


def test_unknown_keywords_are_refused_but_t_and_dt_are_always_accepted():
    with Context("m"):
        c = Clock("c")
        proc = MethodProcess("p") >> c.scale
    with pytest.raises(ProcessError, match=r"no method takes keyword 'factr'.*factor, offset"):
        proc.run(factr=2.)
    proc.run(t=0., dt=1., factor=2.)              # t and dt: harmless for a reset-like process
    assert float(c.gain.get()) == 2.


def test_steps_can_be_inserted_and_removed():
    with Context("m"):
        c = Clock("c")
        proc = MethodProcess("p") >> c.scale
    proc.insert(0, c.advance_state)
    assert [repr(s) for s in proc.steps] == ["c.advance_state", "c.scale"]
    proc.remove_step(c.scale)
    assert [repr(s) for s in proc.steps] == ["c.advance_state"]
    with pytest.raises(ValueError, match="does not run"):
        proc.remove_step(c.scale)
    with pytest.raises(ProcessError, match="not marked @compilable"):
        proc.insert(0, c.not_compilable)


def test_knob_set_with_a_non_number_names_the_knob():
    with Context("m"):
        b = RateCell("b", n_units=2, tau_m=10.)
    with pytest.raises(TypeError, match="m/b:tau_m: a knob takes a number"):
        b.tau_m.set("fast")


def test_scan_loop_constants_reach_the_step_and_follow_new_values():
    """scan packs small float32 loop constants (knobs, keywords, constant clamps) into one
    vector and passes big ones (144 weights) as they are. All must reach the step, and new
    values must apply without recompiling. Expected from the equations: a passes x through
    (tau_m = 0), W gives x @ W, and b integrates tau_m dz/dt = j by Euler steps with no leak,
    so after k steps b.z = k * dt * (x @ W) / tau_m."""
    from ngclab.components import DenseSynapse
    with Context("loopconst"):
        a = RateCell("a", n_units=12, tau_m=0.)
        W = DenseSynapse("W", shape=(12, 12))
        b = RateCell("b", n_units=12, tau_m=10.)
        a.zF >> W.inputs
        W.outputs >> b.j
        adv = MethodProcess("adv") >> a.advance_state >> W.advance_state >> b.advance_state

    def scan_from_zero(k, dt, x):
        b.z.set(jnp.zeros((1, 12)))
        adv.scan(k, dt=dt, clamp={a.j: x})
        return np.asarray(b.z.get())

    def expected(k, dt, x, tau):
        return k * dt * (np.asarray(x) @ np.asarray(W.weights.get())) / tau

    x = jnp.linspace(0.1, 1.2, 12).reshape(1, 12)
    np.testing.assert_allclose(scan_from_zero(7, 1., x), expected(7, 1., x, 10.), rtol=1e-5)
    compiled = adv.compile_count
    b.tau_m.set(4.)                                           # a knob (packed)
    x2 = 2. - x                                               # a constant clamp (packed)
    W.weights.set(jnp.asarray(np.eye(12, dtype=np.float32)[::-1] * 3.))  # not packed
    np.testing.assert_allclose(scan_from_zero(7, 0.5, x2), expected(7, 0.5, x2, 4.), rtol=1e-5)
    assert adv.compile_count == compiled


def test_scan_of_a_one_step_mask_equals_runs():
    """An error cell's mask gates dmu for one step, then goes back to ones: scan takes that
    first step before its loop and reads the mask as a loop constant afterwards. The numbers
    must equal a run() loop's, bit for bit: a zero mask silences dmu on step 1 only.
    Expected from the equations too: dmu = (target - mu) / sigma * mask, with mu clamped."""
    from ngclab.components import GaussianErrorCell
    with Context("onestepmask") as ctx:
        e = GaussianErrorCell("e", n_units=3)
        proc = MethodProcess("p") >> e.advance_state
    target = jnp.array([[1., 2., 3.]])
    mus = jnp.array([[[0.5, 0.5, 0.5]], [[1., 1., 1.]], [[0., 0., 0.]], [[2., 2., 2.]]])
    start = ctx.snapshot()
    e.mask.set(jnp.zeros((1, 3)))
    out = proc.scan(4, clamp={e.target: target, e.mu: mus}, record=[e.dmu, e.mask])
    after_scan = {k: np.asarray(v) for k, v in ctx.state.items()}
    want = np.array(target - mus)
    want[0] = 0.                                             # the zero mask, first step only
    np.testing.assert_allclose(np.asarray(out["onestepmask/e:dmu"]), want, rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(out["onestepmask/e:mask"]), np.ones((4, 1, 3)))
    ctx.restore(start)
    e.mask.set(jnp.zeros((1, 3)))
    for k in range(4):
        e.target.set(target)
        e.mu.set(mus[k])
        proc.run()
    for path, value in ctx.state.items():
        np.testing.assert_array_equal(np.asarray(value), after_scan[path], err_msg=path)
