"""ngclab.modules.regression against ngc-learn 3.2.3 (tests/reference/utils_more_reference.json,
section "regression") and against the regularised least-squares gradient by hand."""
from __future__ import annotations

import jax
import numpy as np
import pytest

from ngclab.modules.regression import Iterative_ElasticNet, Iterative_Lasso, Iterative_Ridge
from tests.helpers import arr, assert_close, reference

R = reference("utils_more")["regression"]
X, y = arr(R["X"]), arr(R["y"])
CLASSES = {"Iterative_Lasso": Iterative_Lasso, "Iterative_Ridge": Iterative_Ridge,
           "Iterative_ElasticNet": Iterative_ElasticNet}


@pytest.mark.parametrize("case", [k for k in R if k.startswith("Iterative")])
def test_fit_matches_ngclearn(case):
    ref = R[case]
    cls_name, optim = case.rsplit("_", 1)
    m = CLASSES[cls_name](jax.random.PRNGKey(21), f"{case}_t", 1, 4, 12, lr=0.02,
                          optim_type=optim, epochs=15, **ref["kw"])
    coef, mu, loss = m.fit(y, X)
    assert_close(coef, ref["coef"], "coefficients after 15 epochs", atol=1e-5)
    assert_close(mu, ref["mu"], "predictions of the last epoch", atol=1e-4)
    assert_close(loss, ref["L"], "Gaussian log-likelihood", atol=1e-3)
    new, _ = m.thresholding()
    assert_close(new, ref["thresholded"], "thresholded coefficients", atol=1e-5)


@pytest.mark.parametrize("cls,kw,reg", [
    (Iterative_Lasso, {"lasso_lmbda": 0.1}, lambda W: np.sign(W)),
    (Iterative_Ridge, {"ridge_lmbda": 0.1}, lambda W: W),
    (Iterative_ElasticNet, {"lmbda": 0.1, "l1_ratio": 0.3},
     lambda W: 0.3 * np.sign(W) + 0.7 * W / 2),
])
def test_sgd_epochs_are_regularised_gradient_steps(cls, kw, reg):
    m = cls(jax.random.PRNGKey(0), f"by_hand_{cls.__name__}", 1, 4, 12, weight_fill=0.05,
            lr=0.01, optim_type="sgd", epochs=3, **kw)
    coef, _, _ = m.fit(y, X)
    W = np.full((4, 1), 0.05)
    for _ in range(3):  # W <- W + lr (X^T (y - X W) - lambda R(W))
        W = W + 0.01 * (np.asarray(X).T @ (np.asarray(y) - np.asarray(X) @ W) - 0.1 * reg(W))
    assert_close(coef, W, "three SGD epochs", atol=1e-5)


def test_lasso_recovers_a_sparse_model_and_bad_epochs():
    rs = np.random.RandomState(1)
    Xs = rs.randn(40, 5).astype("f4")
    ys = Xs @ np.array([[2.0], [0.0], [0.0], [-1.0], [0.0]], "f4")
    m = Iterative_Lasso(jax.random.PRNGKey(0), "sparse", 1, 5, 40, lr=0.05, lasso_lmbda=0.01,
                        epochs=400)
    coef, _, _ = m.fit(ys, Xs)
    np.testing.assert_allclose(coef.ravel(), [2, 0, 0, -1, 0], atol=0.01)
    kept, before = m.thresholding(scale=1)
    # |w| < threshold (0.001) -> 0, the rest unchanged; W now holds the thresholded values
    want = np.where(np.abs(before) >= 0.001, before, 0.0)
    np.testing.assert_array_equal(np.asarray(kept), want)
    np.testing.assert_array_equal(np.asarray(m.W.weights.get()), want)
    with pytest.raises(ValueError, match="Iterative_Ridge 'r': epochs must be an int"):
        Iterative_Ridge(jax.random.PRNGKey(0), "r", 1, 2, 3, epochs=-1)
