"""Iterative_ElasticNet: elastic-net regularised linear regression learned by a Hebbian circuit
(ngc-learn 3.2.3's ``Iterative_ElasticNet``; the circuit is described in ``_iterative``):

| R(W) = l1_ratio sign(W) + (1 - l1_ratio) W / 2
| dW = -(X^T (y - X W) - lambda R(W));  W <- optimizer step on dW (rate lr)
"""
from __future__ import annotations

from ngclab.modules.regression._iterative import IterativeRegression


class Iterative_ElasticNet(IterativeRegression):
    """Elastic-net regression y ~ X W as a circuit (arguments as ``Iterative_Lasso``, with
    ``lmbda`` (Default: 0.0001) and ``l1_ratio`` (Default: 0.5); ``threshold`` defaults to
    0.05 and ``thresholding`` to scale 1, as in ngc-learn)."""

    def __init__(self, key, name, sys_dim, dict_dim, batch_size, weight_fill=0.05, lr=0.01,
                 lmbda=0.0001, l1_ratio=0.5, optim_type="adam", threshold=0.05, epochs=100):
        super().__init__(key, name, sys_dim, dict_dim, batch_size, weight_fill, lr,
                         ("elastic_net", (lmbda, l1_ratio)), optim_type, threshold, epochs)

    def thresholding(self, scale=1.0):
        return super().thresholding(scale)


__all__ = ["Iterative_ElasticNet"]
