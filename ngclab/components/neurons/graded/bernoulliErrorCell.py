"""BernoulliErrorCell: the mismatch between binary targets and a factorised Bernoulli prediction.

With q = clip(p, eps, 1 - eps) (q = clip(sigmoid(p), ...) when ``input_logits``), eps = 1e-4,
and target x:

| L = sum x ln q + (1 - x) ln(1 - q)            (Bernoulli log-likelihood)
| dp = x / q - (1 - x) / (1 - q)                (dL/dp for probabilities)
| dp = x - q                                    (dL/dlogit when input_logits)
| dtarget = ln q - ln(1 - q)
| dp, dtarget are multiplied by modulator * mask; the mask applies for one step only.

Note: for probability inputs ngc-learn 3.2.3 multiplies dL/dp by sigmoid'(p), which is not a
derivative of L with respect to p (p is not a logit there); ngclab returns dL/dp itself. L,
dtarget and the logit case match ngc-learn.

Compartments: p, target, modulator, mask (inputs); L, dp, dtarget (outputs).
"""
from __future__ import annotations

import jax.numpy as jnp

from ngclab.core import Compartment, Component, compilable
from ngclab.components.layers import layer_dims, reset_compartments, resize_batch
from ngclab.components.validation import check_count, check_flag, check_kwargs, owner
from ngclab.utils.model_utils import sigmoid

EPS = 1e-4  # probabilities are clipped to [EPS, 1 - EPS] (as in ngc-learn)


class BernoulliErrorCell(Component):
    """A (non-spiking) Bernoulli error cell: L = sum x ln p + (1 - x) ln(1 - p).

    Args:
        name: the cell's name
        n_units: number of units
        batch_size: batch dimension (Default: 1)
        input_logits: if True, ``p`` holds logits and q = sigmoid(p) is the probability
        shape: None, or (height, width, channels) for map-shaped layers
    """

    L: Compartment
    p: Compartment
    dp: Compartment
    target: Compartment
    dtarget: Compartment
    modulator: Compartment
    mask: Compartment

    def __init__(self, name, n_units, batch_size=1, input_logits=False, shape=None, **kwargs):
        who = owner(type(self), name)
        check_kwargs(who, kwargs)
        batch = check_count(who, "batch_size", batch_size)
        dims = layer_dims(who, n_units, shape)
        logits = check_flag(who, "input_logits", input_logits)
        super().__init__(name, **kwargs)
        self.n_units, self.batch_size, self.dims, self.shape = n_units, batch, dims, dims
        self.input_logits = logits
        rest = jnp.zeros((batch, *dims))
        self.L = Compartment(0., kind="output", display_name="Bernoulli Log likelihood",
                             units="nats")
        self.p = Compartment(rest, kind="input",
                             display_name="Bernoulli param (prob or logit) for B(X=1; p)")
        self.dp = Compartment(rest, kind="output")
        self.target = Compartment(rest, kind="input",
                                  display_name="Bernoulli data/target variable")
        self.dtarget = Compartment(rest, kind="output")
        self.modulator = Compartment(rest + 1., kind="input")
        self.mask = Compartment(rest + 1., kind="input")

    @compilable
    def advance_state(self, dt=1.):  # dt unused: a fixed-point cell
        p, x = self.p.get(), self.target.get()
        modulator, mask = self.modulator.get(), self.mask.get()
        q = jnp.clip(sigmoid(p) if self.input_logits else p, EPS, 1. - EPS)
        log_q, log_1mq = jnp.log(q), jnp.log(1. - q)
        L = jnp.sum(x * log_q + (1. - x) * log_1mq)
        dp = x - q if self.input_logits else x / q - (1. - x) / (1. - q)
        self.dp.set(dp * modulator * mask)
        self.dtarget.set((log_q - log_1mq) * modulator * mask)
        self.L.set(jnp.squeeze(L))
        if not self.mask.targeted:  # the mask applies for this step only
            self.mask.set(jnp.ones_like(mask))

    @compilable
    def reset(self):
        reset_compartments([self.dp, self.dtarget, self.target, self.p, self.L],
                           [self.modulator, self.mask])

    def batched_reset(self, batch_size):
        """Reset to rest with a new batch size (a structure change: the model recompiles)."""
        self.batch_size = check_count(owner(type(self), self.name), "batch_size", batch_size)
        resize_batch([(self.p, 0.), (self.dp, 0.), (self.target, 0.), (self.dtarget, 0.),
                      (self.modulator, 1.), (self.mask, 1.)], self.batch_size, self.dims)
        reset_compartments([self.L])

    @classmethod
    def help(cls):
        return {
            cls.__name__: {"cell_type": "BernoulliErrorCell - mismatch between binary targets "
                                        "and predicted probabilities (or logits) p"},
            "compartments": {
                "inputs": {"p": "predicted probability (or logit) of a positive trial",
                           "target": "binary target value", "modulator": "multiplies the "
                           "derivatives", "mask": "gates the derivatives for one step"},
                "outputs": {"L": "local Bernoulli log-likelihood",
                            "dp": "dL/dp (dL/dlogit when input_logits)",
                            "dtarget": "dL/dtarget = ln p - ln(1 - p)"},
            },
            "dynamics": "L = sum x ln p + (1 - x) ln(1 - p); dp = x/p - (1-x)/(1-p) "
                        "(x - sigmoid(logit) for logits); dtarget = ln p - ln(1 - p)",
            "hyperparameters": {"n_units": "number of units", "batch_size": "batch dimension",
                                "input_logits": "treat p as logits (apply a sigmoid link)",
                                "shape": "None or (height, width, channels)"},
        }
