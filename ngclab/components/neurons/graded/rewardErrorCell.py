"""RewardErrorCell: a reward prediction error (RPE) cell with a moving-average reward predictor.

advance_state (every step):

| rpe = reward - mu                               (with mu before this step's update)
| mu <- (1 - alpha) mu + alpha reward              (only with use_online_predictor)
| accum_reward <- accum_reward + reward ;  n_ep_steps <- n_ep_steps + 1

evolve (e.g. at the end of an episode), with W = ema_window_len:

| mu <- (1 - 1/W) mu + (1/W) accum_reward / n_ep_steps     (unchanged while n_ep_steps = 0)

Note: ngc-learn 3.2.3 runs the evolve update only WITH the online predictor, so without it mu
never changes, contrary to its documentation ("if False, reward prediction will only occur upon
a call to evolve"). ngclab runs the episodic update in evolve in both modes: with the online
predictor the numbers are ngc-learn's; without it mu learns at each evolve, as documented.

Compartments: reward, accum_reward (inputs), mu, n_ep_steps (states), rpe (output).
Knobs: alpha, ema_window_len.
"""
from __future__ import annotations

import jax.numpy as jnp

from ngclab.core import Compartment, Component, Knob, compilable
from ngclab.components.layers import reset_compartments, resize_batch
from ngclab.components.validation import check_count, check_flag, check_kwargs, check_number, owner


class RewardErrorCell(Component):
    """A reward prediction error (RPE) cell.

    Args:
        name: the cell's name
        n_units: number of units
        alpha: decay factor of the online (exponential moving average) reward prediction
        ema_window_len: window length W of the episodic moving average applied by ``evolve``
            (Default: 10)
        use_online_predictor: update the prediction mu at every step (Default: True); if
            False mu changes only in ``evolve``
        batch_size: batch dimension
    """

    mu: Compartment
    reward: Compartment
    rpe: Compartment
    accum_reward: Compartment
    n_ep_steps: Compartment
    alpha: Knob
    ema_window_len: Knob

    def __init__(self, name, n_units, alpha, ema_window_len=10, use_online_predictor=True,
                 batch_size=1, **kwargs):
        who = owner(type(self), name)
        check_kwargs(who, kwargs)
        a = check_number(who, "alpha", alpha)
        w = float(check_count(who, "ema_window_len", ema_window_len))  # a number of episodes
        online = check_flag(who, "use_online_predictor", use_online_predictor)
        n = check_count(who, "n_units", n_units)
        batch = check_count(who, "batch_size", batch_size)
        super().__init__(name, **kwargs)
        self.n_units, self.batch_size, self.dims = n, batch, (n,)
        self.use_online_predictor = online
        rest = jnp.zeros((batch, n))
        self.mu = Compartment(rest, kind="state", display_name="reward prediction")
        self.reward = Compartment(rest, kind="input", display_name="reward")
        self.rpe = Compartment(rest, kind="output", display_name="reward prediction error")
        self.accum_reward = Compartment(rest, kind="input", display_name="accumulated reward")
        self.n_ep_steps = Compartment(jnp.zeros((batch, 1)), kind="state",
                                      display_name="episode steps")
        self.alpha = Knob(a, doc="decay factor of the online reward prediction")
        self.ema_window_len = Knob(w, low=1., doc="window of the episodic moving average")

    @compilable
    def advance_state(self, dt=1.):  # dt unused: an instantaneous update
        mu, reward = self.mu.get(), self.reward.get()
        self.rpe.set(reward - mu)
        if self.use_online_predictor:
            alpha = self.alpha.get()
            self.mu.set(mu * (1. - alpha) + reward * alpha)
        self.n_ep_steps.set(self.n_ep_steps.get() + 1.)
        if not self.accum_reward.targeted:
            self.accum_reward.set(self.accum_reward.get() + reward)

    @compilable
    def evolve(self, dt=1.):  # dt unused: one episodic update
        mu, n = self.mu.get(), self.n_ep_steps.get()
        w = self.ema_window_len.get()
        mean_reward = self.accum_reward.get() / jnp.maximum(n, 1.)
        new_mu = (1. - 1. / w) * mu + (1. / w) * mean_reward
        self.mu.set(jnp.where(n > 0., new_mu, mu))

    @compilable
    def reset(self):
        reset_compartments([self.mu, self.rpe, self.accum_reward, self.n_ep_steps])

    def batched_reset(self, batch_size):
        """Reset to rest with a new batch size (a structure change: the model recompiles)."""
        self.batch_size = check_count(owner(type(self), self.name), "batch_size", batch_size)
        resize_batch([(c, 0.) for c in (self.mu, self.reward, self.rpe, self.accum_reward)],
                     self.batch_size, self.dims)
        resize_batch([(self.n_ep_steps, 0.)], self.batch_size, (1,))

    @classmethod
    def help(cls):
        return {
            cls.__name__: {"cell_type": "RewardErrorCell - reward prediction error with a "
                                        "moving-average reward predictor"},
            "compartments": {
                "inputs": {"reward": "reward at time t",
                           "accum_reward": "accumulated episodic reward"},
                "states": {"mu": "reward prediction", "n_ep_steps": "steps since reset"},
                "outputs": {"rpe": "reward prediction error reward - mu"},
            },
            "dynamics": "rpe = reward - mu; mu = (1 - alpha) mu + alpha reward (online); "
                        "accum_reward += reward; evolve: mu = (1 - 1/W) mu + (1/W) "
                        "accum_reward / n_ep_steps",
            "hyperparameters": {"n_units": "number of units", "alpha": "online decay factor",
                                "ema_window_len": "episodic moving-average window W",
                                "use_online_predictor": "update mu every step",
                                "batch_size": "batch dimension"},
        }
