"""save/load under damage and crashes (extends tests/core/test_persist.py, which covers a truncated
npz, a text file, a foreign npz, a missing npz, a side manifest listing other leaves, other shapes
and another Context name).

Here: saves from models of another structure, every field of the embedded manifest tampered
with, pickled arrays, empty and zip-but-not-npz files, folders that are files, and crashes in the
middle of a save (np.savez / os.replace raising), after which the previous save loads intact.
Every failed load raises LoadError and leaves the model bit for bit as it was.
"""
import io
import json
import os
import zipfile

import jax.numpy as jnp
import numpy as np
import pytest

from ngclab import Context, LoadError, MethodProcess
from ngclab.components import RateCell
from ngclab.core import persist


def _model(name="model", n=2, extra=False, act="tanh"):
    with Context(name) as ctx:
        a = RateCell("a", n_units=n, tau_m=0., act_fx="identity")
        b = RateCell("b", n_units=n, tau_m=10., act_fx=act)
        a.zF >> b.j
        if extra:
            RateCell("c", n_units=n, tau_m=5.)
        adv = MethodProcess("adv") >> a.advance_state >> b.advance_state
    return ctx, a, b, adv


def _state(ctx):
    return {k: np.array(v) for k, v in ctx.state.items()}


def _same(x, y):
    assert x.keys() == y.keys()
    for k in x:
        assert x[k].dtype == y[k].dtype, k
        np.testing.assert_array_equal(x[k], y[k], err_msg=k)


def _advance(ctx, a, b, adv, value=1.0, steps=3):
    adv.scan(steps=steps, clamp={a.j: jnp.full(a.j.shape, value)})


def _rewrite_npz(folder, edit):
    """Rewrite state.npz after ``edit(arrays, manifest)`` (both mutable)."""
    path = os.path.join(folder, "state.npz")
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    manifest = json.loads(bytes(arrays.pop("__manifest__")).decode())
    edit(arrays, manifest)
    if manifest is not None:
        arrays["__manifest__"] = np.frombuffer(json.dumps(manifest).encode(), np.uint8)
    np.savez(path, **arrays)


def _first_float_leaf(manifest):
    return next(leaf for leaf in manifest["leaves"] if leaf["dtype"] == "float32")


def _set(d, k, v):
    d[k] = v


NPZ_DAMAGE = [
    ("format_marker", lambda A, M: _set(M, "format", "something-else"), r"format marker missing"),
    ("format_version", lambda A, M: _set(M, "format_version", 99),
     r"save format version 99 is not supported"),
    ("leaf_shape", lambda A, M: _set(_first_float_leaf(M), "shape", [7, 7]),
     r"is \(1, 2\) float32 but the manifest says \(7, 7\) float32"),
    ("leaf_dtype", lambda A, M: _set(_first_float_leaf(M), "dtype", "float64"),
     r"but the manifest says \(1, 2\) float64"),
    ("array_missing", lambda A, M: A.pop(_first_float_leaf(M)["name"]),
     r"lacks the array for model/a:j \(truncated save\?\)"),
    ("array_replaced", lambda A, M: _set(A, _first_float_leaf(M)["name"], np.zeros(5, np.int64)),
     r"model/a:j is \(5,\) int64 but the manifest says"),
    ("leaf_renamed", lambda A, M: _set(_first_float_leaf(M), "path", "model/a:nope"),
     r"lacks model/a:j; it has model/a:nope which this model does not"),
    ("leaf_dropped", lambda A, M: M["leaves"].pop(1), r"does not match Context 'model': it lacks"),
    ("context_name", lambda A, M: _set(M, "context", "other"),
     r"holds Context 'other', not 'model'"),
]


@pytest.mark.parametrize("row", NPZ_DAMAGE, ids=[r[0] for r in NPZ_DAMAGE])
def test_a_tampered_embedded_manifest_is_refused(hz, tmp_path, row):
    _, edit, match = row
    ctx, a, b, adv = _model()
    ctx.save(tmp_path / "s")
    os.unlink(tmp_path / "s" / "manifest.json")    # the npz alone is a complete save
    _rewrite_npz(tmp_path / "s", edit)
    _advance(ctx, a, b, adv)
    hz.refused(ctx, lambda: ctx.load(tmp_path / "s"), LoadError, match)


def _write(folder, name, data):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def _zip_bytes(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n, data in files.items():
            z.writestr(n, data)
    return buf.getvalue()


def _pickled_npz():
    buf = io.BytesIO()
    np.savez(buf, __manifest__=np.array([{"format": "ngclab-state"}], dtype=object))
    return buf.getvalue()


FILE_DAMAGE = [
    ("empty_npz", lambda f: _write(f, "state.npz", b""), r"is not a readable npz file"),
    ("zip_not_npz", lambda f: _write(f, "state.npz", _zip_bytes({"readme.txt": b"hi"})),
     r"not an ngclab save \(it has no embedded manifest\)|not a readable npz"),
    ("pickled_object_array", lambda f: _write(f, "state.npz", _pickled_npz()),
     r"not a readable npz file"),
    ("manifest_not_json", lambda f: _write(f, "state.npz", _npz_with_manifest_bytes(b"{not json")),
     r"embedded manifest is not valid JSON"),
    ("manifest_not_utf8", lambda f: _write(f, "state.npz", _npz_with_manifest_bytes(b"\xff\xfe")),
     r"embedded manifest is not valid JSON"),
    ("manifest_is_a_list", lambda f: _write(f, "state.npz", _npz_with_manifest_bytes(b"[1, 2]")),
     r"not an ngclab save \(format marker missing\)"),
    ("side_manifest_not_json", lambda f: _write(f, "manifest.json", b"{{{"),
     r"manifest.json is not valid JSON"),
    ("side_manifest_other_model", lambda f: _write(f, "manifest.json", json.dumps(
        {"format": "ngclab-state", "leaves": [{"path": "x/y:z"}]}).encode()),
     r"manifest.json does not match .*state.npz"),
]


def _npz_with_manifest_bytes(raw: bytes) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, __manifest__=np.frombuffer(raw, np.uint8), leaf_0000=np.zeros(2))
    return buf.getvalue()


@pytest.mark.parametrize("row", FILE_DAMAGE, ids=[r[0] for r in FILE_DAMAGE])
def test_files_that_are_not_ngclab_saves_are_refused(hz, tmp_path, row):
    _, damage, match = row
    ctx, a, b, adv = _model()
    ctx.save(tmp_path / "s")
    damage(str(tmp_path / "s"))
    _advance(ctx, a, b, adv)
    hz.refused(ctx, lambda: ctx.load(tmp_path / "s"), LoadError, match)


def test_folders_that_do_not_hold_a_save_are_refused(hz, tmp_path):
    ctx, a, b, adv = _model()
    (tmp_path / "empty").mkdir()
    (tmp_path / "afile").write_text("x")
    hz.refused(ctx, lambda: ctx.load(tmp_path / "nowhere"), LoadError, r"is not a folder")
    hz.refused(ctx, lambda: ctx.load(tmp_path / "afile"), LoadError, r"is not a folder")
    hz.refused(ctx, lambda: ctx.load(tmp_path / "empty"), LoadError, r"has no state.npz")


MODELS = [
    ("extra_component", dict(extra=True), r"it has model/c:\w+.* which this model does not"),
    ("other_sizes", dict(n=3), r"model/a:j has shape \(1, 3\) float32 there but \(1, 2\)"),
    ("other_context", dict(name="elsewhere"), r"holds Context 'elsewhere', not 'model'"),
]


@pytest.mark.parametrize("row", MODELS, ids=[r[0] for r in MODELS])
def test_a_save_from_another_model_is_refused(hz, tmp_path, row):
    _, kwargs, match = row
    other, oa, ob, oadv = _model(**kwargs)
    _advance(other, oa, ob, oadv, value=2.)
    other.save(tmp_path / "other")
    ctx, a, b, adv = _model()
    _advance(ctx, a, b, adv)
    hz.refused(ctx, lambda: ctx.load(tmp_path / "other"), LoadError, match)
    # and the other way round: our save into a model of the other structure
    ctx.save(tmp_path / "ours")
    hz.refused(other, lambda: other.load(tmp_path / "ours"), LoadError, r"")


def test_a_model_with_fewer_components_refuses_a_bigger_save(hz, tmp_path):
    big, *_ = _model(extra=True)
    big.save(tmp_path / "big")
    small, *_ = _model()
    hz.refused(small, lambda: small.load(tmp_path / "big"), LoadError,
               r"it has model/c:j, model/c:j_td")


def test_restore_refuses_foreign_snapshots(hz):
    ctx, a, b, adv = _model()
    other, *_ = _model(extra=True)
    snap = other.snapshot()
    hz.refused(ctx, lambda: ctx.restore(snap), LoadError, r"snapshot of 'model' does not match")
    hz.refused(ctx, lambda: ctx.restore(dict(ctx.state)), TypeError,
               r"restore\(\) takes a Snapshot from snapshot\(\), got dict")


class Boom(RuntimeError):
    pass


def _explode(*args, **kwargs):
    raise Boom("simulated crash in the middle of a save")


def _half_write_then_explode(f, **arrays):
    f.write(b"PK\x03\x04 half an npz")               # the temporary file gets garbage first
    raise Boom("simulated crash in the middle of np.savez")


@pytest.mark.parametrize("where", ["savez_start", "savez_half_written", "replace_npz",
                                   "replace_manifest", "fsync"])
def test_a_crash_mid_save_leaves_the_previous_save_intact(hz, tmp_path, monkeypatch, where):
    ctx, a, b, adv = _model()
    _advance(ctx, a, b, adv, value=1.)
    ctx.save(tmp_path / "s")
    first = _state(ctx)
    _advance(ctx, a, b, adv, value=-3.)              # now the model differs from the save
    second = _state(ctx)
    assert any((first[k] != second[k]).any() for k in first)
    real_replace = os.replace
    if where == "savez_start":
        monkeypatch.setattr(np, "savez", _explode)
    elif where == "savez_half_written":
        monkeypatch.setattr(np, "savez", _half_write_then_explode)
    elif where == "fsync":
        monkeypatch.setattr(os, "fsync", _explode)
    elif where == "replace_npz":
        monkeypatch.setattr(os, "replace", _explode)
    else:                                            # the npz goes in, the manifest does not
        def replace(src, dst):
            if dst.endswith("manifest.json"):
                raise Boom("simulated crash before the manifest was renamed")
            return real_replace(src, dst)
        monkeypatch.setattr(os, "replace", replace)
    hz.counts["crash_mid_save"] += 1
    with pytest.raises(Boom):
        ctx.save(tmp_path / "s")
    monkeypatch.undo()
    _same(_state(ctx), second)                       # saving never changes the model
    assert sorted(os.listdir(tmp_path / "s")) == ["manifest.json", "state.npz"]  # no .tmp left
    fresh, *_ = _model()
    fresh.load(tmp_path / "s")
    # the npz is the complete save: either the previous one whole, or (when only the manifest's
    # rename failed) the new one whole -- never a mixture
    expected = second if where == "replace_manifest" else first
    _same(_state(fresh), expected)


def test_save_then_load_after_failed_loads_still_round_trips(tmp_path):
    ctx, a, b, adv = _model()
    _advance(ctx, a, b, adv)
    with pytest.raises(LoadError):
        ctx.load(tmp_path / "missing")
    ctx.save(tmp_path / "ok")
    before = _state(ctx)
    _advance(ctx, a, b, adv, value=5.)
    ctx.load(tmp_path / "ok")
    _same(_state(ctx), before)
    assert persist.read(tmp_path / "ok")[0]["context"] == "model"
