"""LinearProbe: a (optionally layer-normalised, optionally softmax) linear read-out of
flattened embeddings, trained with Adam (ngc-learn 3.2.3's ``LinearProbe``).

| x = flatten(embedding) (T D values);  x <- LN(x; mu_ln, s_ln) if use_LN
| y = x W + b;  y <- softmax(y) if use_softmax
| loss = -mean_n sum_c t_nc log y_nc  (softmax)   or   sum_{n,c} (y_nc - t_nc)^2 / N
| W ~ fan_in_gaussian (N(0, 1 / (T D))), b = 0, mu_ln = 0, s_ln = 1; Adam with eta = 0.001 on
| (mu_ln, s_ln, W, b)

``l2_decay`` / ``l1_decay`` are stored (0.0001, 0.000025) and unused, as in ngc-learn. LN is
ngclab's per-row ``layer_normalize`` (ngc-learn's divides by one deviation over the batch).
"""
from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
from jax import random

from ngclab.utils.analysis.probe import Probe, flatten_sequences
from ngclab.utils.distribution_generator import DistributionGenerator
from ngclab.utils.model_utils import layer_normalize, softmax
from ngclab.utils.optim.adam import adam_init, adam_step


@partial(jax.jit, static_argnums=(2, 3))
def run_linear_probe(params, x, use_softmax=False, use_LN=False):
    """The probe's outputs y for inputs x (N, T D)."""
    ln_mu, ln_scale, W, b = params
    h = layer_normalize(x, ln_mu, ln_scale) if use_LN else x
    y = h @ W + b
    return softmax(y) if use_softmax else y


@partial(jax.jit, static_argnums=(3, 4))
def eval_linear_probe(params, x, y, use_softmax=True, use_LN=False):
    """(loss, outputs) of the probe on inputs x and targets y."""
    y_mu = run_linear_probe(params, x, use_softmax=use_softmax, use_LN=use_LN)
    if use_softmax:
        return -jnp.mean(jnp.sum(jnp.log(y_mu) * y, axis=1, keepdims=True)), y_mu
    return jnp.sum(jnp.square(y_mu - y)) / x.shape[0], y_mu


class LinearProbe(Probe):
    """A linear probe.

    Args:
        dkey: JAX PRNG key
        source_seq_length: T, the embeddings' sequence length
        input_dim: D, the embeddings' width
        out_dim: C, the number of outputs
        batch_size: examples per update (Default: 1)
        use_LN: layer-normalise the input (Default: False)
        use_softmax: softmax outputs and cross-entropy loss (Default: False: MSE)
    """

    def __init__(self, dkey, source_seq_length, input_dim, out_dim, batch_size=1, use_LN=False,
                 use_softmax=False, **kwargs):
        super().__init__(dkey, batch_size, **kwargs)
        self.dkey, *sub = random.split(self.dkey, 3)
        self.source_seq_length, self.input_dim, self.out_dim = source_seq_length, input_dim, \
            out_dim
        self.use_softmax, self.use_LN = use_softmax, use_LN
        self.l2_decay, self.l1_decay = 0.0001, 0.000025
        flat = input_dim * source_seq_length
        W = DistributionGenerator.fan_in_gaussian()((flat, out_dim), sub[0])
        self.probe_params = [jnp.zeros((1, flat)), jnp.ones((1, flat)), W, jnp.zeros((1, out_dim))]
        self.grad_fx = jax.value_and_grad(eval_linear_probe, argnums=0, has_aux=True)
        self.optim_params = adam_init(self.probe_params)
        self.eta = 0.001

    def process(self, embeddings, dkey=None):
        return run_linear_probe(self.probe_params, flatten_sequences(embeddings),
                                use_softmax=self.use_softmax, use_LN=self.use_LN)

    def update(self, embeddings, labels, dkey=None):
        (loss, outputs), grads = self.grad_fx(self.probe_params, flatten_sequences(embeddings),
                                              labels, self.use_softmax, self.use_LN)
        self.optim_params, self.probe_params = adam_step(self.optim_params, self.probe_params,
                                                         grads, eta=self.eta)
        return loss, outputs


__all__ = ["LinearProbe", "run_linear_probe", "eval_linear_probe"]
