"""The circuit the three regression modules share (ngc-learn 3.2.3's Iterative_Lasso /
_Ridge / _ElasticNet):

| W: HebbianSynapse (dict_dim -> sys_dim), W0 = weight_fill, sign_value = -1, w_bound = 0,
|    the module's prior, optimizer optim_type with step lr
| err: GaussianErrorCell (sys_dim);  W.outputs >> err.mu;  err.dmu >> W.post
| fit(y, X): W.inputs = W.pre = X, err.target = y; each epoch: mu = X W, dmu = y - mu, then one
|    optimizer step on dW = -(X^T dmu - lambda R(W))  (R: sign(W), W, or the elastic-net mix)
| thresholding(scale): coefficients with |w| < threshold set to 0 (W keeps the unscaled ones,
|    coef_ is scaled)

ngc-learn advances the circuit T = 100 times per epoch before each update; the circuit has no
state between steps (mu and dmu are algebraic in X, W and y), so ngclab advances it once per
epoch (the same numbers, a hundredth of the work). ``T`` is kept as an attribute.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from ngclab.components import GaussianErrorCell, HebbianSynapse
from ngclab.core import Context, MethodProcess
from ngclab.utils.distribution_generator import DistributionGenerator


class IterativeRegression:
    """Base of the regression modules: builds the circuit with the given ``prior``."""

    def __init__(self, key, name, sys_dim, dict_dim, batch_size, weight_fill, lr, prior,
                 optim_type, threshold, epochs):
        who = type(self).__name__
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
            raise ValueError(f"{who} {name!r}: epochs must be an int >= 0, got {epochs!r}")
        key, *subkeys = jax.random.split(key, 10)
        self.T, self.dt = 100, 1
        self.epochs, self.weight_fill, self.threshold = epochs, weight_fill, threshold
        self.name, self.lr = name, lr
        with Context(name) as self.circuit:
            self.W = HebbianSynapse("W", shape=(dict_dim, sys_dim), eta=lr, sign_value=-1,
                                    weight_init=DistributionGenerator.constant(value=weight_fill),
                                    prior=prior, w_bound=0., optim_type=optim_type,
                                    key=subkeys[0], batch_size=batch_size)
            self.err = GaussianErrorCell("err", n_units=sys_dim, batch_size=batch_size)
            self.W.outputs >> self.err.mu
            self.err.dmu >> self.W.post
            self.advance = (MethodProcess("advance_state") >> self.W.advance_state
                            >> self.err.advance_state)
            self.evolve = MethodProcess("evolve") >> self.W.evolve
            self.reset = MethodProcess("reset") >> self.err.reset >> self.W.reset
        self.coef_ = None

    def batch_set(self, batch_size):
        """Record a new batch size (the circuit follows the data's batch size anyway)."""
        self.W.batch_size = batch_size
        self.err.batch_size = batch_size

    def clamp(self, y_scaled, X):
        """Present the design matrix X (N, dict_dim) and targets y (N, sys_dim)."""
        self.W.inputs.set(jnp.asarray(X, jnp.float32))
        self.W.pre.set(jnp.asarray(X, jnp.float32))
        self.err.target.set(jnp.asarray(y_scaled, jnp.float32))

    def thresholding(self, scale=2):
        """Zero the coefficients below ``threshold`` in magnitude; returns (scaled new
        coefficients, coefficients before)."""
        coef_old = self.coef_
        kept = jnp.where(jnp.abs(coef_old) >= self.threshold, coef_old, 0.0)
        self.coef_ = kept * scale
        self.W.weights.set(kept)
        return self.coef_, coef_old

    def fit(self, y, X):
        """Learn W for y ~ X W over ``epochs`` updates; returns (coefficients, and the
        predictions and Gaussian log-likelihood of the last epoch, before its update)."""
        self.reset.run()
        self.clamp(y_scaled=y, X=X)
        for _ in range(self.epochs):
            self.advance.run(t=0.0, dt=self.dt)
            self.evolve.run(t=self.T, dt=self.dt)
        self.coef_ = np.array(self.W.weights.get())
        return self.coef_, self.err.mu.get(), self.err.L.get()
