"""VectorQuantizeSynapse against ngc-learn 3.2.3 (tests/reference/competitive_vq_art_reference.json,
written by tests/reference/competitive_vq_art_reference.py) and against the VQ / LVQ1 equations
computed here with numpy."""
from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

from ngclab import Context, MethodProcess
from ngclab.components.synapses.competitive.vectorQuantizeSynapse import VectorQuantizeSynapse
from tests.components.synapses.competitive.competitive_helpers import compare_record
from tests.components.synapses.competitive.vq_art_helpers import cases, inputs_at, trajectory
from tests.components.synapses.plasticity.plasticity_helpers import value

CASES = cases()
VQ = sorted(n for n in CASES if n.startswith("VQ/"))
STALE = ("delayed_inputs",)   # ngc-learn's reset leaves DenseSynapse's compartments alone


def unit(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def winners(x, W, p):
    """Winner mask of the probes x (rows) against the prototypes W (columns), by hand."""
    gap = np.abs(x[:, :, None] - W[None, :, :])
    d = gap.max(axis=1) if np.isinf(p) else (gap ** p).sum(axis=1) ** (1. / p)
    return (d <= d.min(axis=1, keepdims=True)).astype(np.float32)


def test_reference_has_every_case():
    assert len(VQ) == 10
    assert all("error" not in CASES[n] for n in VQ)


@pytest.mark.parametrize("name", VQ)
def test_trajectories_match_ngclearn(name):
    """Every compartment after every step equals ngc-learn's (the JSON's record)."""
    spec = CASES[name]
    _, snaps = trajectory(spec)
    n = compare_record(spec, snaps, STALE)
    assert n == sum(len(r) for r in spec["record"])
    assert not np.allclose(snaps[-1]["weights"], snaps[0]["weights"])   # it learned


@pytest.mark.parametrize("name, p", [("VQ/euclid_batch3_decay_reset", 2.),
                                     ("VQ/manhattan_wbound", 1.),
                                     ("VQ/chebyshev_batch2", np.inf),
                                     ("VQ/minkowski3", 3.)])
def test_winner_and_update_follow_the_equations(name, p):
    """outputs = [d_p(x/|x|, W_n) minimal]; dW = x^T z - syn_decay W, soft-bounded by w_bound;
    W <- W + eta dW; eta <- max(1e-5, eta - eta_decrement): numbers computed here."""
    spec = CASES[name]
    args = spec["args"]
    _, snaps = trajectory(spec)
    decay, bound = args.get("syn_decay", 0.), args.get("w_bound", 0.)
    checked = 0
    for step in range(1, len(snaps)):
        if spec["steps"][step - 1]["methods"] != ["advance_state", "evolve"]:
            continue
        before, after = snaps[step - 1], snaps[step]
        x = unit(inputs_at(spec, step)["inputs"])
        W, eta = before["weights"], before["eta"].item()
        z = winners(x, W, p)
        assert z.sum() == x.shape[0]                     # one winner per probe
        np.testing.assert_array_equal(after["outputs"], z)
        dW = x.T @ z - decay * W
        if bound > 0.:
            dW = dW * (bound - np.abs(W))
        np.testing.assert_allclose(after["dWeights"], dW, atol=1e-5)
        np.testing.assert_allclose(after["weights"], W + eta * dW, atol=1e-5)
        np.testing.assert_allclose(after["eta"], max(1e-5, eta - args.get("eta_decrement",
                                                                          1e-5)), atol=1e-7)
        checked += 1
    assert checked >= 2


def test_lvq1_signs_follow_the_labels():
    """With labels: the winner moves towards a probe of its own label (or if it has none) and
    away from a probe of another label; pred_labels = z Wy^T. Numbers computed here."""
    spec = CASES["VQ/lvq_partial_batch2"]
    _, snaps = trajectory(spec)
    Wy = snaps[0]["label_weights"]
    assert sorted(Wy.sum(axis=0).tolist()) == [0., 0., 1., 1., 1.]   # 3 labelled, 2 empty
    signs = []
    for step in (1, 2, 4):
        before, after, given = snaps[step - 1], snaps[step], inputs_at(spec, step)
        x, y = unit(given["inputs"]), given["labels"]
        z = winners(x, before["weights"], 2.)
        y_mem = z @ Wy.T                                   # the winner's stored label
        np.testing.assert_allclose(after["pred_labels"], y_mem, atol=1e-6)
        same = y.argmax(1) == y_mem.argmax(1)
        s = np.where((y_mem.sum(1) > 0.) & ~same, -1., 1.)[:, None]
        signs += s.ravel().tolist()
        np.testing.assert_allclose(after["dWeights"], (x * s).T @ z, atol=1e-5)
    assert -1. in signs and 1. in signs                     # both kinds of update happen


def test_zero_probe_stays_finite():
    """ngc-learn divides a zero probe by its zero norm (NaN); ngclab keeps it at zero, so only
    the weight decay moves W (dW = -syn_decay W)."""
    with Context("z"):
        syn = VectorQuantizeSynapse("W", (3, 4), eta=0.5, syn_decay=0.1, key=3)
        step = MethodProcess("s") >> syn.advance_state >> syn.evolve
    W0 = np.asarray(syn.weights.get())
    step.run(t=0., dt=1.)
    np.testing.assert_array_equal(np.asarray(syn.inputs.get()), np.zeros((1, 3)))
    np.testing.assert_allclose(np.asarray(syn.weights.get()), W0 - 0.5 * 0.1 * W0, atol=1e-6)


def test_wired_inputs_learn_as_set_inputs():
    """A wired ``inputs`` cannot be overwritten by its normalized value; evolve normalizes what
    it reads, so the code-book learns the same as with set inputs."""
    x = jnp.asarray([[0.3, -1.2, 0.5]])
    with Context("w"):
        src = VectorQuantizeSynapse("S", (3, 3), key=1)
        wired = VectorQuantizeSynapse("W", (3, 4), key=2)
        plain = VectorQuantizeSynapse("P", (3, 4), key=2)
        wired.inputs << src.inputs
        step = MethodProcess("s") >> wired.advance_state >> wired.evolve \
            >> plain.advance_state >> plain.evolve
    src.inputs.set(x)
    plain.inputs.set(x)
    step.run(t=0., dt=1.)
    np.testing.assert_allclose(np.asarray(wired.weights.get()),
                               np.asarray(plain.weights.get()), atol=1e-6)
    np.testing.assert_allclose(np.asarray(plain.inputs.get()), x / jnp.linalg.norm(x),
                               atol=1e-6)
    np.testing.assert_allclose(np.asarray(wired.inputs.get()), x)   # the source's value


@pytest.mark.parametrize("kw, match", [
    (dict(distance_function=("cosine", 2)), "distance_function"),
    (dict(distance_function=("minkowski", 0.5)), "distance_function"),
    (dict(distance_function="euclidean"), "distance_function"),
    (dict(initial_patterns=(np.ones((3, 5)), None)), "initial_patterns"),
    (dict(initial_patterns=(np.ones((2, 2)), None)), "initial_patterns"),
    (dict(label_dim=2, initial_patterns=(np.ones((3, 2)), np.ones((3, 2)))),
     "initial_patterns Y"),
    (dict(label_dim=1.5), "label_dim"),
    (dict(syn_decay=-0.1), "syn_decay"),
    (dict(langevin_noise_scale=-1.), "langevin_noise_scale"),
])
def test_bad_arguments(kw, match):
    with Context("bad") as ctx:
        with pytest.raises(ValueError, match="VectorQuantizeSynapse 'W'.*" + match):
            VectorQuantizeSynapse("W", (3, 4), **kw)
    assert "W" not in ctx.components


def test_reference_pins_ngclearn_shapes_without_labels():
    """Without labels ngc-learn's labels / pred_labels / label_weights are (1, 1) zeros."""
    spec = CASES["VQ/default"]
    for cname in ("labels", "pred_labels", "label_weights"):
        theirs = value(spec["record"][-1][cname])
        assert theirs.shape == (1, 1) and theirs.item() == 0.
