"""SparseTensorSynapse: a locally connected (unshared convolution) synaptic cable.

The input is cut into ``n_in_streams`` streams of ``K_local`` units; output stream s reads the
``P_l`` input streams of its window (``stride``, ``dilation``, windows shrinking towards the
layer's edges with ``convergent_factor``; see ngclab.components.synapses._locally_connected)
through its own block of weights W[p, s] (K_local x O_local):

| outputs[b, s, o] = g * sum_p sum_k inputs[b, map[s, p], k] * W[p, s, k, o] + b[s, o]

with g = g_conduct_factor. W has shape (P_l, S, K_local, O_local), S being the number of
windows that fit; ``use_block_matrix_format`` stores it instead as the equivalent dense
(n_in_streams K_local, S O_local) matrix and multiplies by it. ``invert_conn`` builds the
transposed cable (from the S O_local outputs back to the inputs) and ``tie_transpose_weights``
copies a forward cable's weights, wired into ``weight_transpose_target``, into it transposed.
``normalize`` scales every (p, s, k) row of W to unit L2 norm over O_local (norm_axis 1) or
every (p, s, o) column over K_local (norm_axis 0) once, at construction.

Weights initialise as in ngc-learn 3.2.3: ``_, k_w, k_conn, k_b = split(key, 4)`` for W
(default U[0.025, 0.8)), the Bernoulli(p_conn) connection mask (0 < p_conn < 1) and the biases.
The product is chosen by structure (bench/sparse.py measured it): the window contraction when
at least a fifth of the tensor's slots are connections, a segment sum over the connections
otherwise (2% random cables), a dense matmul in block-matrix format.

Differences from ngc-learn 3.2.3, where it is broken: connections removed by p_conn stay
absent (ngc-learn would use whatever weight is later written there); the biases have one value
per output unit, (1, S O_local) (ngc-learn shapes them (1, S), which fails for O_local > 1);
``norm_axis`` is honoured (ngc-learn always normalises over O_local); the block matrix holds
only real connections (ngc-learn scatters the empty slots of shrunk or inverted windows to
index -1, i.e. into the last input stream's rows); ``weight_transpose_target`` has the shape
of the forward weights it receives (zeros until wired); ``tie_transpose_weights`` works in
block-matrix format too; DenseSynapse's gate, mask and delay compartments, which ngc-learn
creates here but never reads, are not created.

Compartments: inputs, weight_transpose_target (inputs); weights, biases (parameters);
norm_trigger, initial_weights, key (state); outputs (output). Knob: g_conduct_factor.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from ngclab.components.layers import reset_compartments
from ngclab.components.synapses._locally_connected import (inverse_map, output_streams,
                                                           tensor_edges, transpose_edges,
                                                           window_map)
from ngclab.components.synapses._sparse import edge_values, propagate, propagate_windows
from ngclab.components.synapses.denseSynapse import initializer
from ngclab.components.validation import check_count, check_flag, check_number, owner
from ngclab.core import Compartment, Component, Knob, compilable
from ngclab.utils.distribution_generator import DistributionGenerator, initialize_params

#: below this share of connected slots the segment sum beats the window contraction
SPARSE_DENSITY = 0.2
NORM_EPS = 1e-8


def unit_norm(weights: jax.Array, norm_axis: int) -> jax.Array:
    """W / ||W|| over O_local (norm_axis 1) or K_local (norm_axis 0) of the (P, S, K, O) tensor."""
    axis = 3 if norm_axis == 1 else 2
    return weights / (jnp.sqrt(jnp.sum(jnp.square(weights), axis=axis, keepdims=True)) + NORM_EPS)


class SparseTensorSynapse(Component):
    """A locally connected synaptic cable (see the module docstring for the transform).

    Args:
        name: the synapse's name
        n_in_streams: number of input streams
        K_local: units per input stream
        O_local: units per output stream (the number S of output streams is computed)
        P_l: window length, in input streams (Default: 1)
        stride: input streams between successive windows (Default: 1)
        convergent_factor: c > 0 shrinks the windows towards the layer's edges (Default: 0)
        dilation: gap between the input streams of a window (1: contiguous) (Default: 1)
        invert_conn: build the transposed cable (Default: False)
        normalize: scale W to unit norm at construction (Default: False)
        norm_axis: 1 (over O_local) or 0 (over K_local) (Default: 1)
        weight_init: initializer of W (Default: uniform in [0.025, 0.8))
        bias_init: initializer of the biases; None (Default) means no bias
        g_conduct_factor: factor applied to the transform (Default: 1.)
        p_conn: probability in (0, 1] that a connection exists (Default: 1.)
        use_block_matrix_format: keep W as the dense block matrix (Default: False)
        batch_size: batch dimension (Default: 1)
        **kwargs: key
    """
    inputs: Compartment                   # pre-synaptic signals (B, n_in_streams K_local)
    outputs: Compartment                  # post-synaptic signals (B, S O_local)
    weights: Compartment                  # W (P, S, K, O), or the block matrix
    biases: Compartment                   # b (1, S O_local)
    norm_trigger: Compartment             # 1 if W was normalised, else 0
    initial_weights: Compartment          # W as built
    weight_transpose_target: Compartment  # a forward cable's weights (tie_transpose_weights)
    g_conduct_factor: Knob

    def __init__(self, name, n_in_streams, K_local, O_local, P_l=1, stride=1,
                 convergent_factor=0., dilation=1, invert_conn=False, normalize=False,
                 norm_axis=1, weight_init=None, bias_init=None, g_conduct_factor=1., p_conn=1.,
                 use_block_matrix_format=False, batch_size=1, **kwargs):
        super().__init__(name, **kwargs)
        who = owner(type(self), name)
        n_in, K, O, P = (check_count(who, p, v) for p, v in (
            ("n_in_streams", n_in_streams), ("K_local", K_local), ("O_local", O_local),
            ("P_l", P_l)))
        stride, dilation = check_count(who, "stride", stride), check_count(who, "dilation",
                                                                           dilation)
        if (P - 1) * dilation + 1 > n_in:
            raise ValueError(f"{who}: a window of P_l={P} streams with dilation={dilation} spans "
                             f"{(P - 1) * dilation + 1} streams, more than n_in_streams={n_in}")
        factor = check_number(who, "convergent_factor", convergent_factor, low=0.)
        self.invert_conn = check_flag(who, "invert_conn", invert_conn)
        self.normalize = check_flag(who, "normalize", normalize)
        self.use_block_matrix_format = check_flag(who, "use_block_matrix_format",
                                                  use_block_matrix_format)
        if isinstance(norm_axis, bool) or norm_axis not in (0, 1):
            raise ValueError(f"{who}: unknown norm_axis {norm_axis!r}; valid: 0, 1")
        self.norm_axis = int(norm_axis)
        initializer(who, "weight_init", weight_init)
        initializer(who, "bias_init", bias_init)
        g = check_number(who, "g_conduct_factor", g_conduct_factor)
        if not 0. < check_number(who, "p_conn", p_conn) <= 1.:
            raise ValueError(f"{who}: p_conn must be a probability in (0, 1], got {p_conn}")
        self.batch_size = check_count(who, "batch_size", batch_size)
        self.weight_init = DistributionGenerator.uniform(0.025, 0.8) if weight_init is None \
            else weight_init
        self.bias_init, self.p_conn, self.convergent_factor = bias_init, float(p_conn), factor

        S = output_streams(n_in, P, stride, dilation, factor)
        forward = window_map(P, S, stride, dilation, factor)
        self.forward_edges = tensor_edges(forward, n_in, K, O)   # the cable this one inverts
        if self.invert_conn:
            self.connectivity_map = inverse_map(forward, n_in)
            self.n_in_streams, self.n_out_streams, self.K_local, self.O_local = S, n_in, O, K
        else:
            self.connectivity_map = forward
            self.n_in_streams, self.n_out_streams, self.K_local, self.O_local = n_in, S, K, O
        self.shape = (self.connectivity_map.shape[1], self.n_out_streams, self.K_local,
                      self.O_local)
        self.io_shape = (self.n_in_streams * self.K_local, self.n_out_streams * self.O_local)
        _, k_w, k_conn, k_b = jax.random.split(self.key.get(), 4)
        weights = jnp.asarray(initialize_params(k_w, self.weight_init, self.shape), jnp.float32)
        self.keep = None                     # the p_conn mask of the (P, S, K, O) slots
        if 0. < self.p_conn < 1.:
            self.keep = np.asarray(jax.random.bernoulli(k_conn, self.p_conn, self.shape))
            weights = weights * self.keep
        self.edges = tensor_edges(self.connectivity_map, self.n_in_streams, self.K_local,
                                  self.O_local, self.keep)
        if self.normalize:
            weights = unit_norm(weights, self.norm_axis)
        if self.use_block_matrix_format:
            self.product = "block"
            weights = self._scatter(edge_values(weights, self.edges))
        else:
            dense_enough = self.edges.n_edges >= SPARSE_DENSITY * np.prod(self.shape)
            self.product = "windows" if dense_enough else "edges"
        n_out = self.io_shape[1]
        biases = jnp.zeros((1, n_out)) if bias_init is None else \
            jnp.asarray(initialize_params(k_b, bias_init, (1, n_out)), jnp.float32)
        self.inputs = Compartment(jnp.zeros((self.batch_size, self.io_shape[0])), kind="input")
        self.outputs = Compartment(jnp.zeros((self.batch_size, n_out)), kind="output")
        self.weights = Compartment(weights, kind="parameter")
        self.biases = Compartment(biases, kind="parameter")
        self.norm_trigger = Compartment(jnp.full((1, 1), float(self.normalize)))
        self.initial_weights = Compartment(weights, display_name="initial synaptic weights")
        target = weights
        if self.invert_conn:    # the forward cable's weights, in its own layout
            fwd = self.forward_edges
            target = jnp.zeros((fwd.n_in, fwd.n_out) if self.use_block_matrix_format
                               else (P, S, K, O))
        self.weight_transpose_target = Compartment(target, kind="input")
        self.g_conduct_factor = Knob(g, doc="conductance factor applied to the transform")

    def _scatter(self, values: jax.Array) -> jax.Array:
        """The dense (n_in, n_out) matrix holding ``values`` at this cable's connections."""
        e = self.edges
        return jnp.zeros((e.n_in, e.n_out)).at[e.pre, e.post].add(values)

    def dense_weights(self) -> jax.Array:
        """The cable as a dense (n_inputs, n_outputs) matrix: outputs = inputs @ it * g + b."""
        if self.product == "block":
            return self.weights.get()
        return self._scatter(edge_values(self.weights.get(), self.edges))

    @compilable
    def advance_state(self):
        x, W = self.inputs.get(), self.weights.get()
        if self.product == "block":
            y = jnp.matmul(x, W)
        elif self.product == "windows":
            y = propagate_windows(x, W if self.keep is None else W * self.keep,
                                  self.connectivity_map)
        else:
            y = propagate(x, edge_values(W, self.edges), self.edges)
        self.outputs.set(y * self.g_conduct_factor.get() + self.biases.get())

    @compilable
    def tie_transpose_weights(self):
        """W <- the forward cable's weights (in weight_transpose_target), transposed."""
        if not self.invert_conn:
            raise ValueError(f"{owner(type(self), self.name)}: tie_transpose_weights needs "
                             f"invert_conn=True (only an inverted cable is a transpose)")
        fwd = self.forward_edges
        at, found = transpose_edges(fwd, self.edges)
        # where the forward weight sits: its tensor slot, or its place in the block matrix
        slots = fwd.pre[at] * fwd.n_out + fwd.post[at] if self.use_block_matrix_format \
            else fwd.slot[at]
        values = jnp.ravel(self.weight_transpose_target.get())[slots] * found
        if self.use_block_matrix_format:
            self.weights.set(self._scatter(values))
        else:
            flat = jnp.zeros(int(np.prod(self.shape))).at[self.edges.slot].set(values)
            self.weights.set(jnp.reshape(flat, self.shape))

    @compilable
    def reset(self):
        reset_compartments([self.inputs, self.outputs])   # zeros; a wired input keeps its wire

    @classmethod
    def help(cls) -> dict:
        return {
            cls.__name__: {"synapse_type": f"{cls.__name__} - a locally connected (unshared "
                                           "convolution) synaptic transform"},
            "compartments": {
                "inputs": {"inputs": "pre-synaptic input signals",
                           "weight_transpose_target": "weights of the forward cable to tie"},
                "states": {"weights": "synaptic tensor W (P, S, K_local, O_local)",
                           "biases": "base rates b", "norm_trigger": "1 if W was normalised",
                           "initial_weights": "W as built", "key": "JAX PRNG key"},
                "outputs": {"outputs": "output of the synaptic transform"}},
            "dynamics": "outputs[s, o] = g_conduct_factor * sum_{p,k} inputs[map[s, p], k] * "
                        "W[p, s, k, o] + b[s, o]",
            "hyperparameters": {
                "n_in_streams": "number of input streams", "K_local": "units per input stream",
                "O_local": "units per output stream", "P_l": "window length (input streams)",
                "stride": "input streams between successive windows",
                "convergent_factor": "shrinks windows towards the layer's edges (0: off)",
                "dilation": "gap between the input streams of a window",
                "invert_conn": "build the transposed cable",
                "normalize": "scale W to unit norm once", "norm_axis": "1: over O_local, "
                                                                       "0: over K_local",
                "weight_init": "initializer of W", "bias_init": "initializer of b (None: no b)",
                "g_conduct_factor": "conductance factor applied to the transform",
                "p_conn": "probability that a connection exists",
                "use_block_matrix_format": "store W as the dense block matrix",
                "batch_size": "batch dimension"}}
