"""SOMSynapse: a self-organizing (Kohonen) map as a synaptic cable (ngc-learn 3.2.3).

The n_units_x * n_units_y output units sit on a rectangular grid; unit u = i * n_units_y + j
has coordinates c_u = (i, j). Column u of W (n_inputs, n_units) is that unit's prototype.

| advance_state:  d_bu = dist(x_b, W_:u)            (euclidean, manhattan or cosine distance)
|                 bmu_b = argmin_u d_bu             (best-matching unit)
|                 h_bu = k(|c_u - c_bmu_b|, radius)  (gaussian e^{-r^2 / 2 sigma^2}, or ricker
|                                                     e^{-r^2 / 2 sigma^2} (1 - r^2 / sigma^2) >= 0)
|                 delta_biu = x_bi - W_iu ;  outputs = softmax(h * g_conduct_factor)
| evolve:         radius <- radius (1 - 1 / tau_radius) ;  eta <- eta (1 - 1 / tau_eta)
|                 dWeights = mean_b delta_b * h_b * eta ;  W <- W + dWeights ;  i_tick += 1

Each update pulls the prototypes of the best-matching unit and its grid neighbours towards the
input; learning rate and neighbourhood radius shrink exponentially with the number of updates
(tau_eta = 50000 updates, tau_radius = tau_eta / ln(radius_0), radius_0 = max(n_x, n_y) / 2).

Compartments: DenseSynapse's + radius, eta, i_tick (states), bmu, delta, neighbor_weights,
dWeights (outputs). Knob: tau_eta (ngclab extension), g_conduct_factor.

Differences from ngc-learn 3.2.3, where it is broken: rectangular maps work (ngc-learn builds
the grid coordinates only when n_units_x == n_units_y and fails otherwise); ``p_conn`` masks
prototype entries and keeps them at 0 (ngc-learn passes it as p_release_mean, which this class
never reads); unknown distance or neighbourhood names are errors (ngc-learn falls back to
euclidean / gaussian).
"""
from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from ngclab.core import Compartment, Knob, compilable
from ngclab.components.layers import reset_compartments
from ngclab.components.validation import check_choice, check_count, check_number, owner
from ngclab.components.synapses.denseSynapse import DenseSynapse
from ngclab.components.synapses.hebbian._stdp import keep_connections
from ngclab.utils.model_utils import softmax

TAU_ETA = 50000.  # updates over which the learning rate falls by e


def euclidean(x, W):
    """(distance (B, U), delta (B, I, U)) of each input row to each prototype column."""
    delta = x[:, :, None] - W[None, :, :]
    return jnp.linalg.norm(delta, axis=1), delta


def manhattan(x, W):
    delta = x[:, :, None] - W[None, :, :]
    return jnp.sum(jnp.abs(delta), axis=1), delta


def cosine(x, W):
    delta = x[:, :, None] - W[None, :, :]
    norms = jnp.linalg.norm(x, axis=1, keepdims=True) * jnp.linalg.norm(W, axis=0, keepdims=True)
    return 1. - (x @ W) / norms, delta


def gaussian(r, sigma):
    return jnp.exp(-jnp.square(r) / (2. * jnp.square(sigma)))


def ricker(r, sigma):
    """The Mexican hat, clipped at 0 (a negative neighbourhood would push prototypes away)."""
    return jnp.maximum(gaussian(r, sigma) * (1. - jnp.square(r) / jnp.square(sigma)), 0.)


DISTANCES = {"euclidean": euclidean, "manhattan": manhattan, "cosine": cosine}
NEIGHBORHOODS = {"gaussian": gaussian, "ricker": ricker}


class SOMSynapse(DenseSynapse):
    """A self-organizing map: competitive Hebbian learning over a rectangular grid of units.

    Args:
        name: the synapse's name
        n_inputs: number of inputs
        n_units_x, n_units_y: the grid's size (n_units_x * n_units_y output units)
        eta: initial learning rate (Default: 0.5)
        distance_function: "euclidean", "manhattan" or "cosine" (Default: "euclidean")
        neighbor_function: "gaussian" or "ricker" (Mexican hat) (Default: "gaussian")
        weight_init, g_conduct_factor, p_conn, batch_size: as DenseSynapse (no biases)
        **kwargs: key, and DenseSynapse's p_release_mean, max_delay_steps, mask
    """

    radius: Compartment             # neighbourhood radius (sigma), decays per update
    eta: Compartment                # learning rate, decays per update
    i_tick: Compartment             # number of updates so far
    bmu: Compartment                # best-matching unit of each sample (int32)
    delta: Compartment              # x - W for each sample and unit
    neighbor_weights: Compartment   # neighbourhood weighting around each sample's bmu
    dWeights: Compartment           # the update of the last evolve
    tau_eta: Knob

    def __init__(self, name, n_inputs, n_units_x, n_units_y, eta=0.5,
                 distance_function="euclidean", neighbor_function="gaussian", weight_init=None,
                 g_conduct_factor=1., p_conn=1., batch_size=1, **kwargs):
        who = owner(type(self), name)
        dims = [check_count(who, p, v) for p, v in (("n_inputs", n_inputs),
                                                    ("n_units_x", n_units_x),
                                                    ("n_units_y", n_units_y))]
        super().__init__(name, (dims[0], dims[1] * dims[2]), weight_init=weight_init,
                         bias_init=None, g_conduct_factor=g_conduct_factor, p_conn=p_conn,
                         batch_size=batch_size, **kwargs)
        # if a check raises, the core removes the half-built component (the Context is unchanged)
        eta = check_number(who, "eta", eta)
        self.distance_function = check_choice(who, "distance_function", distance_function,
                                              DISTANCES)
        self.neighbor_function = check_choice(who, "neighbor_function", neighbor_function,
                                              NEIGHBORHOODS)
        self.n_inputs, self.n_units_x, self.n_units_y = dims
        rows, cols = np.meshgrid(np.arange(dims[1]), np.arange(dims[2]), indexing="ij")
        self.coords = jnp.asarray(np.stack([rows.ravel(), cols.ravel()], axis=1), jnp.float32)
        self.initial_radius = max(dims[1], dims[2]) / 2.
        n_in, n_units, b = self.shape[0], self.shape[1], self.batch_size
        self.radius = Compartment(jnp.full((1, 1), self.initial_radius),
                                  display_name="Neighbourhood radius")
        self.eta = Compartment(jnp.full((1, 1), eta), display_name="Learning rate")
        self.i_tick = Compartment(jnp.zeros((1, 1)), display_name="Updates so far")
        self.bmu = Compartment(jnp.zeros((b, 1), jnp.int32), kind="output",
                               display_name="Best-matching unit")
        self.delta = Compartment(jnp.zeros((b, n_in, n_units)), kind="output",
                                 display_name="Input minus prototypes")
        self.neighbor_weights = Compartment(jnp.zeros((b, n_units)), kind="output",
                                            display_name="Neighbourhood weights")
        self.dWeights = Compartment(jnp.zeros(self.shape), kind="output",
                                    display_name="Synaptic update")
        self.tau_eta = Knob(TAU_ETA, low=1., doc="updates over which eta (and the radius) decay")

    def _neighbourhood(self, bmu) -> jnp.ndarray:
        """k(|c_u - c_bmu|, radius) for each sample (rows) and unit (columns)."""
        gap = self.coords[None, :, :] - self.coords[bmu[:, 0]][:, None, :]
        kernel = NEIGHBORHOODS[self.neighbor_function]
        return kernel(jnp.linalg.norm(gap, axis=2), self.radius.get())

    @compilable
    def advance_state(self):
        d, delta = DISTANCES[self.distance_function](self.inputs.get(), self.weights.get())
        bmu = jnp.argmin(d, axis=1, keepdims=True).astype(jnp.int32)
        h = self._neighbourhood(bmu)
        self.bmu.set(bmu)
        self.delta.set(delta)
        self.neighbor_weights.set(h)
        self.outputs.set(softmax(h * self.g_conduct_factor.get()))

    @compilable
    def evolve(self, t, dt):
        tau_eta = self.tau_eta.get()
        # (rates 1 / tau: a scan turns x / tau into x * (1 / tau) anyway)
        radius_rate = jnp.log(self.initial_radius) * (1. / tau_eta)   # 1 / tau_radius
        radius = self.radius.get() - self.radius.get() * radius_rate
        eta = self.eta.get() - self.eta.get() * (1. / tau_eta)
        dW = jnp.mean(self.delta.get() * self.neighbor_weights.get()[:, None, :] * eta, axis=0)
        self.radius.set(radius)
        self.eta.set(eta)
        self.weights.set(keep_connections(self.weights.get() + dW, self.mask.get()))
        self.dWeights.set(dW)
        self.i_tick.set(self.i_tick.get() + 1.)

    @compilable
    def reset(self):
        super().reset()
        # zeros; radius, eta and i_tick keep their learned schedule (as in ngc-learn)
        reset_compartments([self.dWeights, self.delta, self.neighbor_weights])
        self.bmu.set(jnp.zeros((self.batch_size, 1), jnp.int32))

    def _batched(self) -> list:
        return super()._batched() + [(self.delta, 0., self.shape),
                                     (self.neighbor_weights, 0., (self.shape[1],))]

    def batched_reset(self, batch_size):
        super().batched_reset(batch_size)
        self.bmu.resize(jnp.zeros((self.batch_size, 1), jnp.int32))

    @classmethod
    def help(cls) -> dict:
        info = super().help()
        info[cls.__name__] = {"synapse_type": "SOMSynapse - a self-organizing (Kohonen) map: "
                                              "prototypes adapted by competitive Hebbian "
                                              "learning over a grid topology"}
        info["compartments"]["states"].update({
            "radius": "neighbourhood radius", "eta": "current learning rate",
            "i_tick": "number of updates so far"})
        info["compartments"]["outputs"].update({
            "bmu": "best-matching unit of each sample",
            "delta": "inputs minus each unit's prototype",
            "neighbor_weights": "neighbourhood weighting around the bmu"})
        info["compartments"]["analytics"] = {"dWeights": "update of W at time t"}
        info["dynamics"] = ("bmu = argmin_u dist(x, W_u); outputs = softmax(k(|c_u - c_bmu|, "
                            "radius)); dW = mean_batch (x - W_u) k(|c_u - c_bmu|, radius) eta")
        hyper = info["hyperparameters"]
        for gone in ("shape", "bias_init"):
            del hyper[gone]
        hyper.update({"n_inputs": "number of inputs",
                      "n_units_x": "grid size along x", "n_units_y": "grid size along y",
                      "eta": "initial learning rate",
                      "distance_function": "euclidean, manhattan or cosine",
                      "neighbor_function": "gaussian or ricker (Mexican hat)"})
        return info
