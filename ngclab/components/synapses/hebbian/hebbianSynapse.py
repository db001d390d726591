"""HebbianSynapse: a dense synaptic cable adjusted by a two-factor Hebbian rule (minimal core version).

    outputs = R * (inputs @ W) + b
    dW = pre^T post ;  W <- W + eta * dW   (sgd)

Compartments: inputs, pre, post (inputs), outputs (output), weights, biases (parameters),
dWeights, dBiases; knobs eta, resist_scale.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from ngclab.core import Compartment, Component, Knob, compilable


class HebbianSynapse(Component):
    def __init__(self, name, shape, eta=0., weight_init=None, bias_init=None, resist_scale=1.,
                 batch_size=1, **kwargs):
        super().__init__(name, **kwargs)
        self.shape, self.batch_size = tuple(shape), batch_size
        k_w, k_b = jax.random.split(self.key.get())
        weights = (weight_init(self.shape, k_w) if weight_init is not None
                   else jax.random.uniform(k_w, self.shape, minval=0.025, maxval=0.8))
        biases = bias_init((1, self.shape[1]), k_b) if bias_init is not None else jnp.zeros((1, self.shape[1]))
        self.inputs = Compartment(jnp.zeros((batch_size, self.shape[0])), kind="input")
        self.outputs = Compartment(jnp.zeros((batch_size, self.shape[1])), kind="output")
        self.pre = Compartment(jnp.zeros((batch_size, self.shape[0])), kind="input")
        self.post = Compartment(jnp.zeros((batch_size, self.shape[1])), kind="input")
        self.weights = Compartment(jnp.asarray(weights, jnp.float32), kind="parameter")
        self.biases = Compartment(biases, kind="parameter")
        self.dWeights = Compartment(jnp.zeros(self.shape), kind="output")
        self.dBiases = Compartment(jnp.zeros((1, self.shape[1])), kind="output")
        self.eta = Knob(eta, doc="learning rate")
        self.resist_scale = Knob(resist_scale, doc="scale of the synaptic transform")

    @compilable
    def advance_state(self):
        out = self.resist_scale * (self.inputs.get() @ self.weights.get()) + self.biases.get()
        self.outputs.set(out)

    @compilable
    def evolve(self):
        dW = self.pre.get().T @ self.post.get()
        db = jnp.sum(self.post.get(), axis=0, keepdims=True)
        self.weights.set(self.weights.get() + self.eta * dW)
        self.dWeights.set(dW)
        self.dBiases.set(db)

    @compilable
    def reset(self):
        for c, n in ((self.inputs, self.shape[0]), (self.outputs, self.shape[1]),
                     (self.pre, self.shape[0]), (self.post, self.shape[1])):
            if not c.targeted:
                c.set(jnp.zeros((self.batch_size, n)))
