"""Faults: NaN/Inf mid-run stop the scan at that chunk and restore the last good state;
process-order hazards warn once per compiled structure."""
import warnings

import jax.numpy as jnp
import numpy as np
import pytest

from ngclab import Context, MethodProcess
from ngclab.core import Compartment, Component, Knob, compilable
from ngclab.components import RateCell
from ngclab.core.checks import NonFiniteError, OrderWarning
from tests.helpers import build_tutorial


def _state(ctx):
    return {k: np.array(v) for k, v in ctx.state.items()}


def _same(a, b):
    assert a.keys() == b.keys()
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("chunk", [4, 10, None])
def test_nonfinite_input_stops_at_that_chunk_and_restores(tutorial, bad, chunk):
    ctx, a, Wab, b, advance, _ = tutorial
    seq = np.ones((10, 1, 1), np.float32)
    seq[6] = bad                                     # the value clamped at step 6 is non-finite
    good_start = _state(ctx)
    with pytest.raises(NonFiniteError) as info:
        advance.scan(steps=10, clamp={a.j: seq}, record=[b.z], chunk=chunk, check_finite=True)
    err = info.value
    assert isinstance(err, FloatingPointError)
    # model/a:j is the first leaf in state order that holds the non-finite value after step 6
    assert err.path == "model/a:j" and err.step == 6
    assert "model/a:j" in str(err) and "step 6" in str(err)
    # the chunk holding step 6 starts at 4 (chunk=4), at 0 otherwise: the state is that of the
    # chunk start, which we recompute by running the good steps with check_finite off
    start = 4 if chunk == 4 else 0
    snap = _state(ctx)
    assert all(np.isfinite(v).all() for k, v in snap.items() if v.dtype.kind == "f")
    ref, ra, _, rb, radv, _ = build_tutorial()
    ref_rec = radv.scan(steps=start, clamp={ra.j: seq[:start]}, record=[rb.z]) if start else {}
    _same(snap, _state(ref))
    ctx.restore(err.snapshot)                        # restore() returns the last good state
    _same(_state(ctx), _state(ref))
    if start:
        # the recordings of the good chunk (b.z after steps 0..3) are handed back
        np.testing.assert_array_equal(err.recorded["model/b:z"], ref_rec["model/b:z"])
    else:
        _same(snap, good_start)


class Grower(Component):
    """x <- g * x each step (a test component: it overflows float32 on purpose)."""

    def __init__(self, name, g=1e10, **kwargs):
        super().__init__(name, **kwargs)
        self.x = Compartment(jnp.ones((1, 2)), kind="state")
        self.g = Knob(g)

    @compilable
    def advance_state(self):
        self.x.set(self.x.get() * self.g.get())


@pytest.mark.parametrize("chunk, start", [(2, 2), (3, 3), (None, 0)])
def test_overflow_names_the_compartment_and_the_step(chunk, start):
    # x = 1e10 ** (i + 1) after step i: 1e10, 1e20, 1e30, then 1e40 > float32 max (3.4e38) = inf
    with Context("boom") as ctx:
        G = Grower("G")
        grow = MethodProcess("grow") >> G.advance_state
    with pytest.raises(NonFiniteError) as info:
        grow.scan(steps=6, chunk=chunk, check_finite=True)
    assert info.value.path == "boom/G:x" and info.value.step == 3
    # the state is that of the start of the failing chunk: x = 1e10 ** start
    np.testing.assert_allclose(np.asarray(G.x.get()), np.full((1, 2), 10. ** (10 * start)),
                               rtol=1e-6)
    # the check is opt-in: without it the run goes through and leaves inf in x
    grow.scan(steps=6)
    assert ctx.nonfinite() == ["boom/G:x"]


def test_check_finite_does_not_change_results(tutorial):
    ctx, a, Wab, b, advance, _ = tutorial
    ref, ra, _, rb, radv, _ = build_tutorial()
    seq = np.linspace(0, 1, 12, dtype=np.float32).reshape(12, 1, 1)
    out = advance.scan(steps=12, clamp={a.j: seq}, record=[b.z], chunk=5, check_finite=True)
    out_ref = radv.scan(steps=12, clamp={ra.j: seq}, record=[rb.z], chunk=5)
    np.testing.assert_array_equal(out["model/b:z"], out_ref["model/b:z"])
    _same(_state(ctx), _state(ref))


def _chain(order):
    with Context("m") as ctx:
        a = RateCell("a", n_units=2, tau_m=0.)
        b = RateCell("b", n_units=2, tau_m=0.)
        a.zF >> b.j
        cells = {"a": a, "b": b}
        proc = MethodProcess("adv")
        for n in order:
            proc >> cells[n].advance_state
    return ctx, a, b, proc


def test_reading_a_later_component_warns_once_naming_both():
    ctx, a, b, proc = _chain("ba")                   # b reads a.zF but a runs after b
    with pytest.warns(OrderWarning) as rec:
        proc.run(dt=1.)
    msgs = [str(w.message) for w in rec if issubclass(w.category, OrderWarning)]
    assert len(msgs) == 1
    assert "m/b.advance_state reads m/a:zF" in msgs[0] and "m/a.advance_state" in msgs[0]
    assert "m/b:j" in msgs[0] and "previous step" in msgs[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error", OrderWarning)  # same structure: no second warning
        proc.run(dt=1.)
        proc.scan(steps=3)
    with ctx:
        RateCell("c", n_units=2, tau_m=0.)          # a structure change: compiled again
    with pytest.warns(OrderWarning):
        proc.scan(steps=2)


def test_the_previous_step_value_is_what_the_warning_says():
    ctx, a, b, proc = _chain("ba")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OrderWarning)
        out = proc.scan(steps=3, clamp={a.j: jnp.array([[1., 2.]])}, record=[b.zF])
    # step 0: b reads a.zF = 0 (its initial value); from step 1 on the value a had a step ago
    np.testing.assert_array_equal(out["m/b:zF"][:, 0], [[0., 0.], [1., 2.], [1., 2.]])


@pytest.mark.parametrize("order", ["ab", "aba"])
def test_a_process_in_dataflow_order_does_not_warn(order):
    ctx, a, b, proc = _chain(order)
    with warnings.catch_warnings():
        warnings.simplefilter("error", OrderWarning)
        proc.run(dt=1.)
        proc.scan(steps=2)


def test_tutorial_processes_do_not_warn(tutorial):
    ctx, a, Wab, b, advance, reset = tutorial
    with warnings.catch_warnings():
        warnings.simplefilter("error", OrderWarning)
        advance.run(t=0., dt=1.)
        reset.run()
        advance.scan(steps=2)
