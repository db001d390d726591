"""VectorQuantizeSynapse: a vector-quantization (VQ / LVQ1) code-book as a synaptic cable
(ngc-learn 3.2.3).

Column n of W (D x N) is prototype n. A batch of probes x (B x D) is compared with every
prototype; the nearest one wins:

| advance_state:  x_b <- x_b / |x_b|_2                     (written back into ``inputs``)
|                 d_bn = |x_b - W_:n|_p                    (Minkowski distance of order p)
|                 z_bn = 1 if -d_bn >= max_m (-d_bm) else 0 (outputs: the winner mask; ties win)
|                 pred_labels = z Wy^T                     (label_dim > 0: the winner's label)
| evolve:         s_b = +1, or with labels (LVQ1): s_b = +1 if argmax y_b = argmax (z Wy^T)_b,
|                       -1 if not, +1 if the winner has no label yet (z Wy^T sums to 0)
|                 dW = (s x)^T z - syn_decay W  [+ sqrt(2 eta) eps + 2 eta zeta eps, eps ~ N(0, 1)]
|                 dW <- dW (w_bound - |W|)     (if w_bound > 0: a soft bound)
|                 W <- W + eta dW ;  eta <- max(1e-5, eta - eta_decrement) ;  i_tick += 1

The update is ngc-learn's competitive Hebbian one (x z^T with weight decay over all of W), not
Kohonen's w_c <- w_c + eta (x - w_c); the label memory Wy only comes from ``initial_patterns``
(ngc-learn does not learn it). ``initial_patterns`` = (X (D x P), Y (label_dim x P)), P <= N:
P = N replaces W (and Wy); P < N keeps N - P columns of the initial W (zeros of Wy) and shuffles
the columns with a permutation drawn from the key (Y is read only when label_dim > 0).

Compartments: DenseSynapse's + labels (input), pred_labels (output), label_weights (parameter),
eta, i_tick (states), dWeights (output); labels / pred_labels are (B, label_dim), label_weights
(label_dim, N), or (1, 1) each without labels. Knobs: eta_decrement, syn_decay, w_bound,
g_conduct_factor (kept for DenseSynapse's interface; the winner mask does not use it).

Differences from ngc-learn 3.2.3, where it is broken: a probe of all zeros normalizes to zeros
(ngc-learn divides by its zero norm, and the NaNs then spread into W); unknown distance names and
orders < 1 are errors (ngc-learn takes any other name as "minkowski" with the given order);
initial patterns of the wrong shape are errors (ngc-learn takes P > N as the whole code-book,
changing the synapse's shape); connections missing under p_conn < 1 stay at 0 (as every ngclab
DenseSynapse). ``evolve`` normalizes the probes it reads again (a no-op on unit rows), so a wired
``inputs``, which advance_state cannot write back, learns the same.
"""
from __future__ import annotations

import math
import numbers

import jax
import jax.numpy as jnp
import numpy as np

from ngclab.core import Compartment, Knob, compilable
from ngclab.components.layers import reset_compartments
from ngclab.components.validation import check_kwargs, check_number, owner
from ngclab.components.synapses.denseSynapse import DenseSynapse, alias_resist_scale
from ngclab.components.synapses.hebbian._stdp import keep_connections
from ngclab.utils.model_utils import bkwta

ETA_MIN = 1e-5   # the floor of the decaying learning rate (ngc-learn's)
NAMED_ORDERS = {"euclidean": 2., "manhattan": 1., "chebyshev": math.inf}


def unit_rows(x) -> jnp.ndarray:
    """Each row of x over its L2 norm (a zero row stays zero: it has no direction)."""
    norm = jnp.linalg.norm(x, axis=1, keepdims=True)
    return jnp.where(norm > 0., x / jnp.where(norm > 0., norm, 1.), 0.)


def minkowski(x, W, p: float) -> jnp.ndarray:
    """(B, N) distances |x_b - W_:n|_p of each probe row to each prototype column."""
    return jnp.linalg.norm(x[:, :, None] - W[None, :, :], ord=p, axis=1)


def distance_order(who: str, distance_function) -> float:
    """The order p of ngc-learn's (name, order) distance tuple."""
    names = ("minkowski", *NAMED_ORDERS)
    if not isinstance(distance_function, (tuple, list)) or len(distance_function) != 2 \
            or not isinstance(distance_function[0], str) \
            or distance_function[0].lower() not in names:
        raise ValueError(f"{who}: distance_function must be (name, order), got "
                         f"{distance_function!r}; valid names: {', '.join(names)}")
    name, order = distance_function[0].lower(), distance_function[1]
    if name in NAMED_ORDERS:
        return NAMED_ORDERS[name]
    if isinstance(order, bool) or not isinstance(order, numbers.Real) or not order >= 1.:
        raise ValueError(f"{who}: distance_function ('minkowski', p) needs an order p >= 1 "
                         f"(or inf), got {order!r}")
    return float(order)


def as_matrix(who: str, pname: str, value, rows: int, cols: int) -> jnp.ndarray:
    """A finite (rows, cols) float32 matrix, or an error naming the expected shape."""
    try:
        a = np.asarray(value, np.float32)
    except (TypeError, ValueError):
        raise TypeError(f"{who}: {pname} must be a matrix of numbers, got {value!r}") from None
    if a.shape != (rows, cols) or not np.all(np.isfinite(a)):
        raise ValueError(f"{who}: {pname} must be a finite ({rows}, {cols}) matrix, got "
                         f"shape {a.shape}")
    return jnp.asarray(a)


class VectorQuantizeSynapse(DenseSynapse):
    """A vector-quantization code-book: the nearest prototype wins and moves by a competitive
    Hebbian update (LVQ1's signed update when labels are given).

    Args:
        name, shape, weight_init, p_conn, batch_size: as DenseSynapse (shape = (D, N); no
            biases)
        eta: initial learning rate (Default: 0.3)
        eta_decrement: linear decrease of eta per update, floored at 1e-5 (Default: 1e-5)
        syn_decay: weight decay per update (Default: 0.)
        w_bound: soft bound on |W| (Default: 0., off)
        distance_function: ("minkowski", p), ("euclidean", _), ("manhattan", _) or
            ("chebyshev", _) (Default: ("minkowski", 2))
        label_dim: number of label units; > 0 makes the model supervised (LVQ1) (Default: 0)
        initial_patterns: (X (D, P), Y (label_dim, P)) prototypes to store, P <= N
        langevin_noise_scale: zeta; > 0 adds Langevin noise to each update (Default: 0.)
        g_conduct_factor: kept for DenseSynapse's interface
        **kwargs: key, and DenseSynapse's p_release_mean, max_delay_steps, mask
    """

    labels: Compartment
    pred_labels: Compartment
    label_weights: Compartment
    eta: Compartment
    i_tick: Compartment
    dWeights: Compartment
    eta_decrement: Knob
    syn_decay: Knob
    w_bound: Knob

    def __init__(self, name, shape, eta=0.3, eta_decrement=0.00001, syn_decay=0., w_bound=0.,
                 distance_function=("minkowski", 2), label_dim=0, initial_patterns=None,
                 langevin_noise_scale=0., weight_init=None, g_conduct_factor=1., p_conn=1.,
                 batch_size=1, **kwargs):
        who = owner(type(self), name)
        g = alias_resist_scale(who, kwargs, g_conduct_factor)
        check_kwargs(who, kwargs, ("key", "p_release_mean", "max_delay_steps", "mask"))
        eta = check_number(who, "eta", eta)
        decrement = check_number(who, "eta_decrement", eta_decrement)
        syn_decay = check_number(who, "syn_decay", syn_decay, low=0.)
        w_bound = check_number(who, "w_bound", w_bound, low=0.)
        self.dist_order = distance_order(who, distance_function)
        if not (isinstance(label_dim, numbers.Integral) and not isinstance(label_dim, bool)):
            raise ValueError(f"{who}: label_dim must be an integer (<= 0: no labels), got "
                             f"{label_dim!r}")
        self.label_dim = int(label_dim)
        self.zeta = check_number(who, "langevin_noise_scale", langevin_noise_scale, low=0.)
        super().__init__(name, shape, weight_init=weight_init, bias_init=None,
                         g_conduct_factor=g, p_conn=p_conn, batch_size=batch_size, **kwargs)
        # if this raises, the core removes the half-built component (the Context is unchanged)
        self.K = 1   # winners per probe
        N, b, L = self.shape[1], self.batch_size, self.label_dim
        Wy = jnp.zeros((L, N)) if L > 0 else jnp.zeros((1, 1))
        if initial_patterns is not None:
            W, Wy = self._stored(who, initial_patterns, Wy)
            self.weights.set(keep_connections(W, self.mask.get()))
        label_rows = jnp.zeros((b, L)) if L > 0 else jnp.zeros((1, 1))
        self.labels = Compartment(label_rows, kind="input", display_name="Label Units")
        self.pred_labels = Compartment(label_rows, kind="output",
                                       display_name="Predicted Label Values")
        self.label_weights = Compartment(Wy, kind="parameter",
                                         display_name="Label Synapses / Memory")
        self.eta = Compartment(jnp.full((1, 1), eta), display_name="Dynamic step size")
        self.i_tick = Compartment(jnp.zeros((1, 1)), display_name="Updates so far")
        self.dWeights = Compartment(jnp.zeros(self.shape), kind="output",
                                    display_name="Synaptic update")
        self.eta_decrement = Knob(decrement, doc="decrease of eta per update")
        self.syn_decay = Knob(syn_decay, low=0., doc="weight decay per update")
        self.w_bound = Knob(w_bound, low=0., doc="soft bound on |W| (0: off)")

    def _stored(self, who, patterns, Wy) -> tuple[jnp.ndarray, jnp.ndarray]:
        """(W, Wy) with the patterns stored (shuffled among kept initial columns if P < N)."""
        (D, N), L = self.shape, self.label_dim
        if not isinstance(patterns, (tuple, list)) or len(patterns) != 2:
            raise ValueError(f"{who}: initial_patterns must be a pair (X (D, P), Y "
                             f"(label_dim, P)), got {type(patterns).__name__}")
        P = np.shape(patterns[0])[-1] if np.ndim(patterns[0]) == 2 else 0
        if not 1 <= P <= N:
            raise ValueError(f"{who}: initial_patterns X must be a (D, P) matrix with D = {D} "
                             f"and 1 <= P <= N = {N}, got shape {np.shape(patterns[0])}")
        X = as_matrix(who, "initial_patterns X", patterns[0], D, P)
        if L > 0:
            Y = as_matrix(who, "initial_patterns Y", patterns[1], L, P)
        if P == N:
            return X, (Y if L > 0 else Wy)
        order = jax.random.permutation(jax.random.split(self.key.get(), 3)[1], N)
        W = jnp.concatenate([X, self.weights.get()[:, :N - P]], axis=1)[:, order]
        if L > 0:
            Wy = jnp.concatenate([Y, Wy[:, :N - P]], axis=1)[:, order]
        return W, Wy

    @compilable
    def advance_state(self):
        x = unit_rows(self.inputs.get())
        if not self.inputs.wired:
            self.inputs.set(x)
        z = bkwta(-minkowski(x, self.weights.get(), self.dist_order), nWTA=self.K)
        self.outputs.set(z)
        if self.label_dim > 0:
            self.pred_labels.set(jnp.matmul(z, self.label_weights.get().T))

    def _signs(self, z) -> jnp.ndarray:
        """LVQ1's sign per probe: +1 towards a winner of the right (or no) label, -1 away."""
        y_mem = jnp.matmul(z, self.label_weights.get().T)
        labelled = jnp.sum(y_mem, axis=1, keepdims=True) > 0.
        same = jnp.argmax(self.labels.get(), axis=1, keepdims=True) == \
            jnp.argmax(y_mem, axis=1, keepdims=True)
        return jnp.where(labelled & ~same, -1., 1.)

    @compilable
    def evolve(self, t=0., dt=1.):  # t, dt unused: one code-book update
        W, z, eta = self.weights.get(), self.outputs.get(), self.eta.get()
        x = unit_rows(self.inputs.get())
        if self.label_dim > 0:
            x = x * self._signs(z)
        dW = jnp.matmul(x.T, z) - W * self.syn_decay.get()
        if self.zeta > 0.:   # Langevin noise (its draws follow ngc-learn's key use)
            key, sub, _ = jax.random.split(self.key.get(), 3)
            self.key.set(key)
            eps = jax.random.normal(sub, W.shape)
            dW = dW + jnp.sqrt(2. * eta) * eps + eps * (2. * eta) * self.zeta
        w_bound = self.w_bound.get()
        dW = jnp.where(w_bound > 0., dW * (w_bound - jnp.abs(W)), dW)
        self.dWeights.set(dW)
        self.weights.set(keep_connections(W + dW * eta, self.mask.get()))
        self.eta.set(jnp.maximum(ETA_MIN, eta - self.eta_decrement.get()))
        self.i_tick.set(self.i_tick.get() + 1.)

    @compilable
    def reset(self):
        super().reset()
        # eta, i_tick and the code-book keep what they learned (as in ngc-learn)
        reset_compartments([self.labels, self.pred_labels, self.dWeights])

    def _batched(self) -> list:
        extra = [(self.labels, 0., (self.label_dim,)),
                 (self.pred_labels, 0., (self.label_dim,))] if self.label_dim > 0 else []
        return super()._batched() + extra

    @classmethod
    def help(cls) -> dict:
        info = super().help()
        info[cls.__name__] = {"synapse_type": "VectorQuantizeSynapse - a vector-quantization "
                              "code-book adapted by competitive Hebbian learning (LVQ1 with "
                              "labels)"}
        comps = info["compartments"]
        comps["inputs"]["labels"] = "label of each probe (if supervised)"
        comps["states"].update({"label_weights": "label memory Wy (if supervised)",
                                "eta": "current learning rate", "i_tick": "updates so far"})
        comps["outputs"].update({"outputs": "winner mask (nearest prototype)",
                                 "pred_labels": "the winner's label (if supervised)",
                                 "dWeights": "update of W at time t"})
        info["dynamics"] = ("outputs = [d(x/|x|, W_n) == min_n]; dW = (s x)^T z - syn_decay W "
                            "(s = +-1 by label match); W <- W + eta dW; eta <- max(1e-5, eta - "
                            "eta_decrement)")
        hyper = info["hyperparameters"]
        hyper.pop("bias_init", None)
        hyper.update({
            "eta": "initial learning rate", "eta_decrement": "decrease of eta per update",
            "syn_decay": "weight decay", "w_bound": "soft bound on |W| (0: off)",
            "distance_function": "(name, order) of the distance finding the winner",
            "label_dim": "number of label units (> 0: supervised LVQ1)",
            "initial_patterns": "(X, Y) prototypes stored at construction",
            "langevin_noise_scale": "scale of the Langevin noise of each update (0: off)"})
        return info
