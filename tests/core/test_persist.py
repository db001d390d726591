"""save/load and snapshot/restore: exact round trips; a failed load changes nothing."""
import json
import os

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ngclab import LoadError
from tests.helpers import build_tutorial


def _train_a_bit(ctx, a, Wab, b, advance):
    Wab.pre.set(jnp.array([[0.5]]))
    Wab.post.set(jnp.array([[2.0]]))
    Wab.eta.set(0.1)
    b.tau_m.set(7.5)
    a.j.set(jnp.array([[3.]]))
    advance.run(t=0., dt=1.)
    Wab.evolve()
    b.key.set(jax.random.PRNGKey(42))


def _state(ctx):
    return {k: np.array(v) for k, v in ctx.state.items()}


def _assert_same(left, right):
    assert left.keys() == right.keys()
    for k in left:
        assert left[k].dtype == right[k].dtype, k
        np.testing.assert_array_equal(left[k], right[k], err_msg=k)


def test_save_load_round_trips_every_leaf_exactly(tmp_path):
    ctx, a, Wab, b, advance, reset = build_tutorial()
    _train_a_bit(ctx, a, Wab, b, advance)
    saved = _state(ctx)
    ctx.save(tmp_path / "run1")
    assert sorted(os.listdir(tmp_path / "run1")) == ["manifest.json", "state.npz"]
    manifest = json.loads((tmp_path / "run1" / "manifest.json").read_text())
    assert manifest["format"] == "ngclab-state" and manifest["context"] == "model"

    ctx2, a2, W2, b2, adv2, _ = build_tutorial()   # a fresh model of the same structure
    ctx2.load(tmp_path / "run1")
    _assert_same(_state(ctx2), saved)
    assert float(b2.tau_m.get()) == 7.5 and float(W2.eta.get()) == np.float32(0.1)


def test_a_load_that_does_not_match_raises_and_changes_nothing(tmp_path):
    ctx, *_ = build_tutorial()
    ctx.save(tmp_path / "tutorial")
    other, *_ = build_tutorial(n_units=3)          # same names, other shapes
    before = _state(other)
    with pytest.raises(LoadError, match=r"model/a:j has shape \(1, 1\) float32 there but \(1, 3\)"):
        other.load(tmp_path / "tutorial")
    _assert_same(_state(other), before)
    renamed, *_ = build_tutorial(name="other")
    with pytest.raises(LoadError, match="holds Context 'model', not 'other'"):
        renamed.load(tmp_path / "tutorial")


@pytest.mark.parametrize("damage", ["truncate", "not_npz", "foreign_npz", "missing", "manifest"])
def test_damaged_or_foreign_files_raise_load_error(tmp_path, damage):
    ctx, a, Wab, b, advance, _ = build_tutorial()
    folder = tmp_path / "save"
    ctx.save(folder)
    state_file = folder / "state.npz"
    if damage == "truncate":
        data = state_file.read_bytes()
        state_file.write_bytes(data[: len(data) // 2])
    elif damage == "not_npz":
        state_file.write_text("hello, I am not an npz file")
    elif damage == "foreign_npz":
        np.savez(state_file, weights=np.ones(3))
    elif damage == "missing":
        state_file.unlink()
    elif damage == "manifest":
        m = json.loads((folder / "manifest.json").read_text())
        m["leaves"] = m["leaves"][1:]
        (folder / "manifest.json").write_text(json.dumps(m))
    _train_a_bit(ctx, a, Wab, b, advance)
    before = _state(ctx)
    with pytest.raises(LoadError):
        ctx.load(folder)
    _assert_same(_state(ctx), before)


def test_saving_over_a_save_replaces_it_whole(tmp_path):
    ctx, a, Wab, b, advance, _ = build_tutorial()
    ctx.save(tmp_path / "s")
    _train_a_bit(ctx, a, Wab, b, advance)
    ctx.save(tmp_path / "s")
    assert not [f for f in os.listdir(tmp_path / "s") if f.endswith(".tmp")]
    fresh, *_ = build_tutorial()
    fresh.load(tmp_path / "s")
    _assert_same(_state(fresh), _state(ctx))


def test_snapshot_and_restore(tutorial):
    ctx, a, Wab, b, advance, reset = tutorial
    a.j.set(jnp.array([[1.]]))
    advance.run(t=0., dt=1.)
    snap = ctx.snapshot()
    kept = _state(ctx)
    for i in range(3):
        advance.run(t=float(i), dt=1.)
    assert float(b.z.get()[0, 0]) != kept["model/b:z"][0, 0]
    ctx.restore(snap)
    _assert_same(_state(ctx), kept)
    other, *_ = build_tutorial(n_units=2)
    with pytest.raises(LoadError, match="does not match"):
        other.restore(snap)
