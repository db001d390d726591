"""OjaTensorSynapse: a locally connected (sparse tensor) cable adapted by Hebbian learning with
Oja's correction (Oja 1982; ngc-learn 3.2.3's OjaTensorSynapse).

Transform (as SparseTensorSynapse): outputs = g * (inputs @ W_sparse) + b, W on the edges e =
(pre unit i_e, post unit j_e) of the locally connected structure. With pre-synaptic x = ``pre``
and post-synaptic y = ``post``, ``evolve(dt)`` applies (sums over the batch):

| dW_e = sum_b x_{b i_e} y_{b j_e} - sum_b y_{b j_e}^2 W_e     (the second term if oja_factor > 0)
| W <- W + eta * sign_value * dW ;  then W <- W / ||W|| per row if normalize (see
|                                      SparseTensorSynapse's norm_axis)

For one linear unit y = w . x, Oja's rule w <- w + eta y (x - y w) keeps |w| near 1 and turns w
towards the first principal component of the inputs (the top eigenvector of E[x x^T]).

Compartments: SparseTensorSynapse's + pre, post (inputs), dWeights (output), variance_term
(state, zeros, as ngc-learn). Knobs: eta, sign_value, g_conduct_factor.

Differences from ngc-learn 3.2.3, where it is broken: ``eta`` scales the update (ngc-learn
ignores it and learns at rate sign_value, so its default eta = 0 still learns; use eta = 1 for
its numbers); only existing connections learn (ngc-learn's tensor update also writes the empty
slots of shrunk or inverted windows, from the last input stream, and its block-matrix update
masks by W != 0, so a weight that reaches exactly 0 never learns again); ``resist_scale`` is the
transform's g_conduct_factor (as ngc-learn's DenseSynapse rebinds it).
"""
from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from ngclab.core import Compartment, Knob, compilable
from ngclab.components.layers import reset_compartments
from ngclab.components.synapses._sparse import edge_values
from ngclab.components.synapses.sparseTensorSynapse import SparseTensorSynapse, unit_norm
from ngclab.components.validation import check_number, owner


class OjaTensorSynapse(SparseTensorSynapse):
    """A locally connected synaptic cable adapted by Hebbian or Oja plasticity.

    Args:
        name, n_in_streams, K_local, O_local, P_l, stride, convergent_factor, dilation,
            invert_conn, normalize, norm_axis, weight_init, bias_init, p_conn, batch_size,
            use_block_matrix_format: as SparseTensorSynapse
        eta: learning rate (Default: 0.)
        oja_factor: > 0 adds Oja's correction -y^2 W to the Hebbian term (Default: 1.)
        sign_value: factor on the update (-1 for descent) (Default: 1.)
        resist_scale: conductance factor of the transform (Default: 1.)
        **kwargs: key
    """

    pre: Compartment             # pre-synaptic statistic x
    post: Compartment            # post-synaptic statistic y
    dWeights: Compartment        # the update of the last evolve (in W's layout)
    variance_term: Compartment   # (unused, zeros, as in ngc-learn)
    eta: Knob
    sign_value: Knob

    def __init__(self, name, n_in_streams, K_local, O_local, P_l=1, stride=1,
                 convergent_factor=0., dilation=1, invert_conn=False, eta=0., oja_factor=1.,
                 sign_value=1., normalize=False, norm_axis=1, weight_init=None, bias_init=None,
                 p_conn=1., resist_scale=1., batch_size=1, use_block_matrix_format=False,
                 **kwargs):
        who = owner(type(self), name)
        super().__init__(name, n_in_streams, K_local, O_local, P_l=P_l, stride=stride,
                         convergent_factor=convergent_factor, dilation=dilation,
                         invert_conn=invert_conn, normalize=normalize, norm_axis=norm_axis,
                         weight_init=weight_init, bias_init=bias_init,
                         g_conduct_factor=check_number(who, "resist_scale", resist_scale),
                         p_conn=p_conn, use_block_matrix_format=use_block_matrix_format,
                         batch_size=batch_size, **kwargs)
        # if a check raises, the core removes the half-built component (the Context is unchanged)
        eta = check_number(who, "eta", eta)
        self.oja_factor = check_number(who, "oja_factor", oja_factor)
        sign = check_number(who, "sign_value", sign_value)
        n_in, n_out = self.io_shape
        self.pre = Compartment(jnp.zeros((self.batch_size, n_in)), kind="input",
                               display_name="Pre-synaptic statistic")
        self.post = Compartment(jnp.zeros((self.batch_size, n_out)), kind="input",
                                display_name="Post-synaptic statistic")
        self.dWeights = Compartment(jnp.zeros_like(self.weights.get()), kind="output",
                                    display_name="Synaptic update")
        self.variance_term = Compartment(jnp.zeros((self.batch_size, n_out)))
        self.eta = Knob(eta, doc="learning rate")
        self.sign_value = Knob(sign, doc="factor on the update (-1: descent)")

    def _edge_update(self, W) -> jnp.ndarray:
        """dW_e on every connection: Hebbian x_i y_j, minus y_j^2 W_e with Oja's correction."""
        e = self.edges
        x, y = self.pre.get(), self.post.get()
        values = W[e.pre, e.post] if self.product == "block" else edge_values(W, e)
        dW = jnp.sum(x[:, e.pre] * y[:, e.post], axis=0)
        if self.oja_factor > 0.:
            dW = dW - jnp.sum(jnp.square(y), axis=0)[e.post] * values
        return dW

    def _in_layout(self, edge_values_) -> jnp.ndarray:
        """Per-connection values laid out like W (0 where there is no connection)."""
        if self.product == "block":
            return self._scatter(edge_values_)
        flat = jnp.zeros(self.weights.get().size).at[self.edges.slot].add(edge_values_)
        return jnp.reshape(flat, self.weights.get().shape)

    def _normalized(self, W) -> jnp.ndarray:
        if self.product != "block":
            return unit_norm(W, self.norm_axis)
        e = self.edges       # gather the connections into the tensor, normalise, scatter back
        tensor = jnp.zeros(math.prod(self.shape)).at[e.slot].set(W[e.pre, e.post])
        tensor = unit_norm(jnp.reshape(tensor, self.shape), self.norm_axis)
        return self._scatter(jnp.ravel(tensor)[e.slot])

    @compilable
    def evolve(self, dt):
        key, _ = jax.random.split(self.key.get())  # ngc-learn draws (unused) noise keys here
        self.key.set(key)
        W = self.weights.get()
        dW = self._in_layout(self._edge_update(W))
        W = W + dW * (self.eta.get() * self.sign_value.get())
        if self.normalize:
            W = self._normalized(W)
        self.weights.set(W)
        self.dWeights.set(dW)

    @compilable
    def reset(self):
        super().reset()
        reset_compartments([self.pre, self.post, self.dWeights, self.variance_term])

    @classmethod
    def help(cls) -> dict:
        info = super().help()
        info[cls.__name__] = {"synapse_type": "OjaTensorSynapse - a locally connected synaptic "
                                              "transform adapted by Hebbian learning with Oja's "
                                              "correction"}
        info["compartments"]["inputs"].update({"pre": "pre-synaptic statistic (x)",
                                               "post": "post-synaptic statistic (y)"})
        info["compartments"]["states"]["variance_term"] = "unused (zeros)"
        info["compartments"]["analytics"] = {"dWeights": "update of W at time t"}
        info["dynamics"] = ("outputs = g * (inputs @ W) + b; dW_ij = sum_b x_i y_j "
                            "- sum_b y_j^2 W_ij (Oja); W <- W + eta sign_value dW")
        hyper = info["hyperparameters"]
        hyper["resist_scale"] = hyper.pop("g_conduct_factor")
        hyper.update({"eta": "learning rate", "oja_factor": "> 0: add Oja's correction",
                      "sign_value": "factor on the update (-1: descent)"})
        return info
