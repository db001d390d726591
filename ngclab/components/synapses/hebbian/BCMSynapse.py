"""BCMSynapse: a dense cable adjusted by Bienenstock-Cooper-Munro (BCM) theory.

Transform (as DenseSynapse): outputs = ((x @ (W * mask)) * gate) * g_conduct_factor + b (b = 0).
With pre-synaptic x = ``pre``, post-synaptic y = ``post`` and eps = 1e-7, ``evolve(t, dt)``:

| post_term = y (y - theta) / (theta + eps)
| dW = x^T post_term,  times (w_bound - |W|) if w_bound > 0 ;  dW <- dW - w_decay W
| W <- W + dt / tau_w * dW ;  W <- W * mask
| theta <- theta + dt / tau_theta * (<y^2>_batch - theta)

theta starts at theta0 and is not reset by ``reset`` (it is a slow threshold), as in ngc-learn.

Differences from ngc-learn 3.2.3, where it is broken: ``p_conn`` sparsifies W (ngc-learn passes
it into DenseSynapse's p_release_mean slot, whose code path then raises); the p_conn mask
persists through learning; ``reset`` works (ngc-learn's calls ``.get()`` on plain ints).

Compartments: DenseSynapse's + pre, post (inputs), theta (state), post_term, dWeights (outputs).
Knobs: tau_w, tau_theta, w_decay, g_conduct_factor.
"""
from __future__ import annotations

import jax.numpy as jnp

from ngclab.core import Compartment, Knob, compilable
from ngclab.components.layers import reset_compartments
from ngclab.components.validation import check_kwargs, check_number, check_positive, owner
from ngclab.components.synapses.denseSynapse import DenseSynapse, alias_resist_scale

EPS = 1e-7


class BCMSynapse(DenseSynapse):
    """A synaptic cable whose efficacies follow BCM theory with a sliding threshold theta.

    | tau_w dW_ij/dt = -w_decay W_ij + x_j y_i (y_i - theta_i) / theta_i
    | tau_theta dtheta_i/dt = -theta_i + <y_i^2>_batch

    Args:
        name, shape, weight_init, p_conn, batch_size: as DenseSynapse (no biases)
        tau_w: time constant of the synaptic update
        tau_theta: time constant of the threshold
        theta0: initial threshold (Default: -1.)
        w_bound: soft bound scaling updates by (w_bound - |W|); 0 disables (Default: 0.)
        w_decay: synaptic decay factor (Default: 0.)
        g_conduct_factor: conductance factor of the transform (``resist_scale`` accepted)
        **kwargs: key, and DenseSynapse's p_release_mean, max_delay_steps, mask
    """

    pre: Compartment
    post: Compartment
    post_term: Compartment
    theta: Compartment
    dWeights: Compartment
    tau_w: Knob
    tau_theta: Knob
    w_decay: Knob

    def __init__(self, name, shape, tau_w, tau_theta, theta0=-1., w_bound=0., w_decay=0.,
                 weight_init=None, g_conduct_factor=1., p_conn=1., batch_size=1, **kwargs):
        who = owner(type(self), name)
        g = alias_resist_scale(who, kwargs, g_conduct_factor)
        check_kwargs(who, kwargs, ("key", "p_release_mean", "max_delay_steps", "mask"))
        tau_w = check_positive(who, "tau_w", tau_w)
        tau_theta = check_positive(who, "tau_theta", tau_theta)
        theta0 = check_number(who, "theta0", theta0)
        w_bound = check_number(who, "w_bound", w_bound, low=0.)
        w_decay = check_number(who, "w_decay", w_decay, low=0.)
        super().__init__(name, shape, weight_init=weight_init, bias_init=None,
                         g_conduct_factor=g, p_conn=p_conn, batch_size=batch_size, **kwargs)
        # if this raises, the core removes the half-built component (the Context is unchanged)
        self.theta0, self.w_bound = theta0, w_bound
        n_in, n_out = self.shape
        pre, post = jnp.zeros((self.batch_size, n_in)), jnp.zeros((self.batch_size, n_out))
        self.pre = Compartment(pre, kind="input")
        self.post = Compartment(post, kind="input")
        self.post_term = Compartment(post, kind="output")
        self.theta = Compartment(post + theta0, kind="state",
                                 display_name="synaptic modification threshold")
        self.dWeights = Compartment(jnp.zeros(self.shape), kind="output")
        self.tau_w = Knob(tau_w, low=1e-6, doc="time constant of the synaptic update")
        self.tau_theta = Knob(tau_theta, low=1e-6, doc="time constant of the threshold")
        self.w_decay = Knob(w_decay, low=0., doc="synaptic decay factor")

    @compilable
    def evolve(self, t, dt):
        W, x, y, theta = self.weights.get(), self.pre.get(), self.post.get(), self.theta.get()
        post_term = y * (y - theta) * (1. / (theta + EPS))
        dW = jnp.matmul(x.T, post_term)
        if self.w_bound > 0.:
            dW = dW * (self.w_bound - jnp.abs(W))
        dW = -W * self.w_decay.get() + dW
        self.weights.set((W + dW * dt / self.tau_w.get()) * self.mask.get())
        y2 = jnp.mean(jnp.square(y), axis=0, keepdims=True)
        self.theta.set(theta + (-theta + y2) * dt / self.tau_theta.get())
        self.dWeights.set(dW)
        self.post_term.set(post_term)

    @compilable
    def reset(self):
        super().reset()
        # zeros; wired inputs keep their wire
        reset_compartments([self.pre, self.post, self.dWeights, self.post_term])

    def _batched(self) -> list:
        n_in, n_out = self.shape
        return super()._batched() + [(self.pre, 0., (n_in,)), (self.post, 0., (n_out,)),
                                     (self.post_term, 0., (n_out,))]

    def batched_reset(self, batch_size):
        """Resize to a new batch size; theta keeps its (batch-shared) learned value."""
        row = jnp.asarray(self.theta.get())[:1]
        super().batched_reset(batch_size)
        self.theta.resize(jnp.broadcast_to(row, (self.batch_size, self.shape[1])))

    @classmethod
    def help(cls):
        info = super().help()
        info[cls.__name__] = {"synapse_type": "BCMSynapse - a dense synaptic transform adjusted "
                                              "by BCM theory with a sliding threshold"}
        info["compartments"]["inputs"].update({"pre": "pre-synaptic statistic (x_j)",
                                               "post": "post-synaptic statistic (y_i)"})
        info["compartments"]["states"]["theta"] = "synaptic modification threshold"
        info["compartments"]["outputs"].update({
            "dWeights": "update of W computed at time t",
            "post_term": "post-synaptic factor y (y - theta) / theta"})
        info["dynamics"] = ("outputs = ((x @ W) * gate) * g_conduct_factor; "
                            "tau_w dW_ij/dt = -w_decay W_ij + x_j y_i (y_i - theta_i) / theta_i; "
                            "tau_theta dtheta_i/dt = -theta_i + <y_i^2>_batch")
        info["hyperparameters"].update({
            "tau_w": "time constant of the synaptic update",
            "tau_theta": "time constant of the threshold theta",
            "theta0": "initial threshold", "w_bound": "soft bound of W (0: none)",
            "w_decay": "synaptic decay factor"})
        return info
