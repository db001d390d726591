"""InhibitorySTDPSynapse: a dense cable adapted by trace-based inhibitory STDP (iSTDP, Vogels et
al. 2011) or a voltage-dependent Foldiak anti-Hebbian rule (ngc-learn 3.2.3).

Transform (as DenseSynapse): outputs = ((x @ (W * mask)) * gate) * g_conduct_factor + b.
``evolve(t, dt)`` first low-pass filters the spikes into traces, then adapts W (B = batch size):

| x_pre <- x_pre + dt / tau_x_pre (s_pre - x_pre)
| x_post <- x_post + dt / tau_x_post (s_post - x_post)
| Vogels-Sprekeler:  P = x_pre^T s_post + s_pre^T x_post ;  D = 2 rho x_pre^T 1
|                    dWeights = (Aplus P (w_max - W) - Aminus D W) / B     (soft bounds)
|                    dWeights = (Aplus P - Aminus D) / B                    (use_soft_bounds=False)
| Foldiak:           d = x_pre^T (v_post - rho) / B ;  dWeights = d (w_max - W) if d > 0 else d W
| W <- clip(W + eta dWeights, w_min, w_max) * mask

Coincident pre/post activity strengthens the inhibition; pre-synaptic activity alone weakens it
in proportion to the target rate rho. With traces near the rates (x ~ r), the hard-bounded rule
balances where 2 r_pre r_post = 2 rho r_pre: inhibition grows until the post-synaptic cells fire
at the target rate rho per step (the homeostasis of the Vogels-Sprekeler rule).

Compartments: DenseSynapse's + s_pre, s_post, v_post (inputs), x_pre, x_post (states), dWeights
(output). Knobs: eta, rho, Aplus, Aminus, tau_x_pre, tau_x_post, g_conduct_factor. The upper
bound's former name ``w_bound`` is accepted (deprecated, as in ngc-learn).
"""
from __future__ import annotations

import warnings

import jax.numpy as jnp

from ngclab.core import Compartment, Knob, compilable
from ngclab.components.layers import rename_recorded, reset_compartments
from ngclab.components.ode import euler
from ngclab.components.validation import check_flag, check_number, check_positive, owner
from ngclab.components.synapses.denseSynapse import DenseSynapse
from ngclab.components.synapses.hebbian._stdp import add_ports, port_rest

LTD_BIAS = 2.  # depression scales with 2 rho x_pre (Vogels et al. 2011)
PORTS = (("s_pre", "pre", "Pre-synaptic spikes"), ("s_post", "post", "Post-synaptic spikes"),
         ("v_post", "post", "Post-synaptic voltage"))


def low_pass(x, s, tau, dt):
    """One Euler step of tau dx/dt = s - x."""
    return euler(lambda _, z: (s - z) * (1. / tau), x, dt)


class InhibitorySTDPSynapse(DenseSynapse):
    """A dense synaptic cable adapted by inhibitory STDP (Vogels-Sprekeler) or Foldiak's
    voltage-dependent anti-Hebbian rule.

    Args:
        name, shape, weight_init, bias_init, p_release_mean, p_conn, mask, batch_size: as
            DenseSynapse
        eta: global learning rate (Default: 1.)
        rho: target rate (Vogels-Sprekeler) or target voltage (Foldiak) (Default: 0.2)
        Aplus: weight of the coincidence (LTP) term (Default: 1.)
        Aminus: weight of the target-rate (LTD) term (Default: 1.)
        tau_x_pre: pre-synaptic trace time constant (ms) (Default: 30.)
        tau_x_post: post-synaptic trace time constant (ms) (Default: 30.)
        use_soft_bounds: scale LTP by (w_max - W) and LTD by W (Default: True)
        w_max: upper bound of the weights (Default: 1.) (``w_bound`` accepted)
        w_min: lower bound of the weights (Default: 0.)
        is_volt_dependent: use Foldiak's voltage-dependent rule (Default: False)
        g_conduct_factor: conductance factor of the transform
        **kwargs: key, and DenseSynapse's max_delay_steps
    """

    s_pre: Compartment           # pre-synaptic (inhibitory) spikes
    s_post: Compartment          # post-synaptic spikes
    v_post: Compartment          # post-synaptic voltage (Foldiak's rule)
    dWeights: Compartment        # the update of the last evolve
    x_pre: Compartment           # pre-synaptic trace
    x_post: Compartment          # post-synaptic trace
    eta: Knob
    rho: Knob
    Aplus: Knob
    Aminus: Knob
    tau_x_pre: Knob
    tau_x_post: Knob

    def __init__(self, name, shape, eta=1., rho=0.2, Aplus=1., Aminus=1., tau_x_pre=30.,
                 tau_x_post=30., use_soft_bounds=True, w_max=1., w_min=0.,
                 is_volt_dependent=False, weight_init=None, bias_init=None, g_conduct_factor=1.,
                 p_release_mean=1.0, p_conn=1., mask=None, batch_size=1, **kwargs):
        if "w_bound" in kwargs:  # ngc-learn 3.2.3 renamed w_bound to w_max
            warnings.warn(f"{owner(type(self), name)}: the argument 'w_bound' is deprecated, "
                          f"use 'w_max'", DeprecationWarning, stacklevel=3)
            w_max = kwargs.pop("w_bound")
            rename_recorded(self, "w_bound", "w_max")
        super().__init__(name, shape, weight_init=weight_init, bias_init=bias_init,
                         g_conduct_factor=g_conduct_factor, p_release_mean=p_release_mean,
                         p_conn=p_conn, mask=mask, batch_size=batch_size, **kwargs)
        # if a check raises, the core removes the half-built component (the Context is unchanged)
        who = owner(type(self), name)
        vals = {p: check_number(who, p, v) for p, v in (
            ("eta", eta), ("rho", rho), ("Aplus", Aplus), ("Aminus", Aminus))}
        taus = {p: check_positive(who, p, v) for p, v in (("tau_x_pre", tau_x_pre),
                                                           ("tau_x_post", tau_x_post))}
        self.use_soft_bounds = check_flag(who, "use_soft_bounds", use_soft_bounds)
        self.is_volt_dependent = check_flag(who, "is_volt_dependent", is_volt_dependent)
        self.w_min = check_number(who, "w_min", w_min)
        self.w_max = check_number(who, "w_max", w_max)
        if self.w_max <= self.w_min:
            raise ValueError(f"{who}: w_max must be > w_min, got w_max={self.w_max}, "
                             f"w_min={self.w_min}")
        add_ports(self, PORTS)
        n_in, n_out = self.shape
        self.x_pre = Compartment(jnp.zeros((self.batch_size, n_in)),
                                 display_name="Pre-synaptic trace")
        self.x_post = Compartment(jnp.zeros((self.batch_size, n_out)),
                                  display_name="Post-synaptic trace")
        self.eta = Knob(vals["eta"], doc="global learning rate")
        self.rho = Knob(vals["rho"], doc="target rate (or target voltage, Foldiak)")
        self.Aplus = Knob(vals["Aplus"], doc="weight of the coincidence (LTP) term")
        self.Aminus = Knob(vals["Aminus"], doc="weight of the target-rate (LTD) term")
        self.tau_x_pre = Knob(taus["tau_x_pre"], low=1e-6, doc="pre-synaptic trace time "
                                                               "constant (ms)")
        self.tau_x_post = Knob(taus["tau_x_post"], low=1e-6, doc="post-synaptic trace time "
                                                                 "constant (ms)")
        self.weights.set(self.weights.get() * self.mask.get())

    def _vogels_sprekeler(self, W, s_pre, x_pre, s_post, x_post) -> jnp.ndarray:
        potentiation = x_pre.T @ s_post + s_pre.T @ x_post
        depression = (x_pre.T @ jnp.ones_like(s_post)) * (LTD_BIAS * self.rho.get())
        if self.use_soft_bounds:
            potentiation, depression = potentiation * (self.w_max - W), depression * W
        return (potentiation * self.Aplus.get() - depression * self.Aminus.get()) / s_pre.shape[0]

    def _foldiak(self, W, x_pre) -> jnp.ndarray:
        dW = x_pre.T @ (self.v_post.get() - self.rho.get()) / x_pre.shape[0]
        return dW * jnp.where(dW > 0., self.w_max - W, W)

    @compilable
    def evolve(self, t, dt):
        W, s_pre, s_post = self.weights.get(), self.s_pre.get(), self.s_post.get()
        x_pre = low_pass(self.x_pre.get(), s_pre, self.tau_x_pre.get(), dt)
        x_post = low_pass(self.x_post.get(), s_post, self.tau_x_post.get(), dt)
        if self.is_volt_dependent:
            dW = self._foldiak(W, x_pre)
        else:
            dW = self._vogels_sprekeler(W, s_pre, x_pre, s_post, x_post)
        W = jnp.clip(W + dW * self.eta.get(), self.w_min, self.w_max)
        self.weights.set(W * self.mask.get())
        self.x_pre.set(x_pre)
        self.x_post.set(x_post)
        self.dWeights.set(dW)

    @compilable
    def reset(self):
        super().reset()
        reset_compartments([self.s_pre, self.s_post, self.v_post, self.x_pre, self.x_post,
                            self.dWeights])  # zeros; wired inputs keep their wire

    def _batched(self) -> list:
        n_in, n_out = self.shape
        return super()._batched() + port_rest(self, PORTS) + [(self.x_pre, 0., (n_in,)),
                                                              (self.x_post, 0., (n_out,))]

    @classmethod
    def help(cls) -> dict:
        info = super().help()
        info[cls.__name__] = {"synapse_type": "InhibitorySTDPSynapse - a dense synaptic "
                                              "transform adapted by trace-based inhibitory "
                                              "STDP (iSTDP) or Foldiak anti-Hebbian learning"}
        info["compartments"]["inputs"].update({
            "s_pre": "pre-synaptic spikes (s_j)", "s_post": "post-synaptic spikes (s_i)",
            "v_post": "post-synaptic voltage (v_i, Foldiak's rule)"})
        info["compartments"]["states"].update({"x_pre": "pre-synaptic trace (z_j)",
                                               "x_post": "post-synaptic trace (z_i)"})
        info["compartments"]["analytics"] = {"dWeights": "update of W at time t"}
        info["dynamics"] = ("outputs = ((x @ W) * gate) * g_conduct_factor + b; "
                            "dW_ij = Aplus (z_j s_i + s_j z_i) (w_max - W_ij) "
                            "- Aminus 2 rho z_j W_ij (per sample)")
        info["hyperparameters"].update({
            "eta": "global learning rate", "rho": "target rate (Foldiak: target voltage)",
            "Aplus": "weight of the coincidence (LTP) term",
            "Aminus": "weight of the target-rate (LTD) term",
            "tau_x_pre": "pre-synaptic trace time constant",
            "tau_x_post": "post-synaptic trace time constant",
            "use_soft_bounds": "weight-dependent (soft-bounded) updates",
            "w_max": "upper bound of the weights", "w_min": "lower bound of the weights",
            "is_volt_dependent": "use Foldiak's voltage-dependent rule"})
        return info
