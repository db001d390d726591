"""HopfieldSynapse against ngc-learn 3.2.3 (tests/reference/competitive_reference.json) and
against the modern Hopfield equations computed here with numpy."""
from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

from ngclab import Context, MethodProcess
from ngclab import components as C
from tests.components.synapses.competitive.competitive_helpers import cases, compare_record
from tests.components.synapses.plasticity.plasticity_helpers import trajectory, value

CASES = cases()
STALE = ("delayed_inputs",)
# compared separately below: the energy (ngc-learn's is not the modern Hopfield energy) and
# the construction values of similarities and memory_weights (ngc-learn gives them D
# columns, then H)
SAME = ["Hopfield/delta", "Hopfield/delta_decay_batch2", "Hopfield/contrastive_beta1",
        "Hopfield/patterns_partial", "Hopfield/patterns_full", "Hopfield/reset"]


def softmax(a):
    e = np.exp(a - a.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def modern_energy(x, W, beta):
    """E = mean_b [-(1/beta) ln sum_h e^{beta (x W)_bh} + x_b.x_b / 2 + (1/beta) ln H
    + max_h |W_:h|^2 / 2]   (Ramsauer et al. 2020, Krotov & Hopfield 2020)"""
    a = beta * (x @ W).astype(np.float64)
    lse = a.max(1) + np.log(np.exp(a - a.max(1, keepdims=True)).sum(1))
    e = -lse / beta + 0.5 * (x * x).sum(1) + np.log(W.shape[1]) / beta \
        + 0.5 * (W * W).sum(0).max()
    return e.mean()


def ngclearn_energy(x, W, beta):
    """ngc-learn 3.2.3's formula: the lse of the max-shifted similarities, x.x_hat, row norms."""
    s = x @ W
    s = s - s.max(1, keepdims=True)
    x_hat = softmax(beta * s) @ W.T
    a = beta * s
    lse = a.max(1) + np.log(np.exp(a - a.max(1, keepdims=True)).sum(1))
    e = -lse / beta + 0.5 * (x * x_hat).sum(1) + np.log(W.shape[1]) / beta \
        + 0.5 * (np.linalg.norm(W, axis=1) ** 2).max()
    return e.mean()


@pytest.mark.parametrize("name", SAME)
def test_trajectories_match_ngclearn(name):
    spec = CASES[name]
    _, snaps = trajectory(spec, compiled=True)
    D, H = spec["args"]["shape"]
    first = spec["record"][0]
    assert first["similarities"]["shape"] == [1 if "batch" not in name else 2, D]
    assert first["memory_weights"]["shape"] == first["similarities"]["shape"]
    assert snaps[0]["similarities"].shape[1] == snaps[0]["memory_weights"].shape[1] == H
    records = [{k: v for k, v in r.items() if k != "energy"} for r in spec["record"]]
    n = compare_record({**spec, "record": records}, snaps, STALE, ("similarities", "memory_weights"))
    assert n == sum(len(r) for r in records) - 2
    beta = spec["args"].get("beta", 8.)
    for step in range(1, len(snaps)):
        if spec["steps"][step - 1]["methods"] == ["reset"]:
            assert snaps[step]["energy"] == 0 and value(spec["record"][step]["energy"]) == 0
            continue
        # the energy of the probe against the memories before this step's update
        x = snaps[step]["inputs"]
        W = snaps[step - 1]["weights"]
        np.testing.assert_allclose(snaps[step]["energy"], [[modern_energy(x, W, beta)]],
                                   rtol=1e-5, atol=1e-5)
        # ngc-learn's recorded energy is its own (different) formula
        theirs = value(spec["record"][step]["energy"])
        np.testing.assert_allclose(theirs, [[ngclearn_energy(x, W, beta)]], rtol=1e-4,
                                   atol=1e-4)
        assert abs(theirs.item() - modern_energy(x, W, beta)) > 1e-3


def test_contrastive_rule_scales_the_negative_softmax_by_beta():
    # ngc-learn: softmax(s_hat - beta max(s_hat)); right: softmax(beta (s_hat - max(s_hat)))
    spec = CASES["Hopfield/contrastive"]
    _, snaps = trajectory(spec, compiled=True)
    beta, step = spec["args"]["beta"], 1
    x, W0 = snaps[step]["inputs"], snaps[0]["weights"]
    m = softmax(beta * (x @ W0))
    x_hat = m @ W0.T
    np.testing.assert_allclose(snaps[step]["outputs"], x_hat, atol=1e-5)
    s_hat = x_hat @ W0
    right = x.T @ m - x_hat.T @ softmax(beta * (s_hat - s_hat.max(1, keepdims=True)))
    theirs = x.T @ m - x_hat.T @ softmax(s_hat - beta * s_hat.max(1, keepdims=True))
    np.testing.assert_allclose(snaps[step]["dWeights"], right, atol=1e-5)
    np.testing.assert_allclose(value(spec["record"][step]["dWeights"]), theirs, atol=1e-5)
    np.testing.assert_allclose(value(spec["record"][step]["outputs"]), x_hat, atol=1e-5)
    assert not np.allclose(right, theirs, atol=1e-3)


def test_retrieval_completes_a_stored_pattern():
    rng = np.random.default_rng(0)
    P = np.sign(rng.uniform(-1, 1, size=(16, 3))).astype(np.float32)
    with Context("h"):
        syn = C.HopfieldSynapse("W", (16, 3), eta=0.1, beta=2., initial_patterns=P, key=1)
        step = MethodProcess("s") >> syn.advance_state
    probe = P[:, 1].copy()
    probe[:4] *= -1.                       # 4 of 16 entries flipped
    syn.inputs.set(jnp.asarray(probe[None]))
    step.run()
    np.testing.assert_allclose(np.sign(np.asarray(syn.outputs.get()))[0], P[:, 1])
    assert np.asarray(syn.memory_weights.get()).argmax() == 1


@pytest.mark.parametrize("kw, err, match", [
    (dict(update_rule="hebb"), ValueError, "update_rule.*valid"),
    (dict(initial_patterns=np.ones((4, 2))), ValueError, "initial_patterns"),
    (dict(initial_patterns=np.ones((5, 7))), ValueError, "initial_patterns"),
    (dict(beta=0.), ValueError, "beta"),
    (dict(reg_lambda=-1.), ValueError, "reg_lambda"),
])
def test_bad_arguments(kw, err, match):
    with Context("bad") as ctx:
        with pytest.raises(err, match="HopfieldSynapse 'W'.*" + match):
            C.HopfieldSynapse("W", (5, 6), 0.1, **kw)
    assert "W" not in ctx.components
