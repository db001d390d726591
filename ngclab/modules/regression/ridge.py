"""Iterative_Ridge: L2-regularised linear regression learned by a Hebbian circuit (ngc-learn
3.2.3's ``Iterative_Ridge``; the circuit is described in ``_iterative``):

| dW = -(X^T (y - X W) - lambda W);  W <- optimizer step on dW (rate lr)
"""
from __future__ import annotations

from ngclab.modules.regression._iterative import IterativeRegression


class Iterative_Ridge(IterativeRegression):
    """Ridge regression y ~ X W as a circuit (arguments as ``Iterative_Lasso``, with
    ``ridge_lmbda``, the L2 strength (Default: 0.0001))."""

    def __init__(self, key, name, sys_dim, dict_dim, batch_size, weight_fill=0.05, lr=0.01,
                 ridge_lmbda=0.0001, optim_type="adam", threshold=0.001, epochs=100):
        super().__init__(key, name, sys_dim, dict_dim, batch_size, weight_fill, lr,
                         ("ridge", ridge_lmbda), optim_type, threshold, epochs)

    def thresholding(self, scale=2):
        return super().thresholding(scale)


__all__ = ["Iterative_Ridge"]
