"""Iterative_Lasso: L1-regularised linear regression learned by a Hebbian circuit (ngc-learn
3.2.3's ``Iterative_Lasso``; the circuit is described in ``_iterative``):

| dW = -(X^T (y - X W) - lambda sign(W));  W <- optimizer step on dW (rate lr)
"""
from __future__ import annotations

from ngclab.modules.regression._iterative import IterativeRegression


class Iterative_Lasso(IterativeRegression):
    """Lasso regression y ~ X W as a circuit.

    Args:
        key: JAX PRNG key
        name: the circuit's (Context's) name
        sys_dim: width of y
        dict_dim: width of X (the number of predictors)
        batch_size: number of samples
        weight_fill: initial value of every coefficient (Default: 0.05)
        lr: optimizer step size (Default: 0.01)
        lasso_lmbda: L1 strength (Default: 0.0001)
        optim_type: "sgd" or "adam" (Default: "adam")
        threshold: ``thresholding`` zeroes |w| below it (Default: 0.001)
        epochs: number of updates of ``fit`` (Default: 100)
    """

    def __init__(self, key, name, sys_dim, dict_dim, batch_size, weight_fill=0.05, lr=0.01,
                 lasso_lmbda=0.0001, optim_type="adam", threshold=0.001, epochs=100):
        super().__init__(key, name, sys_dim, dict_dim, batch_size, weight_fill, lr,
                         ("lasso", lasso_lmbda), optim_type, threshold, epochs)

    def thresholding(self, scale=2):
        return super().thresholding(scale)


__all__ = ["Iterative_Lasso"]
