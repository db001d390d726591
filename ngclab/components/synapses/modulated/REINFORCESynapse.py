"""REINFORCESynapse: a stochastic cable whose Gaussian policy is trained by REINFORCE (the
likelihood-ratio policy gradient; Williams 1992), as ngc-learn 3.2.3's REINFORCESynapse.

W = [W_mu, W_logstd] has shape (n_inputs, 2 n_outputs). For inputs x and rewards r (one per
sample, usually r - baseline), ``evolve(dt)`` samples actions and climbs the policy gradient:

| a = act_fx(x) ;  m = a W_mu ;  mu = mu_act_fx(m) ;  l = a W_logstd
| sigma = exp(clip(l, -10, 2))               (sigma = scalar_stddev if scalar_stddev > 0)
| y = clip(mu + sigma eps, mu_out_min, mu_out_max),  eps ~ N(0, 1)      (outputs: the actions)
| objective = -0.01 mean_b [r_b sum_k log N(y_bk; mu_bk, sigma_bk)]
| dWeights = -d objective / dW = 0.01 / B [a^T (r (y - mu) / sigma^2 mu_act_fx'(m)),
|                                          a^T (r ((y - mu)^2 / sigma^2 - 1) [-10 <= l <= 2])]
| W <- clip(W + eta dWeights, 0, w_bound) where learning_mask = 1 (else W is kept)
| n <- n + 1 ;  G <- (n - 1) / n decay G + dWeights / n ;  n <- 0 where learning_mask = 1

(The log-std gradient is not used with a fixed scalar_stddev.) Averaged over actions, dWeights
is 0.01 times the gradient of the expected reward: E[r d log p / dW] = d E[r] / dW.

The sampling key lives in the ``seed`` compartment (from the constructor's seed, 42 if None).
``advance_state`` writes the policy's mean action clip(mu, mu_out_min, mu_out_max) into outputs.

Compartments: DenseSynapse's + rewards, learning_mask (inputs), dWeights, objective (outputs),
accumulated_gradients, step_count, seed (states). Knobs: eta, decay, scalar_stddev.

Differences from ngc-learn 3.2.3, where it is broken: ``reset`` restores the constructor's seed
(ngc-learn restores 42 whatever the seed) and keeps dWeights' shape (n_inputs, 2 n_outputs)
(ngc-learn resets it to (n_inputs, n_outputs)); ``advance_state`` gives the mean action
(ngc-learn's inherited transform writes the (batch, 2 n_outputs) product x W into the
(batch, n_outputs) outputs); ``p_conn`` sparsifies W (ngc-learn passes it as p_release_mean).
"""
from __future__ import annotations

import math
import numbers

import jax
import jax.numpy as jnp

from ngclab.core import Compartment, Knob, compilable
from ngclab.components.activations import make_activation
from ngclab.components.layers import reset_compartments
from ngclab.components.validation import check_number, owner
from ngclab.components.synapses.denseSynapse import DenseSynapse, synapse_shape
from ngclab.components.synapses.hebbian._stdp import check_bound, keep_connections
from ngclab.utils.model_utils import d_clip

LOGSTD_RANGE = (-10., 2.)   # log sigma is clipped to this range
OBJECTIVE_SCALE = 1e-2      # ngc-learn's scale of the objective (and so of the gradient)
DEFAULT_SEED = 42


def gaussian_log_density(y, mean, std):
    """log N(y; mean, std^2), elementwise."""
    return -0.5 * (jnp.log(2. * jnp.pi * std ** 2) + (y - mean) ** 2 / std ** 2)


def activation(who: str, pname: str, name):
    """(f, f') of an activation name (None: identity); the error names the parameter."""
    try:
        return make_activation(who, "identity" if name is None else name)
    except ValueError as err:
        raise ValueError(str(err).replace("unknown act_fx", f"unknown {pname}")) from None


def check_action_bound(who: str, pname: str, value) -> float:
    """A bound of the actions: a number that may be infinite (no bound), never NaN."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value):
        raise TypeError(f"{who}: {pname} must be a number (+-inf: no bound), got {value!r}")
    return float(value)


class REINFORCESynapse(DenseSynapse):
    """A stochastic synaptic cable with a Gaussian policy trained by REINFORCE.

    Args:
        name: the synapse's name
        shape: (n_inputs, n_outputs); W holds the means' and the log-stds' weights side by side
        eta: learning rate (Default: 1e-4)
        decay: decay of the running average of the gradients (Default: 0.99)
        weight_init, g_conduct_factor, p_conn, batch_size: as DenseSynapse (no biases)
        act_fx: activation of the inputs (None: identity)
        w_bound: weights are clipped to [0, w_bound] (Default: 1.)
        seed: integer seed of the sampling key (None: 42)
        mu_act_fx: activation of the mean (None: identity)
        mu_out_min, mu_out_max: bounds of the actions (Default: -inf, inf)
        scalar_stddev: a fixed standard deviation; <= 0 learns it (Default: -1.)
        **kwargs: key, and DenseSynapse's p_release_mean, max_delay_steps, mask
    """

    outputs: Compartment                # sampled actions (batch, n_outputs) (replaces the
    #                                     dense transform's (batch, 2 n_outputs) outputs)
    dWeights: Compartment               # the policy-gradient update of the last evolve
    objective: Compartment              # the (scaled, negated) REINFORCE objective
    rewards: Compartment                # rewards (batch,), usually r - baseline
    accumulated_gradients: Compartment  # running average G of the updates
    step_count: Compartment             # updates since the last learning step
    learning_mask: Compartment          # 1: this evolve learns, 0: it only samples
    seed: Compartment                   # PRNG key of the action samples
    eta: Knob
    decay: Knob
    scalar_stddev: Knob

    def __init__(self, name, shape, eta=1e-4, decay=0.99, weight_init=None, g_conduct_factor=1.,
                 act_fx=None, p_conn=1., w_bound=1., batch_size=1, seed=None, mu_act_fx=None,
                 mu_out_min=-jnp.inf, mu_out_max=jnp.inf, scalar_stddev=-1.0, **kwargs):
        who = owner(type(self), name)
        n_in, n_act = synapse_shape(who, shape)
        super().__init__(name, (n_in, 2 * n_act), weight_init=weight_init, bias_init=None,
                         g_conduct_factor=g_conduct_factor, p_conn=p_conn,
                         batch_size=batch_size, **kwargs)
        # if a check raises, the core removes the half-built component (the Context is unchanged)
        vals = {p: check_number(who, p, v) for p, v in (
            ("eta", eta), ("decay", decay), ("scalar_stddev", scalar_stddev))}
        self.w_bound = check_bound(who, "w_bound", w_bound, 0.)
        self.act_fx, self.dact_fx = activation(who, "act_fx", act_fx)
        self.mu_act_fx, self.dmu_act_fx = activation(who, "mu_act_fx", mu_act_fx)
        self.mu_out_min = check_action_bound(who, "mu_out_min", mu_out_min)
        self.mu_out_max = check_action_bound(who, "mu_out_max", mu_out_max)
        if self.mu_out_min >= self.mu_out_max:
            raise ValueError(f"{who}: mu_out_min must be < mu_out_max, got {mu_out_min} and "
                             f"{mu_out_max}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)
                                 or not 0 <= seed < 2 ** 32):
            raise ValueError(f"{who}: seed must be None or an integer in [0, 2**32), got "
                             f"{seed!r}")
        self.seed_value = DEFAULT_SEED if seed is None else int(seed)
        self.action_shape = (n_in, n_act)
        b = self.batch_size
        self.outputs = Compartment(jnp.zeros((b, n_act)), kind="output",
                                   display_name="Sampled actions")
        self.dWeights = Compartment(jnp.zeros(self.shape), kind="output",
                                    display_name="Policy-gradient update")
        self.objective = Compartment(jnp.zeros(()), kind="output", display_name="Objective")
        self.rewards = Compartment(jnp.zeros((b,)), kind="input", display_name="Rewards")
        self.accumulated_gradients = Compartment(jnp.zeros(self.shape),
                                                 display_name="Running average of updates")
        self.step_count = Compartment(jnp.zeros(()), display_name="Updates since learning")
        self.learning_mask = Compartment(jnp.zeros(()), kind="input",
                                         display_name="Learning switch (1: learn)")
        self.seed = Compartment(jax.random.PRNGKey(self.seed_value),
                                display_name="Sampling key")
        self.eta = Knob(vals["eta"], doc="learning rate")
        self.decay = Knob(vals["decay"], doc="decay of the running average of the updates")
        self.scalar_stddev = Knob(vals["scalar_stddev"], doc="fixed action std (<= 0: learned)")

    def _policy(self, x):
        """(a, m, mu, l, sigma, learned std?) of the Gaussian policy at inputs x."""
        W_mu, W_logstd = jnp.split(self.weights.get(), 2, axis=-1)
        a = self.act_fx(x)
        m = a @ W_mu
        l = a @ W_logstd
        fixed = self.scalar_stddev.get()
        learned = (fixed <= 0.).astype(jnp.float32)
        sigma = learned * jnp.exp(jnp.clip(l, *LOGSTD_RANGE)) + (1. - learned) * fixed
        return a, m, self.mu_act_fx(m), l, sigma, learned

    def _policy_gradient(self, x, rewards, key):
        """(dWeights, objective, actions) of one batch of sampled actions."""
        a, m, mu, l, sigma, learned = self._policy(x)
        y = jnp.clip(mu + sigma * jax.random.normal(key, mu.shape), self.mu_out_min,
                     self.mu_out_max)
        log_p = jnp.sum(gaussian_log_density(y, mu, sigma), axis=-1)
        objective = jnp.mean(-log_p * rewards) * OBJECTIVE_SCALE
        weight = rewards[:, None] * OBJECTIVE_SCALE / x.shape[0]   # -d objective / d log p
        d_mu = weight * (y - mu) / sigma ** 2 * self.dmu_act_fx(m)
        d_logstd = weight * (-1. / sigma + (y - mu) ** 2 / sigma ** 3) * sigma \
            * d_clip(l, *LOGSTD_RANGE)
        dW = jnp.concatenate([a.T @ d_mu, (a.T @ d_logstd) * learned], axis=-1)
        return dW, objective, y

    @compilable
    def advance_state(self):
        _, _, mu, _, _, _ = self._policy(self.inputs.get())
        self.outputs.set(jnp.clip(mu, self.mu_out_min, self.mu_out_max))

    @compilable
    def evolve(self, dt):
        key, sub = jax.random.split(self.seed.get())
        dW, objective, actions = self._policy_gradient(self.inputs.get(), self.rewards.get(), sub)
        W, learn = self.weights.get(), self.learning_mask.get()
        W = jnp.clip((W + dW * self.eta.get()) * learn + W * (1. - learn), 0., self.w_bound)
        n = self.step_count.get() + 1.
        G = (n - 1.) / n * self.accumulated_gradients.get() * self.decay.get() + dW / n
        self.weights.set(keep_connections(W, self.mask.get()))
        self.dWeights.set(dW)
        self.objective.set(objective)
        self.outputs.set(actions)
        self.accumulated_gradients.set(G)
        self.step_count.set(n * (1. - learn))   # counting restarts after a learning step
        self.seed.set(key)

    @compilable
    def reset(self):
        b, (n_in, n_act) = self.batch_size, self.action_shape
        if not self.inputs.targeted:
            self.inputs.set(jnp.zeros((b, n_in)))
        self.outputs.set(jnp.zeros((b, n_act)))
        reset_compartments([self.delayed_inputs, self.input_delay_buffer, self.objective,
                            self.rewards, self.dWeights, self.accumulated_gradients,
                            self.step_count], ones=[self.gate])  # wired inputs keep their wire
        self.seed.set(jax.random.PRNGKey(self.seed_value))

    def _batched(self) -> list:
        out = [c for c in super()._batched() if c[0] is not self.outputs]
        return out + [(self.outputs, 0., (self.action_shape[1],)), (self.rewards, 0., ())]

    @classmethod
    def help(cls) -> dict:
        info = super().help()
        info[cls.__name__] = {"synapse_type": "REINFORCESynapse - a stochastic synaptic cable "
                                              "whose Gaussian policy is trained by REINFORCE "
                                              "(policy gradient)"}
        info["compartments"]["inputs"].update({
            "rewards": "rewards, usually normalised by a baseline (r - r_hat)",
            "learning_mask": "1: the next evolve learns, 0: it only samples"})
        info["compartments"]["states"].update({
            "accumulated_gradients": "running average of the updates",
            "step_count": "updates since the last learning step",
            "seed": "PRNG key of the action samples"})
        info["compartments"]["outputs"].update({
            "outputs": "sampled actions (advance_state: the mean action)",
            "objective": "the REINFORCE objective (to minimise)",
            "dWeights": "policy-gradient update of W"})
        info["dynamics"] = ("mu = mu_act_fx(act_fx(x) W_mu); sigma = exp(act_fx(x) W_logstd); "
                            "outputs ~ N(mu, sigma); dW = -d/dW mean(-r log p(outputs)) * 0.01")
        hyper = info["hyperparameters"]
        del hyper["bias_init"]
        hyper.update({
            "shape": "(number of inputs, number of actions)", "eta": "learning rate",
            "decay": "decay of the running average of the updates",
            "act_fx": "activation of the inputs", "w_bound": "upper bound of the weights",
            "seed": "seed of the sampling key (None: 42)",
            "mu_act_fx": "activation of the mean action",
            "mu_out_min": "lower bound of the actions", "mu_out_max": "upper bound of the actions",
            "scalar_stddev": "fixed standard deviation (<= 0: learned)"})
        return info
