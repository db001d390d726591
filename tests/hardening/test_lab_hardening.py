"""The lab under bad input, faults and concurrency.

* every refused editor / knob / controls message returns {"ok": False, "message": ...} naming
  what was wrong (the message also goes back to the front end) and the model is unchanged;
* an exception inside a component method during a run pauses the Lab, shows a summary with the
  traceback, keeps the state, and the Lab works again once the cause is fixed;
* play pressed twice, edits, knob changes and reset while running (asyncio): one run loop,
  edits land between chunks (the result equals a synchronous run with the same edits at the same
  steps, bit for bit), no loop is left running.
"""
import asyncio
import warnings

import jax.numpy as jnp
import numpy as np
import pytest

from ngclab import Context, MethodProcess
from ngclab.components import RateCell
from ngclab.core import Compartment, Component, compilable
from ngclab.lab import Lab


def _lab(K=10):
    with Context("m") as ctx:
        a = RateCell("a", n_units=2, tau_m=0.)
        b = RateCell("b", n_units=2, tau_m=10.)
        a.zF >> b.j
        adv = MethodProcess("adv") >> a.advance_state >> b.advance_state
        rst = MethodProcess("rst") >> a.reset >> b.reset
    lab = Lab(ctx, adv, rst, clamp={a.j: np.array([[1., 2.]], np.float32)}, watch=[b.z],
              steps_per_frame=K)
    return ctx, lab


def _add(name, **params):
    return {"type": "add", "class": "RateCell", "name": name,
            "params": {k: str(v) for k, v in params.items()}}


# (id, message, regex the returned message must match)
EDITOR = [
    ("unknown_class", {"type": "add", "class": "Nope", "name": "x"}, r"unknown component class"),
    ("no_name", _add("", n_units=2, tau_m=1.), r"give the new component a name"),
    ("duplicate_name", _add("a", n_units=2, tau_m=1.), r"'a' already exists"),
    ("negative_size", _add("x", n_units=-1, tau_m=1.), r"n_units must be a positive integer"),
    ("zero_size", _add("x", n_units=0, tau_m=1.), r"n_units must be a positive integer, got 0"),
    ("unparsable", _add("x", n_units="(((", tau_m=1.), r"cannot read '\(\(\('"),
    ("code_injection", _add("x", n_units="__import__('os').getcwd()", tau_m=1.),
     r"cannot read"),
    ("unknown_act_fx", _add("x", n_units=2, tau_m=1., act_fx="'bogus'"),
     r"unknown act_fx 'bogus'; valid: .*tanh"),
    ("bad_name", _add("x/y", n_units=2, tau_m=1.), r"invalid component name 'x/y'"),
    ("missing_param", _add("x", n_units=2), r"missing a required argument: 'tau_m'"),
    ("into_output", {"type": "connect", "src": "m/a:zF", "dst": "m/b:zF"}, r"output"),
    ("twice", {"type": "connect", "src": "m/a:zF", "dst": "m/b:j"}, r"already wired into"),
    ("unknown_port", {"type": "connect", "src": "m/a:zz", "dst": "m/b:j"},
     r"no compartment 'zz'"),
    ("into_clamped", {"type": "connect", "src": "m/b:zF", "dst": "m/a:j"}, r"clamped by the Lab"),
    ("into_knob", {"type": "connect", "src": "m/b:zF", "dst": "m/b:tau_m"}, r"knob m/b:tau_m"),
    ("disconnect_unwired", {"type": "disconnect", "dst": "m/a:j_td"}, r"m/a:j_td is not wired"),
    ("disconnect_other", {"type": "disconnect", "src": "m/a:z", "dst": "m/b:j"},
     r"m/a:z is not wired into m/b:j"),
    ("remove_unknown", {"type": "remove", "name": "zz"}, r"no component 'zz'"),
    ("update_unknown", {"type": "update", "name": "zz", "params": {}}, r"no component 'zz'"),
    ("update_zero_size", {"type": "update", "name": "b", "params": {"n_units": "0"}},
     r"n_units must be a positive integer, got 0"),
    ("update_unknown_prior", {"type": "update", "name": "b",
                              "params": {"prior": "('bogus', 0.)"}},
     r"unknown prior 'bogus'; valid: gaussian, laplacian, cauchy, exp"),
    ("update_tau_text", {"type": "update", "name": "b", "params": {"tau_m": "'abc'"}},
     r"tau_m must be a finite number, got 'abc'"),
    ("move_unknown", {"type": "move", "name": "zz", "x": 1, "y": 2}, r"no component 'zz'"),
    ("unknown_message", {"type": "frobnicate"}, r"unknown editor message 'frobnicate'"),
]


@pytest.fixture(scope="module")
def shared_lab():
    """One Lab for the rows of the tables: a refused message changes nothing, so they share it
    (and each row also checks that the ones before it left the model alone)."""
    ctx, lab = _lab()
    lab.run(20)
    return ctx, lab


@pytest.mark.parametrize("row", EDITOR, ids=[r[0] for r in EDITOR])
def test_refused_edits_reply_with_the_reason_and_change_nothing(hz, row, monkeypatch, shared_lab):
    _, msg, match = row
    ctx, lab = shared_lab
    before = hz.fingerprint(ctx)
    sent = []
    monkeypatch.setattr(lab.editor, "send", lambda content, buffers=None: sent.append(content))
    hz.counts["bad_input"] += 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lab.editor._reply({**msg, "id": 7})        # what a message from the browser runs
    assert len(sent) == 1 and sent[0]["type"] == "result" and sent[0]["id"] == 7
    assert sent[0]["ok"] is False, sent[0]
    import re
    assert re.search(match, sent[0]["message"]), sent[0]["message"]
    assert lab.editor.error == sent[0]["message"]  # shown in the widget
    hz.assert_unchanged(ctx, before)
    assert lab.run(10) == 10 and not lab.error      # the lab keeps working
    lab.editor.error = ""


KNOB_MSGS = [
    ("nan", {"type": "knob", "path": "m/b:tau_m", "value": float("nan")}, r"must be finite"),
    ("inf", {"type": "knob", "path": "m/b:tau_m", "value": float("inf")}, r"must be finite"),
    ("negative_tau", {"type": "knob", "path": "m/b:tau_m", "value": -1.},
     r"m/b:tau_m: value -1.0 is below its lower bound"),
    ("not_a_knob", {"type": "knob", "path": "m/b:z", "value": 1.}, r"m/b:z is not a knob"),
    ("unknown_knob", {"type": "knob", "path": "m/b:nope", "value": 1.}, r"no compartment 'nope'"),
    ("text", {"type": "knob", "path": "m/b:tau_m", "value": "fast"}, r"fast"),
    ("unknown_message", {"type": "set", "path": "m/b:tau_m", "value": 1.},
     r"unknown knobs message 'set'"),
]

CONTROL_MSGS = [
    ("unknown_action", {"type": "action", "action": "explode"}, r"unknown action 'explode'"),
    ("spf_zero", {"type": "steps_per_frame", "value": 0}, r"steps_per_frame must be at least 1"),
    ("spf_text", {"type": "steps_per_frame", "value": "many"}, r"many"),
    ("unknown_message", {"type": "volume"}, r"unknown controls message 'volume'"),
]


@pytest.mark.parametrize("row", KNOB_MSGS + CONTROL_MSGS,
                         ids=[f"knobs-{r[0]}" for r in KNOB_MSGS] +
                             [f"controls-{r[0]}" for r in CONTROL_MSGS])
def test_refused_knob_and_control_messages(hz, row, shared_lab):
    _, msg, match = row
    ctx, lab = shared_lab
    widget = lab.knobs if (msg["type"] in ("knob", "set")) else lab.controls
    spf = lab.steps_per_frame
    hz.counts["bad_input"] += 1
    before = hz.fingerprint(ctx)
    out = widget._handle(msg)
    assert out["ok"] is False and re.search(match, out["message"]), out
    hz.assert_unchanged(ctx, before)
    assert float(ctx.compartment("b:tau_m").get()) == 10.0 and lab.steps_per_frame == spf


import re  # noqa: E402  (used by the tests above)


class Flaky(Component):
    """z = 2 j; raises while ``broken`` (a user's component with a bug in its method)."""

    def __init__(self, name, n_units=2, **kwargs):
        super().__init__(name, **kwargs)
        self.j = Compartment(jnp.zeros((1, n_units)), kind="input")
        self.z = Compartment(jnp.zeros((1, n_units)), kind="output")
        self.broken = False

    @compilable
    def advance_state(self, dt):
        if self.broken:
            raise RuntimeError("the flaky cell's formula divides by a missing constant")
        self.z.set(self.j.get() * 2.)


def test_an_exception_in_a_method_pauses_shows_a_summary_and_recovers():
    with Context("m") as ctx:
        a = RateCell("a", n_units=2, tau_m=0.)
        f = Flaky("f")
        a.zF >> f.j
        adv = MethodProcess("adv") >> a.advance_state >> f.advance_state
    lab = Lab(ctx, adv, clamp={a.j: np.array([[1., 3.]], np.float32)}, watch=[f.z],
              steps_per_frame=10)
    assert lab.run(30) == 30
    f.broken = True
    lab.editor._handle(_add("c", n_units=2, tau_m=4.))   # an edit: the step is traced again
    good = {k: np.asarray(v) for k, v in ctx.state.items()}
    assert lab.run(50) == 0                           # the first chunk fails
    assert lab.controls.status == "error" and not lab.running
    assert "RuntimeError in component 'f' (Flaky.advance_state" in lab.error
    assert "divides by a missing constant" in lab.error
    assert "test_lab_hardening.py" in lab.error_detail and "raise RuntimeError" in \
        lab.error_detail                               # the traceback summary
    assert lab.controls.error == lab.error
    assert lab.step_count == 30
    for k, v in ctx.state.items():                    # the state is as it was
        np.testing.assert_array_equal(np.asarray(v), good[k], err_msg=k)
    f.broken = False                                  # the user fixes the cause
    assert lab.run(20) == 20 and lab.error == "" and lab.controls.error == ""
    assert lab.step_count == 50
    np.testing.assert_array_equal(np.asarray(f.z.get()), [[2., 6.]])   # z = 2 j, j = (1, 3)


def test_nan_in_a_lab_run_names_the_compartment_and_restores():
    ctx, lab = _lab()
    lab.run(20)
    good = {k: np.asarray(v) for k, v in ctx.state.items()}
    lab.set_clamp("a:j", np.array([[1., np.nan]], np.float32))
    assert lab.run(30) == 0
    assert "NaN/Inf in m/a:j" in lab.error and lab.step_count == 20
    for k, v in ctx.state.items():
        np.testing.assert_array_equal(np.asarray(v), good[k], err_msg=k)
    lab.set_clamp("a:j", np.array([[1., 2.]], np.float32))
    assert lab.run(30) == 30 and lab.error == ""


def _sync_reference(K, m1, m2, N):
    """The same session without asyncio: edit at step m1, knob change at m2, stop at N."""
    ctx, lab = _lab(K)
    lab.run(m1)
    assert lab.editor._handle(_add("c", n_units=2, tau_m=3.))["ok"]
    assert lab.editor._handle({"type": "connect", "src": "m/b:zF", "dst": "m/c:j"})["ok"]
    lab.run(m2 - m1)
    assert lab.knobs._handle({"type": "knob", "path": "m/b:tau_m", "value": 4.})["ok"]
    lab.run(N - m2)
    return {k: np.asarray(v) for k, v in ctx.state.items()}


async def _until(cond, limit=2000):
    for _ in range(limit):
        if cond():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition not reached")


def test_play_twice_edits_knobs_and_reset_while_running():
    K = 10
    ctx, lab = _lab(K)
    seen = {}

    async def session():
        lab.controls._handle({"type": "action", "action": "play"})
        task = lab._task
        lab.controls._handle({"type": "action", "action": "play"})   # pressed twice
        assert lab._task is task and lab.running
        await _until(lambda: lab.step_count >= 3 * K)
        seen["m1"] = lab.step_count                   # the loop is parked between chunks
        r1 = lab.editor._handle(_add("c", n_units=2, tau_m=3.))
        r2 = lab.editor._handle({"type": "connect", "src": "m/b:zF", "dst": "m/c:j"})
        assert r1["ok"] and r2["ok"], (r1, r2)
        await _until(lambda: lab.step_count >= seen["m1"] + 2 * K)
        seen["m2"] = lab.step_count
        assert lab.knobs._handle({"type": "knob", "path": "m/b:tau_m", "value": 4.})["ok"]
        await _until(lambda: lab.step_count >= seen["m2"] + 2 * K)
        lab.controls._handle({"type": "action", "action": "pause"})
        seen["N"] = lab.step_count
        seen["state"] = {k: np.asarray(v) for k, v in ctx.state.items()}
        await _until(task.done)
        assert lab.step_count == seen["N"]            # pause: no chunk after the one in flight
        # reset while running: the loop stops, t and the step count go back to 0
        lab.play()
        task2 = lab._task
        assert task2 is not task
        await _until(lambda: lab.step_count >= seen["N"] + K)
        lab.controls._handle({"type": "action", "action": "reset"})
        assert not lab.running and lab.step_count == 0 and lab.t == 0.
        await _until(task2.done)
        for _ in range(20):
            await asyncio.sleep(0)
        assert lab.step_count == 0                    # no orphaned loop kept stepping
        np.testing.assert_array_equal(np.asarray(ctx.compartment("c:z").get()), 0.)
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        assert others == []

    asyncio.run(session())
    for key in ("m1", "m2", "N"):
        assert seen[key] % K == 0, seen               # edits landed between whole chunks
    ref = _sync_reference(K, seen["m1"], seen["m2"], seen["N"])
    assert ref.keys() == seen["state"].keys()
    for k in ref:
        np.testing.assert_array_equal(seen["state"][k], ref[k], err_msg=k)
    assert np.abs(ref["m/c:z"]).sum() > 0             # the edit took effect (c integrates b)
