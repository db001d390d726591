"""STPDenseSynapse: a dense cable with short-term facilitation and depression, the
Tsodyks-Markram model (ngc-learn 3.2.3's STPDenseSynapse).

Each connection (i, j) has a utilisation U_ij (``resources``), a release probability u_ij and a
fraction x_ij of available resources. A spike s_i on input line i facilitates u, releases the
fraction u x of the resources (the efficacy of that spike is W u x) and depletes x:

| u <- u - dt u / tau_f + U (1 - u) s_i          (tau_f = 0: u = U, no facilitation)
| Wdyn <- W u x s_i + Wdyn (1 - s_i)              (efficacy of the line's latest spike; old x)
| x <- x + dt (1 - x) / tau_d - u x s_i           (tau_d = 0: x stays, no depression)
| outputs = (s @ Wdyn) g_conduct_factor + b        (s @ Wdyn: sum_i s_i Wdyn_ij, per sample)

Between spikes u relaxes to 0 with tau_f and x recovers to 1 with tau_d, so in a spike train
successive responses grow while u builds up (facilitation: tau_f >> tau_d, small U) and shrink
while x is used up (depression: tau_d >> tau_f, large U).

u, x and Wdyn are per sample and per connection: shape (batch, n_inputs, n_outputs). The
resources U are drawn once by ``resources_init`` (Default: U[0.125, 0.175)) with the third key
of split(key, 4), as ngc-learn.

Compartments: inputs (input); weights, biases, resources (parameters); u, x, Wdyn (states);
outputs (output); and DenseSynapse's gate, mask, delay queue (unused, as in ngc-learn).
Knobs: tau_f, tau_d, g_conduct_factor.

Differences from ngc-learn 3.2.3, where it is broken: ngc-learn keeps u and x per input line
(batch, n_in) but multiplies them into (n_in, n_out) matrices along the output axis, so any
n_in != n_out (other than 1) raises, and a square cable pairs input j's spikes with output
column j; ngclab keeps them per connection as above (a (1, 1) cable gives ngc-learn's numbers;
Wdyn then has the extra batch axis, shape (1, 1, 1)). The relaxation terms carry dt (ngc-learn's
lack it, which is the same at dt = 1). ``p_conn`` sparsifies W (ngc-learn passes it in the place
of p_release_mean); p_release_mean, max_delay_steps and mask are refused.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from ngclab.components.synapses._kernels import KERNEL_KWARGS
from ngclab.components.synapses.denseSynapse import DenseSynapse, initializer
from ngclab.components.validation import check_kwargs, check_number, owner
from ngclab.core import Compartment, Knob, compilable
from ngclab.utils.distribution_generator import DistributionGenerator, initialize_params


class STPDenseSynapse(DenseSynapse):
    """A dense cable with Tsodyks-Markram short-term plasticity (see the module docstring).

    Args:
        name: the synapse's name
        shape: (n_inputs, n_outputs)
        weight_init: initializer of W; Default: U[0.025, 0.8)
        bias_init: initializer of b; None (Default) means no bias
        g_conduct_factor: factor on the output (Default: 1.; ``resist_scale`` accepted)
        p_conn: probability in (0, 1] that a connection exists (Default: 1.)
        tau_f: facilitation time constant (ms); 0 disables facilitation (Default: 750.)
        tau_d: depression (recovery) time constant (ms); 0 disables depression (Default: 50.)
        resources_init: initializer of the utilisation matrix U; Default: U[0.125, 0.175)
        **kwargs: key, batch_size (Default: 1)
    """

    u: Compartment          # release probability of each connection
    x: Compartment          # available fraction of each connection's resources
    Wdyn: Compartment       # efficacy W u x of each line's latest spike
    resources: Compartment  # utilisation U of each connection
    tau_f: Knob
    tau_d: Knob

    def __init__(self, name, shape, weight_init=None, bias_init=None, g_conduct_factor=1.,
                 p_conn=1., tau_f=750., tau_d=50., resources_init=None, **kwargs):
        who = owner(type(self), name)
        check_kwargs(who, kwargs, KERNEL_KWARGS)
        batch_size = kwargs.pop("batch_size", 1)
        super().__init__(name, shape, weight_init=weight_init, bias_init=bias_init,
                         g_conduct_factor=g_conduct_factor, p_conn=p_conn,
                         batch_size=batch_size, **kwargs)
        tau_f = check_number(who, "tau_f", tau_f, low=0.)
        tau_d = check_number(who, "tau_d", tau_d, low=0.)
        initializer(who, "resources_init", resources_init)
        self.resources_init = resources_init
        if resources_init is None:
            resources_init = DistributionGenerator.uniform(low=0.125, high=0.175)
        k_resources = jax.random.split(self.key.get(), 4)[3]
        U = jnp.asarray(initialize_params(k_resources, resources_init, self.shape), jnp.float32)
        per_connection = jnp.zeros((self.batch_size, *self.shape))
        self.u = Compartment(per_connection, display_name="Release probability")
        self.x = Compartment(per_connection + 1., display_name="Available resources")
        self.Wdyn = Compartment(per_connection, display_name="Dynamic efficacy")
        self.resources = Compartment(U, kind="parameter", display_name="Utilisation U")
        self.tau_f = Knob(tau_f, low=0., doc="facilitation time constant (ms; 0: off)")
        self.tau_d = Knob(tau_d, low=0., doc="depression time constant (ms; 0: off)")

    @compilable
    def advance_state(self, t, dt):
        s = self.inputs.get()
        spike = s[:, :, None]  # line i's spike, on each of its connections (i, j)
        u, x, U, W = self.u.get(), self.x.get(), self.resources.get(), self.weights.get()
        tau_f, tau_d = self.tau_f.get(), self.tau_d.get()
        facilitating, depressing = tau_f > 0., tau_d > 0.
        # scalar rates first (dt / tau), so run() and scan round alike
        u_keep = 1. - dt / jnp.where(facilitating, tau_f, 1.)
        u = jnp.where(facilitating, u * u_keep + U * (1. - u) * spike, U + 0. * u)
        Wdyn = W * u * x * spike + self.Wdyn.get() * (1. - spike)
        x_rate = dt / jnp.where(depressing, tau_d, 1.)
        x = jnp.where(depressing, x + (1. - x) * x_rate - u * x * spike, x)
        self.outputs.set(jnp.einsum("bi,bij->bj", s, Wdyn) * self.g_conduct_factor.get()
                         + self.biases.get())
        self.u.set(u)
        self.x.set(x)
        self.Wdyn.set(Wdyn)

    @compilable
    def reset(self):
        super().reset()
        per_connection = jnp.zeros((self.batch_size, *self.shape))
        self.u.set(per_connection)
        self.x.set(per_connection + 1.)
        self.Wdyn.set(per_connection)

    def batched_reset(self, batch_size):
        super().batched_reset(batch_size)
        per_connection = jnp.zeros((self.batch_size, *self.shape))
        self.u.resize(per_connection)
        self.x.resize(per_connection + 1.)
        self.Wdyn.resize(per_connection)

    @classmethod
    def help(cls) -> dict:
        info = super().help()
        info[cls.__name__] = {"synapse_type": "STPDenseSynapse - a dense synaptic cable whose "
                                              "efficacies facilitate and depress with recent "
                                              "spikes (Tsodyks-Markram short-term plasticity)"}
        info["compartments"]["states"].update({
            "resources": "utilisation U of each connection",
            "u": "release probability of each connection",
            "x": "available fraction of each connection's resources",
            "Wdyn": "efficacy W u x of each line's latest spike"})
        info["dynamics"] = ("outputs = (inputs @ Wdyn) * g_conduct_factor + b; "
                            "du/dt = -u/tau_f + U (1 - u) s; dx/dt = (1 - x)/tau_d - u x s; "
                            "Wdyn = W u x at each spike")
        info["hyperparameters"].update({
            "tau_f": "facilitation time constant (0: off)",
            "tau_d": "depression time constant (0: off)",
            "resources_init": "initializer of the utilisation matrix U"})
        for k in ("p_release_mean", "max_delay_steps", "mask"):
            info["hyperparameters"].pop(k, None)
        return info
