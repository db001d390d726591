"""ngclab.utils.distribution_generator: numbers, identity (repr/json/eq) and legacy forms."""
from __future__ import annotations

import json
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ngclab.utils.distribution_generator import DistributionGenerator as DG
from ngclab.utils.distribution_generator import DistributionInitializer, as_initializer, initialize_params
from tests.helpers import close

# the same constructions as tests/reference/utils_reference.py (name -> initializer)
CASES = {
    "constant_v0.5": DG.constant(value=0.5),
    "constant_hollow": DG.constant(value=2.0, hollow=True),
    "constant_eye": DG.constant(value=-1.0, eye=True),
    "diag_offdiag": DG.diag_offdiag(on_diag=1.5, off_diag=-0.25),
    "uniform_default": DG.uniform(),
    "uniform_-0.1_0.1": DG.uniform(low=-0.1, high=0.1),
    "uniform_clip": DG.uniform(low=-1.0, high=1.0, amin=-0.5, amax=0.25),
    "uniform_lower": DG.uniform(low=0.0, high=1.0, lower_triangle=True),
    "uniform_upper": DG.uniform(low=0.0, high=1.0, upper_triangle=True),
    "uniform_hollow": DG.uniform(low=0.025, high=0.8, hollow=True),
    "uniform_colmask2": DG.uniform(low=0.0, high=1.0, col_mask=2),
    "gaussian_default": DG.gaussian(),
    "gaussian_0_0.05": DG.gaussian(mean=0.0, std=0.05),
    "gaussian_1_2_amin": DG.gaussian(mean=1.0, std=2.0, amin=0.0),
    "fan_in_uniform": DG.fan_in_uniform(),
    "fan_in_gaussian": DG.fan_in_gaussian(),
    "fan_in_gaussian_4d": DG.fan_in_gaussian(),
    "uniform_float16": DG.uniform(low=-1.0, high=1.0, dtype=jnp.float16),
    "np_constant": DG.constant(value=0.5, use_numpy=True),
    "np_uniform": DG.uniform(low=-0.1, high=0.1, use_numpy=True),
    "np_gaussian": DG.gaussian(mean=0.5, std=2.0, use_numpy=True),
    "np_fan_in_uniform": DG.fan_in_uniform(use_numpy=True),
    "np_fan_in_gaussian": DG.fan_in_gaussian(use_numpy=True),
    "np_uniform_colmask": DG.uniform(use_numpy=True, col_mask=2, hollow=True),
    "np_log_gaussian": DG.log_gaussian(sigma=0.5, use_numpy=True),
}


@pytest.mark.parametrize("name", list(CASES))
def test_same_numbers_as_ngclearn_for_same_key(ref, name):
    case = ref["initializers"][name]
    key = case["seed"] if name.startswith("np_") else jax.random.PRNGKey(case["seed"])
    out = CASES[name](tuple(case["shape"]), key)
    assert tuple(np.shape(out)) == tuple(case["shape"])
    close(out, case["value"], atol=1e-3 if "float16" in name else 1e-5)  # ngc-learn 3.2.3
    if "float16" in name:
        assert out.dtype == jnp.float16


def test_mask_lists_work_where_ngclearn_fails(ref):
    # ngc-learn 3.2.3 indexes with a Python list (a TypeError in JAX); ngclab keeps the columns
    assert ref["initializers"]["uniform_colmask_list"]["value"] == {"error": "TypeError"}
    full = DG.uniform()((3, 6), jax.random.PRNGKey(6))
    out = DG.uniform(col_mask=[0, 4])((3, 6), jax.random.PRNGKey(6))
    keep = np.array([1, 0, 0, 0, 1, 0], bool)
    close(np.asarray(out)[:, keep], np.asarray(full)[:, keep])
    assert np.all(np.asarray(out)[:, ~keep] == 0)
    rows = DG.uniform(row_mask=[1, 3])((5, 4), jax.random.PRNGKey(7))
    assert np.all(np.asarray(rows)[[0, 2, 4]] == 0) and np.all(np.asarray(rows)[[1, 3]] > 0)


def test_row_mask_masks_rows(ref):
    # ngc-learn 3.2.3 broadcasts its row mask along the last axis, so on a square matrix it
    # zeroes COLUMNS; ngclab zeroes rows (same kept indices, same key use)
    theirs = np.asarray(ref["initializers"]["uniform_rowmask2_square"]["value"])
    ours = np.asarray(DG.uniform(row_mask=2)((5, 5), jax.random.PRNGKey(7)))
    kept_cols_theirs = np.flatnonzero(np.any(theirs != 0, axis=0))
    kept_rows_ours = np.flatnonzero(np.any(ours != 0, axis=1))
    assert len(kept_rows_ours) == 2
    np.testing.assert_array_equal(kept_rows_ours, kept_cols_theirs)
    # the kept rows hold the unmasked draw of the same key
    full = np.asarray(DG.uniform()((5, 5), jax.random.PRNGKey(7)))
    close(ours[kept_rows_ours], full[kept_rows_ours])


def test_log_gaussian_works_where_ngclearn_fails(ref):
    assert ref["initializers"]["log_gaussian"]["value"] == {"error": "NameError"}
    k = jax.random.PRNGKey(16)
    k_sample, _ = jax.random.split(k)
    # exp(sigma * N(0,1)) drawn with the first half of the split key, like the other samplers
    close(DG.log_gaussian(sigma=0.5)((3, 3), k),
          np.exp(0.5 * np.asarray(jax.random.normal(k_sample, (3, 3)))), atol=1e-5)


def test_hand_values():
    close(DG.constant(3.0)((2, 2)), [[3, 3], [3, 3]])  # no key needed for a constant
    close(DG.constant(1.0, hollow=True)((3, 3)), 1 - np.eye(3))
    close(DG.diag_offdiag(2.0, -1.0)((2, 2)), [[2, -1], [-1, 2]])
    close(DG.constant(1.0, lower_triangle=True)((3, 3)), np.tril(np.ones((3, 3))))
    # fan-in conventions of ngc-learn: uniform bound sqrt(1/shape[1]); gaussian std 1/sqrt(shape[0])
    w = np.asarray(DG.fan_in_uniform()((40, 4), jax.random.PRNGKey(0)))
    assert np.abs(w).max() <= 0.5 and np.abs(w).max() > 0.4
    g = np.asarray(DG.fan_in_gaussian()((400, 300), jax.random.PRNGKey(0)))
    assert abs(g.std() - 0.05) < 0.002  # 1/sqrt(400)
    u = np.asarray(DG.uniform(2.0, 3.0)((1000,), 5))  # int seed accepted for JAX path
    assert u.min() >= 2.0 and u.max() < 3.0


def test_errors():
    with pytest.raises(ValueError, match="mutually exclusive"):
        DG.uniform(lower_triangle=True, upper_triangle=True)
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        DG.fan_in_uniform()((5,), jax.random.PRNGKey(0))
    with pytest.raises(TypeError, match="unknown distribution parameter"):
        DG.uniform(amn=0.0)
    with pytest.raises(TypeError, match="must be a number"):
        DG.constant("one")


# -------------------------------------------------------------------- repr / json / equality
@pytest.mark.parametrize("init", [
    DG.constant(value=1.0), DG.uniform(low=-0.1, high=0.1, amin=0.0), DG.gaussian(),
    DG.fan_in_gaussian(), DG.fan_in_uniform(col_mask=[0, 2]), DG.diag_offdiag(1.0, 0.5),
    DG.uniform(dtype=jnp.float16, row_mask=2, hollow=True), DG.log_gaussian(0.3),
    DG.gaussian(0.0, 0.05, use_numpy=True)])
def test_repr_and_json_rebuild(init):
    rebuilt = eval(repr(init), {"DistributionGenerator": DG})
    assert rebuilt == init and hash(rebuilt) == hash(init)
    d = json.loads(json.dumps(init.to_json()))  # JSON-safe
    assert DG.from_json(d) == init


def test_rebuilt_initializer_draws_the_same_numbers():
    init = DG.uniform(low=-0.1, high=0.1, amin=0.0, hollow=True)
    rebuilt = eval(repr(init), {"DistributionGenerator": DG})
    close(rebuilt((4, 4), jax.random.PRNGKey(3)), init((4, 4), jax.random.PRNGKey(3)))


def test_repr_text():
    assert repr(DG.constant(value=1.0)) == "DistributionGenerator.constant(value=1.0)"
    assert repr(DG.uniform(low=-0.1, high=0.1, amin=0.0)) == \
        "DistributionGenerator.uniform(low=-0.1, high=0.1, amin=0.0)"
    assert repr(DG.fan_in_gaussian()) == "DistributionGenerator.fan_in_gaussian()"
    assert DG.uniform(0.0, 1.0) != DG.uniform(0.0, 0.5)
    assert DG.uniform() == DG.uniform(low=0.0, high=1.0)
    assert DG.constant(1) == DG.constant(1.0)


def test_from_json_rejects_garbage():
    with pytest.raises(ValueError, match="dist"):
        DG.from_json({"kind": "uniform"})
    with pytest.raises(ValueError, match="unknown distribution"):
        DG.from_json({"dist": "cauchy"})


# -------------------------------------------------------------------- legacy forms
K = jax.random.PRNGKey(42)


@pytest.mark.parametrize("legacy,modern", [
    (("uniform", -0.1, 0.1), DG.uniform(-0.1, 0.1)),
    (("gaussian", 0.0, 0.05), DG.gaussian(0.0, 0.05)),
    (("normal", 1.0, 2.0), DG.gaussian(1.0, 2.0)),
    (("constant", 1.0), DG.constant(1.0)),
    (("constant", 1.0, 0.0), DG.constant(1.0)),
    (("fan_in_gaussian",), DG.fan_in_gaussian()),
    (("fan_in_uniform", None, None), DG.fan_in_uniform()),
    (("hollow", 2.0), DG.constant(2.0, hollow=True)),
    (("eye", 3.0, 0.0), DG.constant(3.0, eye=True)),
    (("hollow_uniform", 0.0, 1.0), DG.uniform(0.0, 1.0, hollow=True)),
    (("eye_gaussian", 0.0, 1.0), DG.gaussian(0.0, 1.0, eye=True)),
    ({"dist": "uniform", "amin": -0.5, "amax": 0.5}, DG.uniform(-0.5, 0.5)),
    ({"dist": "gaussian", "mu": 0.1, "sigma": 0.2, "amin": 0.0}, DG.gaussian(0.1, 0.2, amin=0.0)),
    ({"dist": "constant", "value": 0.3, "hollow": True}, DG.constant(0.3, hollow=True)),
    ({"dist": "uniform", "n_col_active": 2}, DG.uniform(0.0, 1.0, col_mask=2)),
    ({"dist": "hollow", "scale": 4.0}, DG.constant(4.0, hollow=True)),
    (DG.uniform(-0.1, 0.1).to_json(), DG.uniform(-0.1, 0.1)),
])
def test_legacy_forms_translate(legacy, modern):
    # equal initializers draw equal numbers (same dist/args/params -> same program and key use)
    assert as_initializer(legacy) == modern


@pytest.mark.parametrize("legacy,modern", [
    (("uniform", -0.1, 0.1), DG.uniform(-0.1, 0.1)),
    ({"dist": "gaussian", "mu": 0.1, "sigma": 0.2, "amin": 0.0}, DG.gaussian(0.1, 0.2, amin=0.0)),
])
def test_initialize_params_draws_like_the_modern_form(legacy, modern):
    close(initialize_params(K, legacy, (4, 4)), modern((4, 4), K))


def test_initialize_params_passthrough():
    assert initialize_params(K, None, (3, 3)) is None
    assert as_initializer(None) is None
    init = DG.gaussian()
    assert as_initializer(init) is init
    custom = lambda shape, key: jnp.full(shape, 7.0)  # noqa: E731 - any callable f(shape, key)
    close(initialize_params(K, custom, (2,)), [7.0, 7.0])


@pytest.mark.parametrize("bad", [("cauchy", 0.0, 1.0), ("uniform", 0.0), {"dist": "beta"},
                                 {"dist": "uniform", "scale": 2.0}, 3.0, "uniform", ()])
def test_initialize_params_errors(bad):
    with pytest.raises(ValueError):
        initialize_params(K, bad, (2, 2))


def test_initializer_is_jittable_in_key():
    init = DG.uniform(-1.0, 1.0, col_mask=2)
    f = jax.jit(lambda k: init((3, 4), k))
    close(f(K), init((3, 4), K))
    assert isinstance(init, DistributionInitializer) and math.isfinite(float(f(K).sum()))
