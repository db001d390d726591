"""MPSSynapse: a synaptic cable whose matrix is a two-core matrix product state (ngc-learn 3.2.3).

The (n_in, n_out) matrix is never stored: W = A B, with A = core1[0] (n_in, K) and
B = core2[..., 0] (K, n_out), K = bond_dim, so the cable holds K (n_in + n_out) numbers.

| advance_state:  z = x A  (batch, K) ;  outputs = z B                       (= x W)
| evolve(eta):    z = pre A ;  e_back = post B^T
|                 B <- B + eta z^T post ;  A <- A + eta pre^T e_back       (both from the old A, B)
| reset:          inputs, outputs, pre, post <- 0                           (the cores are kept)
| project_backward(e) = e B^T A^T                                           (= e W^T)

The two updates are the gradients of <post, pre A B> with respect to B and A: with post an
error signal, evolve ascends it (no averaging over the batch). ``eta`` is a keyword of the
step (``run(eta=...)``), Default 0.01.

The cores are drawn from the component's key as in ngc-learn, so a given key gives its cores:
``_, k1, k2 = split(key, 3)``; core1 = 0.05 N(0, 1) of shape (1, n_in, K) from k1, core2 =
0.05 N(0, 1) of shape (K, n_out, 1) from k2. ``weights`` reads the dense matrix A B (an object
with ``get()``, as ngc-learn's property); assigning ``weights = W`` sets the cores to W's SVD
truncated to rank K (``decompose_to_mps``).

Compartments: inputs, pre, post (inputs); core1, core2 (parameters); outputs (output); key.
No knobs (ngc-learn has no scalar hyperparameter besides the step keyword eta).

Differences from ngc-learn 3.2.3, where it is broken: ``project_backward`` returns e W^T
(ngc-learn's first contraction, einsum 'bo,kno->bk' over a core whose last axis has size 1,
broadcasts instead of contracting the outputs and returns (sum_o e_o)(sum_n B_kn) A^T);
``weights = W`` with bond_dim > min(n_in, n_out) pads the SVD cores with zeros to K (ngc-learn
shrinks the cores to rank min(n_in, n_out), changing their shapes); evolve's eta defaults to
0.01 when the process is run without it (ngc-learn's processes demand the keyword).
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from ngclab.core import Compartment, Component, compilable
from ngclab.components.layers import reset_compartments
from ngclab.components.synapses.denseSynapse import synapse_shape
from ngclab.components.validation import check_count, check_kwargs, owner
from ngclab.utils.matrix_utils import decompose_to_mps

INIT_SCALE = 0.05  # standard deviation of the initial core entries (ngc-learn's)


class DenseView:
    """The dense matrix A B of an MPSSynapse, read with ``get()`` (computed on each read)."""

    def __init__(self, synapse: "MPSSynapse"):
        self._synapse = synapse

    def get(self) -> jax.Array:
        return contract_cores(self._synapse.core1.get(), self._synapse.core2.get())

    @property
    def shape(self) -> tuple[int, int]:
        return self._synapse.shape


def contract_cores(core1: jax.Array, core2: jax.Array) -> jax.Array:
    """W = A B from core1 (1, n_in, K) and core2 (K, n_out, 1)."""
    return core1[0] @ core2[..., 0]


class MPSSynapse(Component):
    """A synaptic cable compressed as a matrix product state: outputs = (x A) B.

    Args:
        name: the synapse's name
        shape: (n_inputs, n_outputs) of the matrix W = A B
        bond_dim: rank K of the compression, the inner dimension of the cores (Default: 16)
        batch_size: batch dimension (Default: 1)
        **kwargs: key
    """

    inputs: Compartment
    outputs: Compartment
    pre: Compartment
    post: Compartment
    core1: Compartment
    core2: Compartment

    def __init__(self, name, shape, bond_dim=16, batch_size=1, **kwargs):
        who = owner(type(self), name)
        check_kwargs(who, kwargs)
        n_in, n_out = synapse_shape(who, shape)
        bond_dim = check_count(who, "bond_dim", bond_dim)
        batch_size = check_count(who, "batch_size", batch_size)
        super().__init__(name, **kwargs)
        self.shape, self.bond_dim, self.batch_size = (n_in, n_out), bond_dim, batch_size
        _, k1, k2 = jax.random.split(self.key.get(), 3)
        self.core1 = Compartment(jax.random.normal(k1, (1, n_in, bond_dim)) * INIT_SCALE,
                                 kind="parameter", display_name="MPS core A (1, n_in, K)")
        self.core2 = Compartment(jax.random.normal(k2, (bond_dim, n_out, 1)) * INIT_SCALE,
                                 kind="parameter", display_name="MPS core B (K, n_out, 1)")
        pre, post = jnp.zeros((batch_size, n_in)), jnp.zeros((batch_size, n_out))
        self.inputs = Compartment(pre, kind="input")
        self.outputs = Compartment(post, kind="output")
        self.pre = Compartment(pre, kind="input")
        self.post = Compartment(post, kind="input")

    @compilable
    def advance_state(self):
        z = self.inputs.get() @ self.core1.get()[0]           # (batch, K)
        self.outputs.set(z @ self.core2.get()[..., 0])        # (batch, n_out)

    @compilable
    def project_backward(self, error_signal):
        """e W^T = (e B^T) A^T, without forming W (returns it; nothing is stored)."""
        e_back = error_signal @ self.core2.get()[..., 0].T    # (batch, K)
        return e_back @ self.core1.get()[0].T                 # (batch, n_in)

    @compilable
    def evolve(self, eta=0.01):
        A, B = self.core1.get()[0], self.core2.get()[..., 0]
        pre, post = self.pre.get(), self.post.get()
        z, e_back = pre @ A, post @ B.T                       # (batch, K) each
        self.core2.set((B + eta * z.T @ post)[..., None])
        self.core1.set((A + eta * pre.T @ e_back)[None])

    @compilable
    def reset(self):
        # zeros of the constructor's batch size; wired inputs keep their wire
        reset_compartments([self.inputs, self.outputs, self.pre, self.post])

    @property
    def weights(self) -> DenseView:
        """The dense matrix A B (``weights.get()``); expensive for large cables."""
        return DenseView(self)

    @weights.setter
    def weights(self, W) -> None:
        W = jnp.asarray(W, jnp.float32)
        if W.shape != self.shape:
            raise ValueError(f"{owner(type(self), self.name)}: weights must have the shape "
                             f"{self.shape}, got {tuple(W.shape)}")
        core1, core2 = decompose_to_mps(W, bond_dim=self.bond_dim)
        pad = self.bond_dim - core1.shape[2]  # rank min(n_in, n_out) < K: zero the extra rank
        self.core1.set(jnp.pad(core1, ((0, 0), (0, 0), (0, pad))))
        self.core2.set(jnp.pad(core2, ((0, pad), (0, 0), (0, 0))))

    @classmethod
    def help(cls):
        return {
            cls.__name__: {"synapse_type": "MPSSynapse - a synaptic transform of inputs into "
                                           "outputs through two matrix-product-state cores"},
            "compartments": {
                "inputs": {"inputs": "pre-synaptic input signals",
                           "pre": "pre-synaptic statistic used by evolve",
                           "post": "post-synaptic (error) statistic used by evolve"},
                "states": {"core1": "first MPS core A (1, n_in, bond_dim)",
                           "core2": "second MPS core B (bond_dim, n_out, 1)",
                           "key": "JAX PRNG key"},
                "outputs": {"outputs": "output of the compressed transform"},
            },
            "dynamics": "outputs = (inputs @ A) @ B; A += eta pre^T (post B^T); "
                        "B += eta (pre A)^T post",
            "hyperparameters": {"shape": "(number of inputs, number of outputs)",
                                "bond_dim": "rank of the MPS compression",
                                "batch_size": "batch dimension"},
        }
