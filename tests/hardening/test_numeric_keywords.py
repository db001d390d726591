"""Every numeric keyword, under values that are not finite in float32.

The state is float32, so a number is only safe if it is finite *there*: NaN and inf are refused
everywhere, and so is a finite Python number beyond float32's range (1e39, 10**40), which would
silently become inf. The entry points: ``run`` (its fast path too) and ``scan`` keywords (``t``,
``dt``, ``t0``, a method's own keywords, and the time of the last step), knob values
(``Knob.set``, the Lab's sliders, sweeps and grids), the Lab's run loop (``dt``,
``steps_per_frame``, ``run(steps)``, ``step(n)`` and the Controls' messages), the Scope
(``window``, ``max_fps``), the editor's node positions, and sweep seeds. Each bad value is
refused with a message naming the keyword, and the model is exactly as it was.
"""
import re
import warnings

import jax.numpy as jnp
import numpy as np
import pytest

from ngclab import Context, MethodProcess, grid
from ngclab.components import RateCell
from ngclab.core import Compartment, Component, compilable
from ngclab.lab import Lab
from ngclab.lab.scope import Scope

NAN, INF = float("nan"), float("inf")
#: finite in float64 (or as a Python int) but inf in float32
OVER = [1e39, -1e39, 10 ** 40, np.float64(1e39)]
BAD = [NAN, INF, -INF, np.float32("nan"), np.float64("inf")] + OVER


def _id(v) -> str:
    return f"{type(v).__name__}({v!r})"[:30]


class Gain(Component):
    """z = g j with ``g`` a keyword of the step (a method's own numeric keyword)."""
    j: Compartment
    z: Compartment

    def __init__(self, name, **kwargs):
        super().__init__(name, **kwargs)
        self.j = Compartment(jnp.ones((1, 2)), kind="input")
        self.z = Compartment(jnp.zeros((1, 2)), kind="output")

    @compilable
    def advance_state(self, dt, g=1.0):
        self.z.set(self.z.get() + dt * g * self.j.get())


def _model():
    with Context("k") as ctx:
        a = RateCell("a", n_units=2, tau_m=0.)
        b = RateCell("b", n_units=2, tau_m=10.)
        gain = Gain("gain")
        a.zF >> b.j
        adv = MethodProcess("adv") >> a.advance_state >> b.advance_state >> gain.advance_state
    a.j.set(jnp.ones((1, 2)))
    adv.run(t=0., dt=1.)                              # the run() fast path is warm
    return ctx, a, b, adv


CORE_CALLS = [
    ("run_dt", lambda m, v: m["adv"].run(t=1., dt=v), r"keyword dt="),
    ("run_t", lambda m, v: m["adv"].run(t=v, dt=1.), r"keyword t="),
    ("run_method_keyword", lambda m, v: m["adv"].run(t=1., dt=1., g=v), r"keyword g="),
    ("scan_dt", lambda m, v: m["adv"].scan(3, dt=v), r"scan: dt"),
    ("scan_t0", lambda m, v: m["adv"].scan(3, t0=v), r"scan: t0"),
    ("scan_method_keyword", lambda m, v: m["adv"].scan(3, g=v), r"keyword g="),
    ("knob_set", lambda m, v: m["b"].tau_m.set(v), r"k/b:tau_m: value"),
    ("sweep_knob", lambda m, v: m["adv"].scan(2, sweep={m["b"].tau_m: [5., v]}),
     r"k/b:tau_m: value"),
    ("grid_knob", lambda m, v: m["adv"].scan(2, sweep=grid({m["b"].tau_m: [v, 5.]})),
     r"k/b:tau_m: value"),
]


@pytest.mark.parametrize("row", CORE_CALLS, ids=[r[0] for r in CORE_CALLS])
def test_non_finite_numbers_are_refused_by_the_core(hz, row, shared):
    _, call, match = row
    ctx, m = shared
    for value in BAD:
        err = hz.refused(ctx, lambda: call(m, value), ValueError, match)
        assert "finite" in str(err) or "overflows float32" in str(err), (value, err)


@pytest.fixture(scope="module")
def shared():
    """One model for every row (a refused call changes nothing, and each row checks it)."""
    ctx, a, b, adv = _model()
    return ctx, dict(a=a, b=b, adv=adv)


def test_the_last_step_s_time_must_fit_float32_too(hz, shared):
    ctx, m = shared
    # t0 and dt are finite in float32, but step 2's time t0 + 2 dt = 3.6e38 is not
    hz.refused(ctx, lambda: m["adv"].scan(3, t0=3e38, dt=3e37), ValueError,
               r"scan: the last step's time \(3\.6e\+38\) overflows float32")


def test_the_largest_float32_numbers_still_pass(shared):
    ctx, m = shared
    big = float(np.finfo(np.float32).max)             # the bound is inclusive
    m["b"].tau_m.set(big)
    assert float(m["b"].tau_m.get()) == np.float32(big)
    m["b"].tau_m.set(10.)


@pytest.mark.parametrize("seed", [2 ** 31, -2 ** 31 - 1, 2 ** 40], ids=str)
def test_sweep_seeds_outside_int32_are_refused(hz, shared, seed):
    ctx, m = shared
    hz.refused(ctx, lambda: m["adv"].scan(2, sweep={"seed": [0, seed]}), ValueError,
               rf"sweep\['seed'\] {seed} is outside the int32 range")


# -- the lab --------------------------------------------------------------------------------
def _lab():
    ctx, a, b, adv = _model()
    lab = Lab(ctx, adv, clamp={a.j: np.ones((1, 2), np.float32)}, watch=[b.z],
              steps_per_frame=4)
    assert lab.run(4) == 4
    return ctx, lab


@pytest.fixture(scope="module")
def shared_lab():
    return _lab()


LAB_VALUES = BAD + [0, -3, 2.5, True, "7", None]
LAB_CALLS = [
    ("steps_per_frame", lambda lab, v: setattr(lab, "steps_per_frame", v), r"steps_per_frame"),
    ("run_steps", lambda lab, v: lab.run(v), r"run: steps must be a positive integer"),
    ("step_n", lambda lab, v: lab.step(v), r"step: n must be"),
]


@pytest.mark.parametrize("row", LAB_CALLS, ids=[r[0] for r in LAB_CALLS])
def test_lab_counts_must_be_whole_positive_numbers(hz, shared_lab, row):
    _, call, match = row
    ctx, lab = shared_lab
    for value in LAB_VALUES:
        if row[0] == "run_steps" and any(value is o for o in OVER) and float(value) > 0:
            continue   # 1e39 steps is a whole number: run() takes them chunk by chunk
        # (a chunk, steps_per_frame or step(n), is one compiled scan: at most 2**31 - 1 steps)
        spf, steps = lab.steps_per_frame, lab.step_count
        hz.refused(ctx, lambda: call(lab, value), ValueError, match)
        assert lab.steps_per_frame == spf and lab.step_count == steps and not lab.error, value


MESSAGES = [
    ("controls_spf", lambda v: ("controls", {"type": "steps_per_frame", "value": v}),
     r"steps_per_frame must be"),
    ("controls_step", lambda v: ("controls", {"type": "action", "action": "step", "n": v}),
     r"step: n must be"),
    ("knob_slider", lambda v: ("knobs", {"type": "knob", "path": "k/b:tau_m", "value": v}),
     r"k/b:tau_m: value"),
    ("editor_move_x", lambda v: ("editor", {"type": "move", "name": "b", "x": v, "y": 10}),
     r"move 'b': x must be a finite number of pixels"),
    ("editor_move_y", lambda v: ("editor", {"type": "move", "name": "b", "x": 10, "y": v}),
     r"move 'b': y must be a finite number of pixels"),
]


@pytest.mark.parametrize("row", MESSAGES, ids=[r[0] for r in MESSAGES])
def test_browser_messages_with_non_finite_numbers_are_refused(hz, shared_lab, row):
    _, make, match = row
    ctx, lab = shared_lab
    for value in BAD:
        widget, msg = make(value)
        before = hz.fingerprint(ctx)
        spf, steps = lab.steps_per_frame, lab.step_count
        hz.counts["bad_input"] += 1
        with warnings.catch_warnings():
            warnings.simplefilter("error")            # no warning escapes either
            reply = getattr(lab, widget)._handle(msg)
        assert reply["ok"] is False and re.search(match, reply["message"]), (value, reply)
        hz.assert_unchanged(ctx, before)
        assert lab.steps_per_frame == spf and lab.step_count == steps
        assert float(ctx.compartment("b:tau_m").get()) == 10.0
    assert lab.run(4) == 4 and not lab.error          # and the lab still runs


def test_lab_and_scope_settings_are_refused_when_made(hz, shared):
    ctx, m = shared
    for value in BAD + [0, -1.]:
        hz.refused(ctx, lambda: Lab(ctx, m["adv"], dt=value), ValueError,
                   r"Runner: dt must be a finite positive number")
        hz.refused(ctx, lambda: Scope(ctx, watch=[m["b"].z], max_fps=value), ValueError,
                   r"Scope: max_fps must be a finite positive number")
        hz.refused(ctx, lambda: Scope(ctx, watch=[m["b"].z], window=value), ValueError,
                   r"Scope: window must be")
