"""DenseSynapse: a dense synaptic cable (the base of the static and plastic dense synapses).

| outputs = ((x @ (W * mask)) * gate) * g_conduct_factor + b

where x is the input, optionally delayed (``max_delay_steps`` > 0: each input line i is read
d_i steps late, d_i drawn once in 1..max_delay_steps) and optionally thinned by stochastic
release (0 < ``p_release_mean`` < 1: each line i transmits with a fixed probability p_i drawn
once from U[p_release_mean - 0.1, p_release_mean + 0.1], a fresh Bernoulli draw per step from
the component's key).

Initial values follow ngc-learn 3.2.3's key use, so a given key gives its matrices:
``_, k_w, k_conn, k_b = split(key, 4)`` for the weights (default U[0.025, 0.8)), the
connection mask (Bernoulli(p_conn) when 0 < p_conn < 1) and the biases (zeros without a
``bias_init``), and ``_, k_rel, k_delay, _ = split(key, 4)`` for release probabilities and delays.

Differences from ngc-learn 3.2.3, where it is broken: the p_conn connection mask is kept in the
``mask`` compartment, so connections that do not exist stay absent when plastic subclasses
learn (ngc-learn masks only the initial weights and lets them regrow); stochastic release uses
the documented per-line probabilities (ngc-learn's code path raises a NameError); without a
``bias_init`` the biases are zeros of shape (1, n_out) rather than a scalar 0.

Compartments: inputs, gate, mask (inputs); weights, biases (parameters); outputs,
delayed_inputs (outputs); input_delay_buffer (state); key. Knob: g_conduct_factor
(``resist_scale`` is its deprecated name, as in ngc-learn).
"""
from __future__ import annotations

import numbers
import warnings

import jax
import jax.numpy as jnp

from ngclab.core import Compartment, Component, Knob, compilable
from ngclab.components.layers import rename_recorded
from ngclab.components.validation import check_count, check_kwargs, check_number, owner
from ngclab.utils.distribution_generator import (DistributionGenerator, as_initializer,
                                                 initialize_params)

RELEASE_JITTER = 0.1  # half-width of the spread of per-line release probabilities


def synapse_shape(who: str, shape) -> tuple[int, int]:
    if not isinstance(shape, (tuple, list)) or len(shape) != 2 or not all(
            isinstance(d, numbers.Integral) and not isinstance(d, bool) and d > 0 for d in shape):
        raise ValueError(f"{who}: shape must be (n_inputs, n_outputs) of positive integers, "
                         f"got {shape!r}")
    return int(shape[0]), int(shape[1])


def initializer(who: str, pname: str, init):
    try:
        return as_initializer(init)
    except ValueError as err:
        raise ValueError(f"{who}: {pname}: {err}") from None


def alias_resist_scale(who: str, kwargs: dict, g_conduct_factor):
    """ngc-learn 3.2.3 renamed resist_scale to g_conduct_factor; accept the old name."""
    if "resist_scale" in kwargs:
        warnings.warn(f"{who}: the argument 'resist_scale' is deprecated, use "
                      f"'g_conduct_factor'", DeprecationWarning, stacklevel=4)
        return kwargs.pop("resist_scale")
    return g_conduct_factor


class DenseSynapse(Component):
    """A dense synaptic cable without plasticity: outputs = (x @ W) * gate * g + b.

    Args:
        name: the synapse's name
        shape: (n_inputs, n_outputs)
        weight_init: initializer of W (a DistributionGenerator initializer, a callable
            f(shape, key) or a legacy tuple/dict); Default: uniform in [0.025, 0.8)
        bias_init: initializer of b; None (Default) means no bias (b = 0)
        g_conduct_factor: conductance (resistance) factor applied to the transform (Default: 1.)
        p_release_mean: mean probability that a pre-synaptic signal is transmitted; only a
            value in (0, 1) turns stochastic release on (Default: 1.; 0 is refused)
        p_conn: probability in (0, 1] that a connection exists (Default: 1.); < 1 sparsifies W
        max_delay_steps: maximum axonal delay in steps; 0 (Default) means no delay
        mask: optional multiplicative mask of W (broadcasting against shape)
        batch_size: batch dimension
    """

    inputs: Compartment
    outputs: Compartment
    weights: Compartment
    mask: Compartment
    biases: Compartment
    gate: Compartment
    input_delay_buffer: Compartment
    delayed_inputs: Compartment
    g_conduct_factor: Knob

    def __init__(self, name, shape, weight_init=None, bias_init=None, g_conduct_factor=1.,
                 p_release_mean=1., p_conn=1., max_delay_steps=0, mask=None, batch_size=1,
                 **kwargs):
        who = owner(type(self), name)
        g = alias_resist_scale(who, kwargs, g_conduct_factor)
        check_kwargs(who, kwargs)
        self._check_dense_args(who, shape, weight_init, bias_init, g, p_release_mean, p_conn,
                               max_delay_steps, mask, batch_size)
        super().__init__(name, **kwargs)
        # if this raises, the core removes the half-built component (the Context is unchanged)
        self._build_dense(shape, weight_init, bias_init, g, p_release_mean, p_conn,
                          max_delay_steps, mask, batch_size)

    def _check_dense_args(self, who, shape, weight_init, bias_init, g, p_release_mean, p_conn,
                          max_delay_steps, mask, batch_size):
        synapse_shape(who, shape)
        initializer(who, "weight_init", weight_init)
        initializer(who, "bias_init", bias_init)
        check_number(who, "g_conduct_factor", g)
        for pname, v in (("p_release_mean", p_release_mean), ("p_conn", p_conn)):
            if not 0. < check_number(who, pname, v) <= 1.:
                raise ValueError(f"{who}: {pname} must be a probability in (0, 1], got {v}")
        if isinstance(max_delay_steps, bool) or not isinstance(max_delay_steps, numbers.Integral) \
                or max_delay_steps < 0:
            raise ValueError(f"{who}: max_delay_steps must be an integer >= 0, got "
                             f"{max_delay_steps!r}")
        check_count(who, "batch_size", batch_size)
        if mask is not None:
            try:
                m = jnp.asarray(mask, dtype=jnp.float32)
            except (TypeError, ValueError):
                raise TypeError(f"{who}: mask must be an array of numbers, got {mask!r}") \
                    from None
            try:
                ok = jnp.broadcast_shapes(m.shape, tuple(shape)) == tuple(shape)
            except ValueError:
                ok = False
            if not ok:
                raise ValueError(f"{who}: mask of shape {tuple(m.shape)} does not broadcast "
                                 f"against the weight shape {tuple(shape)}")

    def _build_dense(self, shape, weight_init, bias_init, g, p_release_mean, p_conn,
                     max_delay_steps, mask, batch_size):
        rename_recorded(self, "resist_scale", "g_conduct_factor")
        n_in, n_out = self.shape = synapse_shape(self.path, shape)
        self.batch_size = int(batch_size)
        self.p_release_mean, self.p_conn = float(p_release_mean), float(p_conn)
        self.max_delay_steps = int(max_delay_steps)
        if weight_init is None:
            weight_init = DistributionGenerator.uniform(0.025, 0.8)
        self.weight_init, self.bias_init = weight_init, bias_init
        _, k_w, k_conn, k_b = jax.random.split(self.key.get(), 4)
        weights = jnp.asarray(initialize_params(k_w, weight_init, self.shape), jnp.float32)
        w_mask = jnp.ones((1, 1)) if mask is None else jnp.asarray(mask, jnp.float32)
        if 0. < self.p_conn < 1.:
            conn = jax.random.bernoulli(k_conn, p=self.p_conn, shape=self.shape)
            weights = weights * conn
            w_mask = w_mask * conn  # the missing connections stay missing
        biases = jnp.zeros((1, n_out)) if bias_init is None else \
            jnp.asarray(initialize_params(k_b, bias_init, (1, n_out)), jnp.float32)
        _, k_rel, k_delay, _ = jax.random.split(self.key.get(), 4)
        self.p_release = jnp.ones((1, n_in))
        if 0. < self.p_release_mean < 1.:
            self.p_release = jax.random.uniform(
                k_rel, (1, n_in), minval=self.p_release_mean - RELEASE_JITTER,
                maxval=self.p_release_mean + RELEASE_JITTER)
        self.syn_delay_indices = jnp.zeros((n_in,), jnp.int32)
        if self.max_delay_steps > 0:
            self.syn_delay_indices = jax.random.randint(k_delay, (n_in,), 0,
                                                        self.max_delay_steps)
        pre, post = jnp.zeros((self.batch_size, n_in)), jnp.zeros((self.batch_size, n_out))
        self.inputs = Compartment(pre, kind="input")
        self.outputs = Compartment(post, kind="output")
        self.weights = Compartment(weights, kind="parameter")
        self.mask = Compartment(w_mask, kind="input")
        self.biases = Compartment(biases, kind="parameter")
        self.gate = Compartment(post + 1., kind="input")
        self.input_delay_buffer = Compartment(
            jnp.zeros((self.max_delay_steps, self.batch_size, n_in)), kind="state",
            display_name="Synaptic Input Queue")
        self.delayed_inputs = Compartment(pre, kind="output")
        self.g_conduct_factor = Knob(float(g), doc="conductance factor applied to the transform")

    @property
    def resist_scale(self):
        """ngc-learn's former name of ``g_conduct_factor``."""
        return self.g_conduct_factor

    @compilable
    def advance_state(self):
        weights = self.weights.get() * self.mask.get()
        raw = self.inputs.get()
        x = raw
        if self.max_delay_steps > 0:
            buffer = self.input_delay_buffer.get()
            lines = jnp.arange(raw.shape[1])
            x = buffer[self.syn_delay_indices, :, lines].T  # line i read d_i steps late
            self.input_delay_buffer.set(jnp.roll(buffer, -1, axis=0).at[-1].set(raw))
        if 0. < self.p_release_mean < 1.:
            key, sub = jax.random.split(self.key.get(), 2)
            released = jax.random.uniform(sub, raw.shape) < self.p_release
            x = x * released.astype(x.dtype)
            self.key.set(key)
        self.delayed_inputs.set(x)
        self.outputs.set(jnp.matmul(x, weights) * self.gate.get() * self.g_conduct_factor.get()
                         + self.biases.get())

    @compilable
    def reset(self):
        n_in, n_out = self.shape
        if not self.inputs.targeted:
            self.inputs.set(jnp.zeros((self.batch_size, n_in)))
        if not self.gate.targeted:
            self.gate.set(jnp.ones((self.batch_size, n_out)))
        self.delayed_inputs.set(jnp.zeros((self.batch_size, n_in)))
        self.outputs.set(jnp.zeros((self.batch_size, n_out)))
        self.input_delay_buffer.set(jnp.zeros(self.input_delay_buffer.shape))

    def _batched(self) -> list:
        """(compartment, fill value, per-sample shape) of each batch-shaped compartment."""
        n_in, n_out = self.shape
        return [(self.inputs, 0., (n_in,)), (self.outputs, 0., (n_out,)),
                (self.gate, 1., (n_out,)), (self.delayed_inputs, 0., (n_in,))]

    def batched_reset(self, batch_size):
        """Reset to rest with a new batch size (a structure change: the model recompiles)."""
        self.batch_size = check_count(owner(type(self), self.name), "batch_size", batch_size)
        for comp, fill, dims in self._batched():
            comp.resize(jnp.full((self.batch_size, *dims), fill, jnp.float32))
        self.input_delay_buffer.resize(
            jnp.zeros((self.max_delay_steps, self.batch_size, self.shape[0])))

    @classmethod
    def help(cls):
        return {
            cls.__name__: {"synapse_type": f"{cls.__name__} - a dense synaptic transform of "
                                           "inputs into output signals"},
            "compartments": {
                "inputs": {"inputs": "pre-synaptic input signals",
                           "gate": "multiplicative gate on the outputs (Default: 1)",
                           "mask": "multiplicative mask of the weights"},
                "states": {"weights": "synaptic efficacies W", "biases": "base rates b",
                           "input_delay_buffer": "queue of past inputs (axonal delays)",
                           "key": "JAX PRNG key"},
                "outputs": {"outputs": "output of the synaptic transform",
                            "delayed_inputs": "inputs as transmitted (after delay/release)"},
            },
            "dynamics": "outputs = ((x @ (W * mask)) * gate) * g_conduct_factor + b",
            "hyperparameters": {
                "shape": "(number of inputs, number of outputs)",
                "weight_init": "initializer of W", "bias_init": "initializer of b (None: no b)",
                "g_conduct_factor": "conductance factor applied to the transform",
                "p_release_mean": "mean probability of transmitting a pre-synaptic signal",
                "p_conn": "probability that a connection exists",
                "max_delay_steps": "maximum axonal delay in steps (0: none)",
                "mask": "multiplicative mask of W", "batch_size": "batch dimension"},
        }
