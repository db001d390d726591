"""PatchedSynapse: a synaptic cable made of n_sub_models small dense cables ("patches") along
the diagonal of one weight matrix (ngc-learn 3.2.3's PatchedSynapse).

| outputs = (inputs @ W) * resist_scale + b          (W block structured, see below)
| pre_out = post_in @ W^T                             (the cable read backwards)

W has n_sub_models blocks of (n_in // n) x (n_out // n) units, each widened by 2 stride_shape
and overlapping its neighbours when stride_shape > 0 (ngclab.components.synapses.patched.
_patches gives the layout); the product only visits the blocks. Weights initialise as in
ngc-learn: each block from ``weight_init`` (default fan-in Gaussian) with its own key, then the
Bernoulli(p_conn) mask (0 < p_conn < 1) from the second of ``split(key, 4)``, the biases from
the third. ``weights_T`` holds W^T as built (as in ngc-learn, it is not kept up to date).

As in ngc-learn, a size that n_sub_models does not divide loses its remainder: the cable has
n (n_in // n) + 2 s_i inputs and n (n_out // n) + 2 s_j outputs (``shape`` holds them).

Differences from ngc-learn 3.2.3: HebbianPatchedSynapse sizes pre/post like the weights (ngc-
learn sizes them from the shape asked for and then fails when n does not divide it);
``w_masks`` is the block structure (ngc-learn's holds the weights when stride_shape[1] > 0);
without a ``bias_init`` the biases are zeros of shape (1, n_out) rather than a scalar 0.

Compartments: inputs, post_in (inputs); weights, biases (parameters); weights_T, key (state);
outputs, pre_out (outputs). Knob: resist_scale.
"""
from __future__ import annotations

import numbers

import jax
import jax.numpy as jnp
import numpy as np

from ngclab.components.synapses.denseSynapse import initializer, synapse_shape
from ngclab.components.synapses.patched._patches import init_patches, patch_layout
from ngclab.components.validation import check_count, check_number, owner
from ngclab.core import Compartment, Component, Knob, compilable
from ngclab.utils.distribution_generator import DistributionGenerator, initialize_params


def patch_geometry(who: str, shape, n_sub_models, stride_shape) -> tuple:
    """((n_in, n_out), n, (s_i, s_j)) validated: at least one unit per block, strides >= 0."""
    n_in, n_out = synapse_shape(who, shape)
    n = check_count(who, "n_sub_models", n_sub_models)
    if n > min(n_in, n_out):
        raise ValueError(f"{who}: n_sub_models={n} blocks do not fit into shape "
                         f"{(n_in, n_out)} (each block needs at least one input and one output)")
    if not isinstance(stride_shape, (tuple, list)) or len(stride_shape) != 2 or not all(
            isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 0
            for s in stride_shape):
        raise ValueError(f"{who}: stride_shape must be a pair of integers >= 0, got "
                         f"{stride_shape!r}")
    return (n_in, n_out), n, (int(stride_shape[0]), int(stride_shape[1]))


class PatchedSynapse(Component):
    """A patched (block-diagonal) synaptic cable without plasticity.

    Args:
        name: the synapse's name
        shape: (n_inputs, n_outputs) before the stride widening
        n_sub_models: number of blocks (Default: 1, a dense cable)
        stride_shape: (s_i, s_j) overlap of neighbouring blocks (Default: (0, 0))
        weight_init: initializer of each block (Default: fan-in Gaussian)
        bias_init: initializer of the biases; None (Default) means no bias
        resist_scale: factor applied to the transform (Default: 1.)
        p_conn: probability in (0, 1] that a connection exists (Default: 1.)
        batch_size: batch dimension (Default: 1)
        **kwargs: key
    """
    inputs: Compartment       # pre-synaptic signals (B, n_in + 2 s_i)
    outputs: Compartment      # inputs @ W * resist_scale + b
    weights: Compartment      # W, block structured
    post_in: Compartment      # post-synaptic signals read backwards (B, n_out + 2 s_j)
    pre_out: Compartment      # post_in @ W^T
    weights_T: Compartment    # W^T as built
    biases: Compartment       # b (1, n_out + 2 s_j)
    resist_scale: Knob

    def __init__(self, name, shape, n_sub_models=1, stride_shape=(0, 0), weight_init=None,
                 bias_init=None, resist_scale=1., p_conn=1., batch_size=1, **kwargs):
        super().__init__(name, **kwargs)
        self._build_patches(shape, n_sub_models, stride_shape, weight_init, bias_init,
                            resist_scale, p_conn, batch_size)

    def _build_patches(self, shape, n_sub_models, stride_shape, weight_init, bias_init,
                       resist_scale, p_conn, batch_size):
        who = owner(type(self), self.name)
        _, n, stride = patch_geometry(who, shape, n_sub_models, stride_shape)
        initializer(who, "weight_init", weight_init)
        initializer(who, "bias_init", bias_init)
        scale = check_number(who, "resist_scale", resist_scale)
        if not 0. < check_number(who, "p_conn", p_conn) <= 1.:
            raise ValueError(f"{who}: p_conn must be a probability in (0, 1], got {p_conn}")
        self.batch_size = check_count(who, "batch_size", batch_size)
        self.n_sub_models, self.sub_stride, self.p_conn = n, stride, float(p_conn)
        self.weight_init = DistributionGenerator.fan_in_gaussian() if weight_init is None \
            else weight_init
        self.bias_init = bias_init
        self.layout = patch_layout(tuple(shape), n, stride)
        self.shape = self.layout.shape
        self.sub_shape = tuple(len(ix) for ix in (self.layout.rows[0], self.layout.cols[0]))
        k_blocks, _, k_conn, k_b = jax.random.split(self.key.get(), 4)
        weights = init_patches(k_blocks, self.layout, self.weight_init)
        self.w_masks = self.layout.mask
        if 0. < self.p_conn < 1.:  # removed connections stay out of the structure
            keep = np.asarray(jax.random.bernoulli(k_conn, self.p_conn, self.shape))
            self.w_masks = self.w_masks * keep
            weights = weights * keep
        n_in, n_out = self.shape
        biases = jnp.zeros((1, n_out)) if bias_init is None else \
            jnp.asarray(initialize_params(k_b, bias_init, (1, n_out)), jnp.float32)
        pre, post = jnp.zeros((self.batch_size, n_in)), jnp.zeros((self.batch_size, n_out))
        self.inputs = Compartment(pre, kind="input")
        self.outputs = Compartment(post, kind="output")
        self.weights = Compartment(weights, kind="parameter")
        self.post_in = Compartment(post, kind="input")
        self.pre_out = Compartment(pre, kind="output")
        self.weights_T = Compartment(weights.T, display_name="W^T as built")
        self.biases = Compartment(biases, kind="parameter")
        self.resist_scale = Knob(scale, doc="factor applied to the transform")

    def dense_weights(self) -> jax.Array:
        """The plain matrix the product multiplies by: W's entries inside the blocks."""
        return self.weights.get() * self.layout.mask

    @compilable
    def advance_state(self):
        W = self.weights.get()
        self.outputs.set(self.layout.forward(self.inputs.get(), W) * self.resist_scale.get()
                         + self.biases.get())
        self.pre_out.set(self.layout.backward(self.post_in.get(), W))

    def _batched(self) -> list:
        """The compartments of shape (batch, units), zero at rest."""
        return [self.inputs, self.outputs, self.post_in, self.pre_out]

    @compilable
    def reset(self):
        for c in self._batched():  # zeros at the constructor's batch size; wires stay
            if not c.targeted:
                c.set(jnp.zeros((self.batch_size, *c.shape[1:])))

    def batched_reset(self, batch_size):
        """Reset to rest with a new batch size (a structure change: the model recompiles)."""
        self.batch_size = check_count(owner(type(self), self.name), "batch_size", batch_size)
        for c in self._batched():
            c.resize(jnp.zeros((self.batch_size, *c.shape[1:])))

    @classmethod
    def help(cls) -> dict:
        return {
            cls.__name__: {"synapse_type": f"{cls.__name__} - a synaptic transform through "
                                           "several small dense cables (patches) along the "
                                           "diagonal of one weight matrix"},
            "compartments": {
                "inputs": {"inputs": "pre-synaptic input signals",
                           "post_in": "post-synaptic signals to send back through W^T"},
                "states": {"weights": "synaptic efficacies W (block structured)",
                           "biases": "base rates b", "weights_T": "W^T as built",
                           "key": "JAX PRNG key"},
                "outputs": {"outputs": "output of the synaptic transform",
                            "pre_out": "post_in sent back through W^T"}},
            "dynamics": "outputs = (inputs @ W) * resist_scale + b; pre_out = post_in @ W^T",
            "hyperparameters": {
                "shape": "(number of inputs, number of outputs)",
                "n_sub_models": "number of patches (blocks) along the diagonal",
                "stride_shape": "(rows, columns) overlap of neighbouring patches",
                "weight_init": "initializer of each patch",
                "bias_init": "initializer of b (None: no b)",
                "resist_scale": "factor applied to the transform",
                "p_conn": "probability that a connection exists",
                "batch_size": "batch dimension"}}
