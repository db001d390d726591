"""MPSSynapse against ngc-learn 3.2.3 and against its equations computed here with numpy.

The reference numbers are tests/reference/mps_reference.json, written by
tests/reference/mps_reference.py under ngc-learn 3.2.3 (inputs drawn there from numpy seeds,
cores drawn by ngc-learn from each case's PRNG key); the equation tests compute their expected
numbers in this file with numpy (or jax.grad, for the gradient the update rule claims to be).
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ngclab import Context, MethodProcess
from ngclab.components.synapses.mpsSynapse import MPSSynapse
from tests.helpers import assert_close, np_arr, reference

REF = reference("mps")
CASES = {c["name"]: c for c in REF["cases"]}


def value(entry) -> np.ndarray:
    return np.asarray(entry["data"], dtype=entry["dtype"]).reshape(entry["shape"])


def build(name, shape, key, **kw):
    with Context(name) as ctx:
        syn = MPSSynapse("c", shape, key=jax.random.PRNGKey(key), **kw)
        learn = MethodProcess("learn") >> syn.advance_state >> syn.evolve
        reset = MethodProcess("reset") >> syn.reset
    return ctx, syn, learn, reset


def snapshot(syn) -> dict:
    return {n: np.asarray(c.get()) for n, c in syn.compartments.items()}


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "eager"])
@pytest.mark.parametrize("name", list(CASES))
def test_trajectory_matches_ngclearn(name, compiled):
    """Every compartment (key and cores included, so the initial cores come from the key as in
    ngc-learn) after construction and after every advance/evolve or reset step."""
    spec = CASES[name]
    args = dict(spec["args"], shape=tuple(spec["args"]["shape"]))
    _, syn, learn, reset = build(f"t_{name}_{compiled}", key=spec["key"], **args)
    snaps = [snapshot(syn)]
    for st in spec["steps"]:
        for cname, v in st["inputs"].items():
            getattr(syn, cname).set(np_arr(v))
        if st["methods"] == ["reset"]:
            reset.run() if compiled else syn.reset()
        elif compiled:
            learn.run(eta=st["eta"])
        else:
            syn.advance_state()
            syn.evolve(eta=st["eta"])
        snaps.append(snapshot(syn))
    for step, theirs in enumerate(spec["record"]):
        assert set(theirs) == set(snaps[step])
        for cname, entry in theirs.items():
            assert_close(snaps[step][cname], value(entry), f"{name} step {step} {cname}")


@pytest.mark.parametrize("idx", range(len(REF["weights"])))
def test_weights_property_and_setter_match_ngclearn(idx):
    """``weights.get()`` is A B; ``weights = W`` is W's SVD truncated to bond_dim. With
    bond_dim > min(n_in, n_out) ngc-learn shrinks the cores to that rank; ngclab keeps their
    shape, the extra rank zero, so the matrix and outputs are ngc-learn's."""
    spec = REF["weights"][idx]
    shape, bond = tuple(spec["shape"]), spec["bond_dim"]
    _, syn, _, _ = build(f"w{idx}", shape, spec["key"], bond_dim=bond, batch_size=2)
    assert_close(syn.weights.get(), value(spec["initial"]["weights"]), "initial weights")
    syn.weights = np_arr(spec["W"])
    syn.inputs.set(np_arr(spec["x"]))
    syn.advance_state()
    after = spec["after_set"]
    rank = value(after["core1"]).shape[2]
    assert rank == min(bond, *shape)  # what ngc-learn's cores shrank (or not) to
    assert syn.core1.get().shape == (1, shape[0], bond)
    assert syn.core2.get().shape == (bond, shape[1], 1)
    assert_close(syn.core1.get()[..., :rank], value(after["core1"]), "core1")
    assert_close(syn.core2.get()[:rank], value(after["core2"]), "core2")
    np.testing.assert_array_equal(np.asarray(syn.core1.get()[..., rank:]), 0.)
    np.testing.assert_array_equal(np.asarray(syn.core2.get()[rank:]), 0.)
    assert_close(syn.weights.get(), value(after["weights"]), "weights after set")
    assert_close(syn.outputs.get(), value(after["outputs"]), "outputs after set")
    if rank == min(shape):  # full rank: the SVD reproduces W itself
        assert_close(syn.weights.get(), np_arr(spec["W"]), "W", atol=1e-5)


@pytest.mark.parametrize("idx", range(len(REF["project_backward"])))
def test_project_backward_is_e_Wt_where_ngclearn_broadcasts(idx):
    """ngclab returns e W^T. ngc-learn's value (pinned here from the JSON) is
    (sum_o e_o)(sum_n B_kn) A^T: its einsum broadcasts the size-1 axis instead of contracting."""
    spec = REF["project_backward"][idx]
    shape = tuple(spec["shape"])
    _, syn, _, _ = build(f"pb{idx}", shape, spec["key"], bond_dim=spec["bond_dim"])
    A, B = value(spec["core1"])[0], value(spec["core2"])[..., 0]
    assert_close(syn.core1.get()[0], A, "core1")
    assert_close(syn.core2.get()[..., 0], B, "core2")
    e = np_arr(spec["error"])
    got = np.asarray(syn.project_backward(jnp.asarray(e)))
    assert_close(got, e @ (A @ B).T, "e W^T")
    theirs = value(spec["returned"])
    assert_close(theirs, (e.sum(1, keepdims=True) * B.sum(1)[None]) @ A.T, "ngc-learn's")
    assert np.abs(theirs - e @ (A @ B).T).max() > 1e-4


def test_equations_with_numpy():
    """advance_state is x (A B); evolve adds eta (pre A)^T post to B and eta pre^T (post B^T)
    to A, both from the old cores: the gradients of <post, pre A B>."""
    rng = np.random.RandomState(3)
    _, syn, learn, _ = build("eq", (5, 3), 11, bond_dim=2)
    A, B = np.asarray(syn.core1.get()[0]), np.asarray(syn.core2.get()[..., 0])
    x, pre, post = (rng.uniform(-1, 1, (4, n)).astype(np.float32) for n in (5, 5, 3))
    syn.inputs.set(x), syn.pre.set(pre), syn.post.set(post)
    learn.run(eta=0.3)
    assert_close(syn.outputs.get(), x @ (A @ B), "outputs")
    assert_close(syn.core1.get()[0], A + 0.3 * pre.T @ (post @ B.T), "core1")
    assert_close(syn.core2.get()[..., 0], B + 0.3 * (pre @ A).T @ post, "core2")
    gA, gB = jax.grad(lambda a, b: jnp.sum(post * (pre @ a @ b)), argnums=(0, 1))(A, B)
    assert_close(pre.T @ (post @ B.T), gA, "dA is the gradient")
    assert_close((pre @ A).T @ post, gB, "dB is the gradient")


def test_eta_defaults_to_0_01():
    """ngc-learn demands eta as a run keyword; ngclab uses the method's default 0.01."""
    finals = []
    for i, kw in enumerate(({}, {"eta": 0.01}, {"eta": 0.02})):
        _, syn, learn, _ = build(f"eta{i}", (3, 2), 4, bond_dim=2)
        syn.pre.set(np.ones((1, 3), np.float32)), syn.post.set(np.ones((1, 2), np.float32))
        learn.run(**kw)
        finals.append(np.asarray(syn.core1.get()))
    np.testing.assert_array_equal(finals[0], finals[1])
    assert np.abs(finals[0] - finals[2]).max() > 1e-6


@pytest.mark.parametrize("kw, pname", [
    ({"shape": (3, 2), "bond_dim": 0}, "bond_dim"),
    ({"shape": (3, 2), "bond_dim": 2.5}, "bond_dim"),
    ({"shape": (3, 2), "batch_size": -1}, "batch_size"),
    ({"shape": (3,)}, "shape"),
    ({"shape": (3, 2), "bond": 4}, "bond"),
])
def test_bad_constructor_argument_names_component_and_parameter(kw, pname):
    with Context("bad") as ctx:
        with pytest.raises((ValueError, TypeError)) as err:
            MPSSynapse("Wab", **kw)
    assert "MPSSynapse 'Wab'" in str(err.value) and pname in str(err.value)
    assert "Wab" not in ctx.components and not dict(ctx.state)


def test_setting_weights_of_wrong_shape_is_refused():
    _, syn, _, _ = build("ws", (3, 2), 0, bond_dim=2)
    with pytest.raises(ValueError, match=r"MPSSynapse 'c': weights must have the shape \(3, 2\)"):
        syn.weights = np.zeros((2, 3), np.float32)


def test_help_layout():
    info = MPSSynapse.help()
    assert set(info) == {"MPSSynapse", "compartments", "dynamics", "hyperparameters"}
    assert set(info["hyperparameters"]) == {"shape", "bond_dim", "batch_size"}
