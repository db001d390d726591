"""Every path by which a value gets into the state takes only what ``set`` would take.

``Compartment.set`` refuses values whose dtype cannot be cast safely (complex into float32, a
float into a uint32 PRNG key, text, objects); ``Knob.set`` also refuses what is not a finite
real scalar within the knob's bounds (and float32's range). The other ways into the state are
held to the same rules: ``resize`` (keeps the dtype; a knob keeps its shape), scan clamps
(constants, sequences, functions of ``t``, knobs), ``load`` of an ngclab save whose knobs were
tampered with, ``restore`` of a snapshot, sweep values, the editor's forms, the Lab's sliders,
and ngc-learn's folders (``Context.load``) and per-component files (``component.load``). Each
refusal names the compartment and leaves the model exactly as it was.
"""
import json
import os

import jax.numpy as jnp
import numpy as np
import pytest

from ngclab import Context, LoadError, MethodProcess
from ngclab.components import RateCell
from ngclab.core.npzfiles import ComponentFileError
from ngclab.core.persist import Snapshot
from ngclab.lab import Lab


def _model(name="s"):
    with Context(name) as ctx:
        a = RateCell("a", n_units=2, tau_m=0.)
        b = RateCell("b", n_units=2, tau_m=10.)
        a.zF >> b.j
        adv = MethodProcess("adv") >> a.advance_state >> b.advance_state
    return ctx, a, b, adv


@pytest.fixture(scope="module")
def model():
    """One model for the refusal tables (each row checks that nothing changed)."""
    ctx, a, b, adv = _model()
    adv.scan(2, clamp={a.j: jnp.ones((1, 2))})
    return ctx, a, b, adv


COMPLEX = np.ones((1, 2), np.complex64)
TEXT = np.array([["a", "b"]])
OBJ = np.array([[object(), 1]], dtype=object)

# (id, action(a, b), exception, message regex)
DIRECT = [
    ("set_complex", lambda a, b: a.j.set(COMPLEX), TypeError, r"s/a:j: .*complex64 into a float32"),
    ("set_text", lambda a, b: a.j.set(TEXT), TypeError, r"s/a:j: .*not a numeric array"),
    ("set_object", lambda a, b: a.j.set(OBJ), TypeError, r"s/a:j: .*object"),
    ("set_none", lambda a, b: a.j.set(None), TypeError, r"s/a:j"),
    ("set_float_into_key", lambda a, b: a.key.set(np.zeros(2)), TypeError,
     r"s/a:key: .*float64 into a uint32"),
    ("knob_complex", lambda a, b: b.tau_m.set(1 + 2j), TypeError, r"s/b:tau_m: a knob takes a real"),
    ("knob_text", lambda a, b: b.tau_m.set("fast"), TypeError, r"s/b:tau_m: a knob takes a number"),
    ("knob_vector", lambda a, b: b.tau_m.set(np.ones(2)), ValueError, r"s/b:tau_m: a knob takes a "
                                                                      r"scalar"),
    ("knob_below_bound", lambda a, b: b.tau_m.set(0.), ValueError, r"below its lower bound"),
    ("knob_overflow", lambda a, b: b.tau_m.set(1e39), ValueError, r"overflows float32"),
    ("resize_complex", lambda a, b: a.j.resize(np.ones((3, 2), np.complex64)), TypeError,
     r"s/a:j: .*complex64"),
    ("resize_text", lambda a, b: a.j.resize(TEXT), TypeError, r"s/a:j: .*not a numeric array"),
    ("resize_float_into_key", lambda a, b: a.key.resize(np.zeros(4)), TypeError,
     r"s/a:key: .*float64 into a uint32"),
    ("resize_knob", lambda a, b: b.tau_m.resize(np.ones(3)), TypeError,
     r"s/b:tau_m: a knob is a scalar and keeps its shape"),
]


@pytest.mark.parametrize("row", DIRECT, ids=[r[0] for r in DIRECT])
def test_set_and_resize_refuse_what_cannot_be_cast_safely(hz, model, row):
    _, action, exc, match = row
    ctx, a, b, adv = model
    hz.refused(ctx, lambda: action(a, b), exc, match)


def test_resize_keeps_the_compartment_s_dtype(model):
    ctx, a, b, adv = model
    snap = ctx.snapshot()
    a.j.resize(np.ones((3, 2), np.int64))            # a batch of 3, given as integers
    assert ctx.state["s/a:j"].dtype == jnp.float32 and ctx.state["s/a:j"].shape == (3, 2)
    ctx.restore(snap)
    assert ctx.state["s/a:j"].shape == (1, 2)


def _other_knob():
    with Context("elsewhere"):
        return RateCell("c", n_units=2, tau_m=3.).tau_m


CLAMPS = [
    ("const_complex", lambda a: COMPLEX, TypeError, r"clamp for s/a:j: a complex64 value"),
    ("seq_complex", lambda a: np.ones((3, 1, 2), np.complex64), TypeError,
     r"clamp for s/a:j: a complex64 value"),
    ("const_text", lambda a: TEXT, ValueError, r"clamp for s/a:j: .*not a numeric array"),
    ("fn_complex", lambda a: (lambda t: jnp.ones((1, 2)) * (1 + 1j)), TypeError,
     r"clamp for s/a:j: the function returned a complex64 value"),
    ("fn_wrong_shape", lambda a: (lambda t: jnp.ones((1, 3))), ValueError,
     r"clamp for s/a:j: the function returned shape \(1, 3\)"),
    ("fn_not_numeric", lambda a: (lambda t: "x"), TypeError,
     r"clamp for s/a:j: the function returned 'x'"),
    ("knob_of_another_context", lambda a: _other_knob(), ValueError,
     r"clamp for s/a:j: knob elsewhere/c:tau_m belongs to another Context"),
]


@pytest.mark.parametrize("row", CLAMPS, ids=[r[0] for r in CLAMPS])
def test_scan_clamps_refuse_what_set_refuses(hz, model, row):
    _, make, exc, match = row
    ctx, a, b, adv = model
    compiles = adv.compile_count
    hz.refused(ctx, lambda: adv.scan(3, clamp={a.j: make(a)}, record=[b.z]), exc, match)
    hz.refused(ctx, lambda: adv.scan(3, sweep={"seed": 2}, clamp={a.j: make(a)}), exc, match)
    assert adv.compile_count - compiles <= 2          # (a function clamp is refused as it traces)


def test_a_clamp_into_a_prng_key_from_a_knob_is_refused(hz, model):
    ctx, a, b, adv = model
    hz.refused(ctx, lambda: adv.scan(2, clamp={a.key: b.tau_m}), TypeError,
               r"clamp for s/a:key: a knob \(float32\) cannot be cast safely into this uint32")


def test_sweep_values_are_held_to_the_same_rules(hz, model):
    ctx, a, b, adv = model
    hz.refused(ctx, lambda: adv.scan(2, sweep={a.j: np.ones((2, 1, 2), np.complex64)}),
               TypeError, r"clamp for s/a:j: a complex64 value")
    hz.refused(ctx, lambda: adv.scan(2, sweep={b.tau_m: [5., 0.]}), ValueError,
               r"s/b:tau_m: value 0.0 is below its lower bound")
    hz.refused(ctx, lambda: adv.scan(2, sweep={b.tau_m: ["fast", "slow"]}), ValueError,
               r"sweep values for s/b:tau_m are not numbers")


def _retamper_knob(folder, path, value):
    """Rewrite an ngclab save so that knob ``path`` holds ``value`` (dtype kept float32)."""
    npz = os.path.join(folder, "state.npz")
    with np.load(npz, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    manifest = json.loads(bytes(arrays["__manifest__"]).decode())
    leaf = next(x for x in manifest["leaves"] if x["path"] == path)
    arrays[leaf["name"]] = np.asarray(value, np.float32)
    np.savez(npz, **arrays)
    os.unlink(os.path.join(folder, "manifest.json"))    # the npz alone is a complete save


@pytest.mark.parametrize("value, match", [(np.nan, r"must be finite, got nan"),
                                          (np.inf, r"must be finite, got inf"),
                                          (0.0, r"below its lower bound"),
                                          (-10., r"below its lower bound")],
                         ids=["nan", "inf", "zero", "negative"])
def test_a_save_with_a_tampered_knob_is_refused(hz, model, tmp_path, value, match):
    ctx, a, b, adv = model
    ctx.save(tmp_path / "s")
    _retamper_knob(tmp_path / "s", "s/b:tau_m", value)
    hz.refused(ctx, lambda: ctx.load(tmp_path / "s"), LoadError,
               rf"state.npz: s/b:tau_m: value .*{match}")


def test_restore_refuses_a_snapshot_with_a_bad_knob_and_takes_its_own(hz, model):
    ctx, a, b, adv = model
    snap = ctx.snapshot()
    bad = dict(snap.state)
    bad["s/b:tau_m"] = jnp.asarray(-1., jnp.float32)
    forged = Snapshot(snap.context_name, snap.structure_version, bad)
    hz.refused(ctx, lambda: ctx.restore(forged), LoadError,
               r"snapshot of 's': s/b:tau_m: value -1.0 is below its lower bound")
    b.tau_m.set(20.)
    ctx.restore(snap)                                   # its own snapshot: taken as it is
    assert float(b.tau_m.get()) == 10.
    hz.counts["set_paths_checked"] += 1


FORMS = [
    ("tau_overflow", {"tau_m": "1e39"}, r"tau_m"),
    ("tau_nan", {"tau_m": "nan"}, r"tau_m"),
    ("tau_complex", {"tau_m": "1j"}, r"tau_m"),
    ("tau_list", {"tau_m": "[1, 2]"}, r"tau_m"),
    ("units_float", {"n_units": "2.5"}, r"n_units"),
    ("units_complex", {"n_units": "2j"}, r"n_units"),
]


@pytest.mark.parametrize("row", FORMS, ids=[r[0] for r in FORMS])
def test_editor_forms_and_sliders_refuse_what_set_refuses(hz, row):
    _, params, match = row
    ctx, a, b, adv = _model()
    lab = Lab(ctx, adv, clamp={a.j: np.ones((1, 2), np.float32)}, watch=[b.z])
    for msg in ({"type": "update", "name": "b", "params": params},
                {"type": "add", "class": "RateCell", "name": "x",
                 "params": {"n_units": "2", "tau_m": "3.", **params}}):
        before = hz.fingerprint(ctx)
        hz.counts["bad_input"] += 1
        reply = lab.editor._handle(msg)
        assert reply["ok"] is False and match in reply["message"], reply
        hz.assert_unchanged(ctx, before)
    for value in (1e39, [1., 2.], "1j", None, {"v": 1}):
        before = hz.fingerprint(ctx)
        hz.counts["bad_input"] += 1
        reply = lab.knobs._handle({"type": "knob", "path": "s/b:tau_m", "value": value})
        assert reply["ok"] is False, (value, reply)
        hz.assert_unchanged(ctx, before)


def _ngc_folder(tmp_path):
    ctx, a, b, adv = _model("n")
    adv.scan(2, clamp={a.j: jnp.ones((1, 2))})
    return ctx, ctx.save_to_json(str(tmp_path), "n")


def _rewrite(path, **changes):
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    arrays.update(changes)
    np.savez(path, **arrays)


NPZ = [
    ("complex_state", dict(z=np.ones((1, 2), np.complex128)), r"z is complex128, which cannot "
                                                              r"be cast safely into n/b:z"),
    ("text_state", dict(z=np.array([["a", "b"]])), r"z is <U1, which cannot be cast"),
    ("float_key", dict(key=np.zeros(2)), r"key is float64, which cannot be cast safely into "
                                         r"n/b:key"),
    ("knob_nan", dict(tau_m=np.array(np.nan)), r"n/b:tau_m: value must be finite"),
    ("knob_overflow", dict(tau_m=np.array(1e39)), r"n/b:tau_m: value 1e\+39 overflows float32"),
    ("knob_below", dict(tau_m=np.array(0.)), r"n/b:tau_m: value 0.0 is below its lower bound"),
    ("knob_vector", dict(tau_m=np.ones(3)), r"knob tau_m must be a real scalar"),
    ("knob_complex", dict(tau_m=np.array(1j)), r"knob tau_m must be a real scalar"),
    ("wrong_shape", dict(z=np.ones((1, 5), np.float32)), r"z has shape \(1, 5\), which does "
                                                          r"not fit n/b:z of shape \(1, 2\)"),
]


@pytest.mark.parametrize("row", NPZ, ids=[r[0] for r in NPZ])
def test_ngclearn_files_refuse_what_set_refuses(hz, tmp_path, row):
    _, changes, match = row
    ctx, folder = _ngc_folder(tmp_path)
    custom = os.path.join(folder, "component", "custom")
    _rewrite(os.path.join(custom, "b.npz"), **changes)
    hz.counts["bad_input"] += 1
    with pytest.raises(LoadError, match=r"custom/b.npz: .*" + match):
        Context.load(str(tmp_path), "n")
    # the per-component load (ngc-learn's component.load(dir)) into the live model
    hz.refused(ctx, lambda: ctx["b"].load(custom), ComponentFileError, r"b.npz: .*" + match)
