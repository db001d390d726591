"""ART2ASynapse against ngc-learn 3.2.3 (tests/reference/competitive_vq_art_reference.json,
written by tests/reference/competitive_vq_art_reference.py) and against the ART 2-A equations
computed here with numpy."""
from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

from ngclab import Context, MethodProcess
from ngclab.components.synapses.competitive.ART2ASynapse import ART2ASynapse
from tests.components.synapses.competitive.competitive_helpers import compare_record
from tests.components.synapses.competitive.vq_art_helpers import cases, inputs_at, trajectory
from tests.components.synapses.plasticity.plasticity_helpers import value

CASES = cases()
STALE = ("delayed_inputs",)   # ngc-learn's reset leaves DenseSynapse's compartments alone
LEARN = ["advance_state", "evolve"]


def unit(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def without(record, names):
    return [{k: v for k, v in r.items() if k not in names} for r in record]


def check_learning_steps(spec, snaps, steps):
    """Each advance_state + evolve step by hand: winner, resonance, W <- W + eta dW."""
    rho = spec["args"]["vigilance"]
    for step in steps:
        before, after = snaps[step - 1], snaps[step]
        x = unit(inputs_at(spec, step)["inputs"])
        W, used, eta = before["weights"], before["used"], before["eta"].item()
        s = x @ W
        s = np.where(used > 0., s, s.min(axis=1, keepdims=True) - 1.)
        z = s * (s >= s.max(axis=1, keepdims=True))
        np.testing.assert_allclose(after["outputs"], z, atol=1e-5)
        hits = (z >= rho).astype(np.float32)
        m = hits.any(axis=1, keepdims=True).astype(np.float32)
        dW = ((x - z @ W.T) * m).T @ hits
        np.testing.assert_allclose(after["dWeights"], dW, atol=1e-5)
        np.testing.assert_allclose(after["weights"], W + eta * dW, atol=1e-5)
        np.testing.assert_array_equal(after["misses"], 1. - m)


def test_reference_has_every_case():
    names = sorted(n for n in CASES if n.startswith("ART2A/"))
    assert names == ["ART2A/batch1", "ART2A/batch3_decrement_reset",
                     "ART2A/insert_mixed_batch2"]
    assert all("error" not in CASES[n] for n in names)


@pytest.mark.parametrize("name", ["ART2A/batch1", "ART2A/batch3_decrement_reset"])
def test_trajectories_match_ngclearn(name):
    """Every compartment after every step equals ngc-learn's (the JSON's record), except
    dWeights: ngc-learn never sets it (its record is zeros throughout), ngclab keeps dW."""
    spec = CASES[name]
    _, snaps = trajectory(spec)
    record = without(spec["record"], ("dWeights",))
    n = compare_record({**spec, "record": record}, snaps, STALE)
    assert n == sum(len(r) for r in record)
    assert all(not value(r["dWeights"]).any() for r in spec["record"])   # ngc-learn: zeros
    assert snaps[-1]["used"].sum() >= 3                                 # memories stored
    learned = [i for i, st in enumerate(spec["steps"], 1) if st["methods"] == LEARN]
    check_learning_steps(spec, snaps, learned)
    assert any(snaps[i]["dWeights"].any() for i in learned)             # some resonated


def test_consolidate_fills_the_first_empty_slots():
    """A batch whose first probe resonates and whose second misses: ngc-learn writes the miss
    to slot sum(used) + 1 = 2, leaving slot 1 empty (its record); ngclab writes it to slot 1,
    the first empty one. Up to the consolidation both agree with ngc-learn's record."""
    spec = CASES["ART2A/insert_mixed_batch2"]
    _, snaps = trajectory(spec)
    head = {**spec, "record": without(spec["record"][:3], ("dWeights",))}
    assert compare_record(head, snaps, STALE) == sum(len(r) for r in head["record"])
    x = snaps[2]["xprobe"]
    np.testing.assert_array_equal(snaps[2]["misses"], [[0.], [1.]])
    theirs = value(spec["record"][3]["weights"])
    np.testing.assert_array_equal(value(spec["record"][3]["used"]), [[1, 0, 1, 0]])
    np.testing.assert_allclose(theirs[:, 2], x[1], atol=1e-6)          # ngc-learn: slot 2
    np.testing.assert_array_equal(snaps[3]["used"], [[1., 1., 0., 0.]])
    np.testing.assert_allclose(snaps[3]["weights"][:, 1], x[1], atol=1e-6)   # ngclab: slot 1
    np.testing.assert_allclose(snaps[3]["weights"][:, [0, 2, 3]], snaps[2]["weights"][:, [0, 2, 3]])
    check_learning_steps(spec, snaps, [2, 4, 5])


def test_consolidate_skips_used_slots_between_empty_ones():
    """Slots 1 and 3 used (by insert): three missed probes go to slots 0, 2 and 4, in batch
    order; a fourth miss finds no empty slot and is dropped."""
    x = np.asarray([[1., 0., 0.], [0., 1., 0.], [0., 0., 1.], [0., 0.6, 0.8]], np.float32)
    with Context("gap"):
        syn = ART2ASynapse("W", (3, 5), vigilance=0.9, batch_size=4, key=8)
        step = MethodProcess("s") >> syn.advance_state >> syn.evolve >> syn.consolidate
    syn.insert(jnp.asarray([[-1., 0., 0.]]), 1)
    syn.insert(jnp.asarray([[0., -1., 0.]]), 3)
    syn.inputs.set(jnp.asarray(x))
    step.run(t=0., dt=1.)
    np.testing.assert_array_equal(np.asarray(syn.misses.get()), np.ones((4, 1)))
    W = np.asarray(syn.weights.get())
    want = np.zeros((3, 5), np.float32)
    want[:, [0, 2, 4]] = x[:3].T
    want[0, 1], want[1, 3] = -1., -1.
    np.testing.assert_allclose(W, want, atol=1e-6)
    np.testing.assert_array_equal(np.asarray(syn.used.get()), np.ones((1, 5)))


def test_insert_adds_to_a_slot():
    """insert(x, idx): W_:idx += x (not normalized) and used_idx = 1 (the JSON's step 1)."""
    spec = CASES["ART2A/insert_mixed_batch2"]
    _, snaps = trajectory(spec)
    x = np.asarray(spec["steps"][0]["x"], np.float32)
    want = np.zeros((4, 4), np.float32)
    want[:, 0] = x[0]
    np.testing.assert_allclose(snaps[1]["weights"], want)
    np.testing.assert_array_equal(snaps[1]["used"], [[1., 0., 0., 0.]])
    np.testing.assert_allclose(value(spec["record"][1]["weights"]), want)


def test_compiled_consolidate_equals_eager():
    """ngc-learn can only run consolidate eagerly; ngclab's compiles, with the same result."""
    x = jnp.asarray([[0.2, 0.9, 0.1], [0.7, 0.1, 0.3], [0.2, 0.85, 0.15]])
    runs = []
    for compiled in (False, True):
        with Context(f"c{compiled}"):
            syn = ART2ASynapse("W", (3, 4), eta=0.1, vigilance=0.99, batch_size=3, key=4)
            step = MethodProcess("s") >> syn.advance_state >> syn.evolve
            store = MethodProcess("k") >> syn.consolidate
        for _ in range(2):
            syn.inputs.set(x)
            step.run(t=0., dt=1.)
            store.run() if compiled else syn.consolidate()
        runs.append((np.asarray(syn.weights.get()), np.asarray(syn.used.get())))
    np.testing.assert_allclose(runs[0][0], runs[1][0], atol=1e-7)
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    # first round: all three miss -> slots 0..2; second round: the first and third probe
    # resonate with slots 0 and 2 (cosine 1 > 0.99) and the second with slot 1
    np.testing.assert_array_equal(runs[1][1], [[1., 1., 1., 0.]])


def test_grow_appends_empty_slots():
    with Context("g"):
        syn = ART2ASynapse("W", (3, 2), vigilance=0.5, key=5)
    syn.insert(jnp.asarray([[1., 0., 0.]]), 1)
    syn.grow(3)
    assert syn.weights.get().shape == (3, 5) and syn.outputs.get().shape == (1, 5)
    np.testing.assert_array_equal(np.asarray(syn.used.get()), [[0., 1., 0., 0., 0.]])
    syn.inputs.set(jnp.asarray([[2., 0., 0.]]))
    syn.advance_state()
    np.testing.assert_allclose(np.asarray(syn.outputs.get()), [[0., 1., 0., 0., 0.]])


def test_zero_probe_stays_finite():
    """ngc-learn divides a zero probe by its zero norm (NaN); ngclab keeps it at zero: it
    resonates nowhere and consolidation stores nothing (a zero slot is not used)."""
    with Context("z"):
        syn = ART2ASynapse("W", (3, 2), key=6)
        step = MethodProcess("s") >> syn.advance_state >> syn.evolve >> syn.consolidate
    step.run(t=0., dt=1.)
    assert np.isfinite(np.asarray(syn.outputs.get())).all()
    np.testing.assert_array_equal(np.asarray(syn.misses.get()), [[1.]])
    np.testing.assert_array_equal(np.asarray(syn.used.get()), [[0., 0.]])


@pytest.mark.parametrize("kw, err, match", [
    (dict(vigilance=0.), ValueError, "vigilance must be > 0"),
    (dict(vigilance=-0.2), ValueError, "vigilance"),
    (dict(eta="fast"), TypeError, "eta"),
    (dict(shape=(3,)), ValueError, "shape"),
])
def test_bad_arguments(kw, err, match):
    args = {"shape": (3, 4), **kw}
    with Context("bad") as ctx:
        with pytest.raises(err, match="ART2ASynapse 'W'.*" + match):
            ART2ASynapse("W", **args)
    assert "W" not in ctx.components


def test_insert_refuses_a_slot_outside_the_memory():
    with Context("i"):
        syn = ART2ASynapse("W", (3, 4), key=7)
    with pytest.raises(IndexError, match="ART2ASynapse 'W'.*idx"):
        syn.insert(jnp.ones((1, 3)), 4)
