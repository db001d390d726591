"""model_utils' group operations (ngclab/utils/_group_ops.py) against ngc-learn 3.2.3
(tests/reference/utils_more_reference.json, section "group_ops") and by hand."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ngclab.utils import model_utils as mu
from tests.helpers import arr, assert_close, reference

G = reference("utils_more")["group_ops"]
X, MASKS, OVERLAP = arr(G["x"]), arr(G["masks"]), arr(G["overlap"])


def test_exported_from_model_utils():
    for name in ("chebyshev_norm", "sample_values_by_group", "create_block_matrix",
                 "eye_wrapped", "normalize_block_matrix", "group_mean", "lkwta", "d_lkwta",
                 "kwta", "d_kwta", "quantile_lkwta", "d_quantile_lkwta"):
        assert callable(getattr(mu, name)) and name in mu.__all__


def test_chebyshev_norm():
    assert_close(mu.chebyshev_norm(X), G["chebyshev_norm"], "axis -1")  # reference
    assert_close(mu.chebyshev_norm(X, 0, True), G["chebyshev_norm_axis0"], "axis 0")
    assert_close(mu.chebyshev_norm(jnp.asarray([[3.0, -4.0, 1.0]])), [4.0], "max |d|")


def test_group_mean():
    assert_close(mu.group_mean(X, MASKS), G["group_mean"], "disjoint")  # reference
    assert_close(mu.group_mean(X, OVERLAP), G["group_mean_overlap"], "overlapping")
    # by hand: groups {0, 1} and {2}: [mean(1, 3), mean(1, 3), 5]
    got = mu.group_mean(jnp.asarray([[1.0, 3.0, 5.0]]), jnp.asarray([[1., 1, 0], [0, 0, 1]]))
    assert_close(got, [[2.0, 2.0, 5.0]], "by hand")


@pytest.mark.parametrize("k", [1, 2, 3])
def test_quantile_lkwta_matches_ngclearn(k):
    assert_close(mu.quantile_lkwta(X, MASKS, nWTA=k), G[f"quantile_lkwta_{k}"], "y")
    assert_close(mu.d_quantile_lkwta(X, MASKS, nWTA=k), G[f"d_quantile_lkwta_{k}"], "dy")


def test_kwta_with_one_group_matches_ngclearn():
    ones = jnp.ones((1, 8))
    assert_close(mu.kwta(X, ones, nWTA=3), G["kwta_one_group_3"], "kwta")
    assert_close(mu.d_kwta(X, ones, nWTA=3), G["d_kwta_one_group_3"], "d_kwta")
    assert_close(mu.lkwta(X, ones, 3, 0.5), G["lkwta_one_group_clip"], "clip 0.5")


@pytest.mark.parametrize("k", [1, 2, 3])
def test_lkwta_keeps_the_k_largest_of_each_group(k):
    got = np.asarray(mu.lkwta(X, MASKS, nWTA=k))
    x = np.asarray(X)
    for n in range(x.shape[0]):
        for group in (range(0, 4), range(4, 8)):  # the two groups of MASKS
            idx = list(group)
            top = sorted(idx, key=lambda d: -x[n, d])[:k]
            want = [x[n, d] if d in top else 0.0 for d in idx]
            np.testing.assert_allclose(got[n, idx], want, atol=1e-6)
    np.testing.assert_array_equal(np.asarray(mu.d_lkwta(X, MASKS, nWTA=k)), got != 0)


def test_lkwta_differs_from_ngclearn_where_it_is_broken():
    # ngc-learn thresholds every unit at the smallest group's k-th value: for k = 1 its output
    # keeps more than one unit in a group (reference file); ngclab keeps one per group
    ngc = np.asarray(G["lkwta_1"])
    assert (np.count_nonzero(ngc[:, :4], axis=1) > 1).any() or \
        (np.count_nonzero(ngc[:, 4:], axis=1) > 1).any()
    ours = np.asarray(mu.lkwta(X, MASKS, nWTA=1))
    assert (np.count_nonzero(ours[:, :4], axis=1) == 1).all()
    assert (np.count_nonzero(ours[:, 4:], axis=1) == 1).all()


def test_sample_values_by_group_matches_ngclearn_and_keeps_one_per_active_group():
    s = arr(G["spikes"])
    got = mu.sample_values_by_group(jax.random.PRNGKey(3), s, 3)
    assert_close(got, G["sample_values_by_group"], "same key as the reference")
    g = np.asarray(got).reshape(4, 3, 4)
    active = np.asarray(s).reshape(4, 3, 4).sum(axis=2) > 0
    assert (g.sum(axis=2)[active] == 1).all()
    # the winner was a spiking unit
    assert ((g * np.asarray(s).reshape(4, 3, 4)).sum(axis=2)[active] == 1).all()


def test_block_matrices():
    amap = arr(G["block_map"])
    assert_close(mu.create_block_matrix(amap, (2, 3), alpha_inh=0.5, alpha_exc=2.0),
                 G["create_block_matrix"], "alphas")
    assert_close(mu.create_block_matrix(amap, (2, 2)), G["create_block_matrix_default"], "dflt")
    # by hand: one positive entry, block = 2 I - 0.5 (1 - I)
    got = mu.create_block_matrix(jnp.asarray([[1.0, 0.0]]), (2, 2), alpha_inh=0.5,
                                 alpha_exc=2.0)
    assert_close(got, [[2.0, -0.5, 0, 0], [-0.5, 2.0, 0, 0]], "by hand")
    vals = jnp.asarray(G["eye_wrapped_vals"])
    assert_close(mu.eye_wrapped(5, 2, vals), G["eye_wrapped_2"], "k=2")
    assert_close(mu.eye_wrapped(5, -1, vals), G["eye_wrapped_m1"], "k=-1")
    assert float(mu.eye_wrapped(5, 2, vals)[4, 1]) == 5.0  # row 4 -> column (4 + 2) mod 5


@pytest.mark.parametrize("order,axis", [(2, 0), (2, 1), (1, 0), (2, 5), (1, 5)])
def test_normalize_block_matrix(order, axis):
    bm = arr(G["block_matrix"])
    got = mu.normalize_block_matrix(bm, (2, 3), order, axis, 1.5)
    assert_close(got, G[f"normalize_block_{order}_{axis}"], "reference")
    if axis in (0, 1):  # every block column (axis 0) / row (axis 1) now has p-norm 1.5
        blocks = np.asarray(got).reshape(2, 2, 2, 3).transpose(0, 2, 1, 3)
        norms = np.linalg.norm(blocks, ord=order, axis=2 + axis)
        np.testing.assert_allclose(norms, 1.5, rtol=1e-5)
