"""Bad input to the core, table-driven: wiring, processes, clamps, scan arguments and knobs.

Each row is refused with an error whose message names what was wrong, and the model (components,
every state leaf bit for bit, wires, processes) is exactly as it was (``hz.refused``).
"""
import warnings

import jax.numpy as jnp
import numpy as np
import pytest

from ngclab import (Compartment, Context, MethodProcess, ProcessError, Product, Summation,
                    WiringError)
from ngclab.components import RateCell


def _model():
    with Context("m") as ctx:
        a = RateCell("a", n_units=3, tau_m=0.)
        b = RateCell("b", n_units=2, tau_m=0.)
        c = RateCell("c", n_units=2, tau_m=10.)
        b.zF >> c.j
        proc = MethodProcess("adv") >> b.advance_state >> c.advance_state
    other = Context("o")
    with other:
        d = RateCell("d", n_units=2, tau_m=0.)
    return ctx, dict(a=a, b=b, c=c, d=d, proc=proc)


# (id, action, exception, regex the message must match)
WIRING = [
    ("shape", lambda m: m["a"].zF >> m["b"].j, WiringError,
     r"m/a:zF \(shape \(1, 3\)\) into m/b:j \(shape \(1, 2\)\)"),
    ("shape_lshift", lambda m: m["b"].j << m["a"].zF, WiringError, r"m/a:zF.*m/b:j"),
    ("into_output", lambda m: m["b"].zF >> m["c"].zF, WiringError, r"m/c:zF: it is an output"),
    ("into_knob", lambda m: m["b"].zF >> m["c"].tau_m, WiringError, r"knob m/c:tau_m"),
    ("into_itself", lambda m: m["a"].j << m["a"].j, WiringError, r"m/a:j into itself"),
    ("not_a_compartment", lambda m: m["c"].j_td << 3, WiringError, r"cannot wire 3 into m/c:j_td"),
    ("target_not_compartment", lambda m: m["b"].zF >> 3, WiringError, r"target is not a compart"),
    ("across_contexts", lambda m: m["d"].zF >> m["c"].j_td, WiringError,
     r"o/d:zF into m/c:j_td.*different Contexts"),
    ("sum_across_contexts", lambda m: Summation(m["b"].zF, m["d"].zF) >> m["c"].j_td, WiringError,
     r"o/d:zF.*different Contexts"),
    ("unbound", lambda m: Compartment(jnp.zeros((1, 2))) >> m["c"].j_td, WiringError,
     r"not part of a component|different Contexts"),
    ("into_unbound", lambda m: m["b"].zF >> Compartment(jnp.zeros((1, 2))), WiringError,
     r"not part of a component"),
    ("empty_sum", lambda m: Summation() >> m["c"].j_td, WiringError, r"at least one"),
    ("product_of_numbers", lambda m: Product(m["b"].zF, 2.) >> m["c"].j_td, WiringError,
     r"takes compartments, got 2.0"),
    ("unknown_compartment", lambda m: m["b"].context.compartment("b:zz"), KeyError,
     r"component 'b' has no compartment 'zz'; it has: key, j, j_td, z, zF"),
    ("unknown_component", lambda m: m["b"].context.compartment("m/q:j"), KeyError,
     r"no component 'q'"),
    ("not_a_path", lambda m: m["b"].context.compartment("bj"), ValueError,
     r"'bj' is not a compartment path"),
    ("other_contexts_compartment", lambda m: m["b"].context.compartment(m["d"].j), ValueError,
     r"o/d:j belongs to another Context"),
    ("disconnect_unwired", lambda m: m["b"].context.disconnect("c:j_td"), ValueError,
     r"m/c:j_td is not wired"),
    ("set_wired", lambda m: m["c"].j.set(jnp.ones((1, 2))), WiringError,
     r"m/c:j is wired from m/b:zF"),
    ("set_shape", lambda m: m["b"].j.set(jnp.ones((1, 3))), ValueError,
     r"m/b:j: cannot set a value of shape \(1, 3\) into a compartment of shape \(1, 2\)"),
    # batch size follows the data (a (4, 2) value is fine), but no other axis may differ
    ("set_batch_and_units", lambda m: m["b"].j.set(jnp.ones((4, 3))), ValueError,
     r"m/b:j: cannot set a value of shape \(4, 3\) into a compartment of shape \(1, 2\); "
     r"only the leading \(batch\) axis may differ"),
    ("set_complex", lambda m: m["b"].j.set(jnp.ones((1, 2)) * 1j), TypeError,
     r"m/b:j: cannot set a value of dtype complex64 into a float32 compartment"),
    ("remove_unknown", lambda m: m["b"].context.remove("zz"), KeyError, r"no component 'zz'"),
    ("duplicate_name", lambda m: _in(m, lambda: RateCell("b", n_units=2, tau_m=0.)), ValueError,
     r"already has a component named 'b'"),
    ("bad_component_name", lambda m: _in(m, lambda: RateCell("x/y", n_units=2, tau_m=0.)),
     ValueError, r"invalid component name 'x/y'"),
    ("outside_context", lambda m: RateCell("zz", n_units=2, tau_m=0.), RuntimeError,
     r"inside a `with Context"),
]

PROCESS = [
    ("missing_keyword", lambda m: m["proc"].run(), ProcessError, r"needs keyword 'dt' for m/b"),
    ("not_compilable", lambda m: m["proc"] >> m["b"].batched_reset,
     ProcessError, r"m/b.batched_reset is not marked @compilable"),
    ("not_a_method", lambda m: m["proc"] >> (lambda: 0), ProcessError,
     r"is not a method of a component"),
    ("other_context_method", lambda m: m["proc"] >> m["d"].advance_state,
     ProcessError, r"o/d.advance_state belongs to another Context"),
    ("process_outside_context", lambda m: MethodProcess("p5"), RuntimeError, r"inside a `with"),
    ("watch_unknown", lambda m: m["proc"].watch("c:nope"), KeyError, r"no compartment 'nope'"),
]

_seq = np.zeros((5, 1, 2), np.float32)
SCAN = [
    ("steps_zero", dict(steps=0), r"steps must be a positive integer, got 0"),
    ("steps_negative", dict(steps=-3), r"steps must be a positive integer, got -3"),
    ("steps_float", dict(steps=2.5), r"steps must be a positive integer, got 2.5"),
    ("steps_bool", dict(steps=True), r"steps must be a positive integer, got True"),
    ("steps_str", dict(steps="10"), r"steps must be a positive integer, got '10'"),
    ("steps_none", dict(steps=None), r"steps must be a positive integer, got None"),
    ("chunk_zero", dict(steps=5, chunk=0), r"chunk must be a positive integer, got 0"),
    ("chunk_negative", dict(steps=5, chunk=-1), r"chunk must be a positive integer"),
    ("dt_nan", dict(steps=5, dt=float("nan")), r"dt must be a finite number, got nan"),
    ("dt_inf", dict(steps=5, dt=float("inf")), r"dt must be a finite number, got inf"),
    ("t0_str", dict(steps=5, t0="0"), r"t0 must be a finite number, got '0'"),
    ("clamp_shape", dict(steps=5, clamp={"b:j": np.zeros((1, 3))}),
     r"clamp for m/b:j: got shape \(1, 3\), expected \(1, 2\).*\(5, 1, 2\)"),
    ("clamp_time_long", dict(steps=4, clamp={"b:j": _seq}),
     r"clamp for m/b:j: got shape \(5, 1, 2\), expected \(1, 2\) \(a constant\) or \(4, 1, 2\)"),
    ("clamp_time_short", dict(steps=6, clamp={"b:j": _seq}), r"\(6, 1, 2\) \(one value per step"),
    ("clamp_wired", dict(steps=5, clamp={"c:j": np.zeros((1, 2))}),
     r"cannot clamp m/c:j: it is wired"),
    ("clamp_unknown", dict(steps=5, clamp={"b:nope": np.zeros((1, 2))}), r"no compartment 'nope'"),
    ("clamp_not_numeric", dict(steps=5, clamp={"b:j": "abc"}),
     r"clamp for m/b:j: 'abc' is not a numeric array"),
    ("clamp_other_context", dict(steps=5, clamp={"o/d:j": np.zeros((1, 2))}), r"no component"),
    ("record_unknown", dict(steps=5, record=["c:zz"]), r"component 'c' has no compartment 'zz'"),
    ("record_bad_path", dict(steps=5, record=["czF"]), r"'czF' is not a compartment path"),
]

KNOBS = [
    ("nan", float("nan"), r"m/c:tau_m: value must be finite, got nan"),
    ("inf", float("inf"), r"m/c:tau_m: value must be finite, got inf"),
    ("minus_inf", -float("inf"), r"m/c:tau_m: value must be finite"),
    ("negative_time_constant", -5.0, r"m/c:tau_m: value -5.0 is below its lower bound"),
    ("zero_time_constant", 0.0, r"m/c:tau_m: value 0.0 is below its lower bound"),
    ("jnp_nan", jnp.nan, r"must be finite"),
    ("vector", np.ones(2), r"m/c:tau_m: a knob takes a scalar, got shape \(2,\)"),
]


def _in(m, fn):
    with m["b"].context:
        return fn()


@pytest.mark.parametrize("row", WIRING + PROCESS, ids=[r[0] for r in WIRING + PROCESS])
def test_bad_wiring_and_processes_are_refused(hz, row):
    _, action, exc, match = row
    ctx, m = _model()
    with warnings.catch_warnings():
        warnings.simplefilter("error")             # a refused edit must not warn either
        hz.refused(ctx, lambda: action(m), exc, match)


@pytest.mark.parametrize("row", SCAN, ids=[r[0] for r in SCAN])
def test_bad_scan_arguments_are_refused(hz, row):
    _, kwargs, match = row
    ctx, m = _model()
    m["proc"].run(dt=1.)                             # compiled once already
    err = hz.refused(ctx, lambda: m["proc"].scan(**kwargs), (ValueError, KeyError), match)
    assert m["proc"].compile_count == 1, err        # refused before anything was compiled


@pytest.mark.parametrize("row", KNOBS, ids=[r[0] for r in KNOBS])
def test_bad_knob_values_are_refused(hz, row):
    _, value, match = row
    ctx, m = _model()
    hz.refused(ctx, lambda: m["c"].tau_m.set(value), ValueError, match)
    # ... and the run goes on with the old value (tau_m = 10, stateful: z moves by dt/10 * j)
    m["b"].j.set(jnp.ones((1, 2)))
    m["proc"].run(dt=1.)
    np.testing.assert_allclose(np.asarray(m["c"].z.get()), [[0.1, 0.1]], rtol=1e-6)


def test_rewiring_replaces_the_wire_with_a_warning_naming_both(hz):
    ctx, m = _model()
    with ctx:
        e = RateCell("e", n_units=2, tau_m=0.)
    hz.counts["bad_input"] += 1
    with pytest.warns(UserWarning, match=r"m/c:j was wired from m/b:zF; rewiring it from m/e:zF"):
        e.zF >> m["c"].j
    assert m["c"].j.source is e.zF and len(ctx.wires()) == 1
    e.zF.set(jnp.array([[4., 5.]]))
    np.testing.assert_array_equal(m["c"].j.get(), [[4., 5.]])


def test_an_order_cycle_warns_and_a_wired_cycle_still_runs(hz):
    # b -> c -> b: whichever runs first reads the other's previous value (warned once)
    ctx, m = _model()
    m["c"].zF >> m["b"].j_td
    hz.counts["bad_input"] += 1
    with pytest.warns(UserWarning, match=r"m/b.advance_state reads m/c:zF \(through the wire "
                                         r"into m/b:j_td\).*m/c.advance_state"):
        m["proc"].run(dt=1.)
