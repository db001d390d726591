"""GaussianErrorCell: the mismatch between a target and a Gaussian prediction, at a fixed point.

With e = target - mu and (co)variance Sigma:

| L = -1/2 sum e^2 / Sigma          (scalar or per-unit variance; ngc-learn's form)
| L = -1/2 sum_b e_b Sigma^-1 e_b^T  (full n x n covariance)
| dmu = Sigma^-1 e * modulator * mask ;  dtarget = -dmu ;  dSigma = 1 (not learned)

L is the local Gaussian log-likelihood without its constant (ngc-learn's sign: higher is
better), so dmu = dL/dmu. The mask applies for one step only: it is reset to ones afterwards.
When Sigma is not wired, a scalar ``sigma`` is a knob and Sigma follows it (set the knob, not
Sigma). ngc-learn 3.2.3 breaks on a matrix-valued sigma (shapes explode); ngclab treats an
(n, n) sigma as a full covariance and any other array as per-unit variances.

Compartments: mu, Sigma, target, modulator, mask (inputs); L, dmu, dSigma, dtarget (outputs).
"""
from __future__ import annotations

import jax.numpy as jnp

from ngclab.core import Compartment, Component, Knob, compilable
from ngclab.components.layers import layer_dims, reset_compartments, resize_batch, scale_param
from ngclab.components.validation import check_count, check_kwargs, owner


class GaussianErrorCell(Component):
    """A (non-spiking) Gaussian error cell: L = -1/2 (target - mu)^T Sigma^-1 (target - mu).

    Args:
        name: the cell's name
        n_units: number of units
        batch_size: batch dimension (Default: 1)
        sigma: the fixed variance used while Sigma is not wired: a number (stored as a (1, 1)
            Sigma, ngc-learn's layout, and exposed as the knob ``sigma``), per-unit variances
            broadcasting against (batch_size, n_units), or an (n_units, n_units) covariance
        shape: None, or (height, width, channels) for map-shaped layers
    """

    L: Compartment
    mu: Compartment
    dmu: Compartment
    Sigma: Compartment
    dSigma: Compartment
    target: Compartment
    dtarget: Compartment
    modulator: Compartment
    mask: Compartment
    sigma: Knob

    def __init__(self, name, n_units, batch_size=1, sigma=1., shape=None, **kwargs):
        who = owner(type(self), name)
        check_kwargs(who, kwargs)
        batch = check_count(who, "batch_size", batch_size)
        dims = layer_dims(who, n_units, shape)
        Sigma, scalar, full = scale_param(who, "sigma", sigma, batch, dims, allow_square=True)
        super().__init__(name, **kwargs)
        self.n_units, self.batch_size, self.dims, self.shape = n_units, batch, dims, dims
        self.full_covariance = full
        self.sigma_shape = tuple(Sigma.shape)
        rest = jnp.zeros((batch, *dims))
        self.L = Compartment(0., kind="output", display_name="Gaussian Log likelihood",
                             units="nats")
        self.mu = Compartment(rest, kind="input", display_name="Gaussian mean")
        self.dmu = Compartment(rest, kind="output")
        self.Sigma = Compartment(Sigma, kind="input", display_name="Gaussian variance/covariance")
        self.dSigma = Compartment(jnp.zeros(self.sigma_shape), kind="output")
        self.target = Compartment(rest, kind="input", display_name="Gaussian data/target variable")
        self.dtarget = Compartment(rest, kind="output")
        self.modulator = Compartment(rest + 1., kind="input")
        self.mask = Compartment(rest + 1., kind="input")
        if scalar:
            self.sigma = Knob(float(Sigma[0, 0]), low=1e-6,
                              doc="variance used while Sigma is not wired")

    @compilable
    def advance_state(self, dt=1.):  # dt unused: a fixed-point cell
        mu, target = self.mu.get(), self.target.get()
        modulator, mask = self.modulator.get(), self.mask.get()
        if "sigma" in self.knobs and not self.Sigma.targeted:
            self.Sigma.set(jnp.full(self.sigma_shape, self.sigma.get()))
        Sigma = self.Sigma.get()
        e = target - mu
        if self.full_covariance:
            prec_e = jnp.linalg.solve(Sigma, e.T).T  # rows e_b Sigma^-1 (Sigma symmetric)
            L = -0.5 * jnp.sum(e * prec_e)
        elif Sigma.size == 1:
            prec_e = e / Sigma
            L = -jnp.sum(jnp.square(e)) * (0.5 / Sigma)  # ngc-learn's expression
        else:
            prec_e = e / Sigma
            L = -0.5 * jnp.sum(jnp.square(e) / Sigma)
        self.dmu.set(prec_e * modulator * mask)
        self.dtarget.set(-prec_e * modulator * mask)
        self.dSigma.set(jnp.ones_like(Sigma))
        self.L.set(jnp.squeeze(L))
        if not self.mask.targeted:  # the mask applies for this step only
            self.mask.set(jnp.ones_like(mask))

    @compilable
    def reset(self):
        reset_compartments([self.dmu, self.dtarget, self.dSigma, self.target, self.mu, self.L],
                           [self.modulator, self.mask])

    def batched_reset(self, batch_size):
        """Reset to rest with a new batch size (a structure change: the model recompiles)."""
        self.batch_size = check_count(owner(type(self), self.name), "batch_size", batch_size)
        resize_batch([(self.mu, 0.), (self.dmu, 0.), (self.target, 0.), (self.dtarget, 0.),
                      (self.modulator, 1.), (self.mask, 1.)], self.batch_size, self.dims)
        reset_compartments([self.dSigma, self.L])

    @classmethod
    def help(cls):
        return {
            cls.__name__: {"cell_type": "GaussianErrorCell - mismatch between a target and a "
                                        "prediction mu under a Gaussian with (co)variance Sigma"},
            "compartments": {
                "inputs": {"mu": "predicted mean", "Sigma": "predicted (co)variance",
                           "target": "target value", "modulator": "multiplies the derivatives",
                           "mask": "gates the derivatives for one step"},
                "outputs": {"L": "local Gaussian log-likelihood (no constant)",
                            "dmu": "dL/dmu = Sigma^-1 (target - mu)",
                            "dSigma": "placeholder ones (Sigma is not learned)",
                            "dtarget": "-dmu"},
            },
            "dynamics": "e = target - mu; L = -1/2 e Sigma^-1 e; dmu = Sigma^-1 e; dtarget = -dmu",
            "hyperparameters": {"n_units": "number of units", "batch_size": "batch dimension",
                                "sigma": "fixed variance (knob), per-unit variances or covariance",
                                "shape": "None or (height, width, channels)"},
        }
