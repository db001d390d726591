"""Conductance kernels of the synapses in time (ExponentialSynapse, DoubleExpSynapse,
AlphaSynapse) and the dense cable they share.

Each kernel filters the pre-synaptic drive d = s @ W (the weighted spikes arriving this step;
W = 1 on every existing connection by default) with forward-Euler steps of size dt. A spike is a
delta pulse, so its whole weight enters in the step it arrives:

| leak(z, tau) = z (1 - dt / tau)              (z - dt z / tau)
| exponential:        g <- leak(g, tau_decay) + g_bar d
| double exponential: h <- leak(h, tau_rise) + g_bar (1/tau_rise - 1/tau_decay) d
|                     g <- leak(g, tau_decay) + dt h
| alpha:              h <- leak(h, tau_decay) + g_bar d
|                     g <- leak(g, tau_decay) + (dt / tau_decay) h
| i_syn = outputs = -g_conduct_factor g (v - syn_rest)      (syn_rest None: -g_conduct_factor g)

After one spike at step 0 (weight 1) the conductance after step k, with a = 1 - dt/tau, is
g_bar a^k (exponential), g_bar (a_decay^(k+1) - a_rise^(k+1)) (double exponential: the
discrete e^(-t/tau_decay) - e^(-t/tau_rise) at t = (k+1) dt) and g_bar (dt/tau) (k+1) a^k
(alpha: the discrete (t/tau) e^(-t/tau), largest at t = tau, tied with t = tau - dt).

The cable is ngc-learn's DenseSynapse with W built once: ``is_nonplastic`` (the default) sets W
to 1 on every connection that exists (p_conn < 1 drops each with probability 1 - p_conn, drawn
as DenseSynapse draws its mask). The step reads no mask, gate, delay or release: one matmul per
step, as the large spiking networks these synapses feed need.
"""
from __future__ import annotations

import jax.numpy as jnp

from ngclab.components.synapses.denseSynapse import DenseSynapse
from ngclab.components.validation import (
    check_flag,
    check_kwargs,
    check_number,
    check_positive,
    owner,
)
from ngclab.core import Compartment, Knob, compilable

#: keyword arguments the synapses in time take besides their named parameters
KERNEL_KWARGS = ("key", "batch_size", "resist_scale")


def leak(z: jnp.ndarray, tau, dt) -> jnp.ndarray:
    """One Euler step of dz/dt = -z / tau, as z (1 - dt / tau): one scalar factor per step (a
    run() loop and a scan then round identically; (dt z) / tau did not)."""
    return z * (1. - dt / tau)


class ConductanceSynapse(DenseSynapse):
    """The cable, the post-synaptic voltage and the current shared by the synapses in time.

    Subclasses declare their own time constants (``_declare_kernel``) and write
    ``advance_state`` as their kernel's update followed by ``self._emit(g)``.
    """

    v: Compartment          # post-synaptic voltage (mV), wired from the cell the cable drives
    i_syn: Compartment      # synaptic current
    g_syn: Compartment      # synaptic conductance
    g_syn_bar: Knob
    syn_rest: Knob          # only when syn_rest is not None

    #: extra kernel states (besides g_syn) a subclass keeps, by name
    kernel_states: tuple[str, ...] = ()

    def __init__(self, name, shape, g_syn_bar, syn_rest, weight_init=None, bias_init=None,
                 g_conduct_factor=1., p_conn=1., is_nonplastic=True, **kwargs):
        who = owner(type(self), name)
        check_kwargs(who, kwargs, KERNEL_KWARGS)
        batch_size = kwargs.pop("batch_size", 1)
        super().__init__(name, shape, weight_init=weight_init, bias_init=bias_init,
                         g_conduct_factor=g_conduct_factor, p_conn=p_conn,
                         batch_size=batch_size, **kwargs)
        g_bar = check_number(who, "g_syn_bar", g_syn_bar)
        rest = None if syn_rest is None else check_number(who, "syn_rest", syn_rest)
        self.is_nonplastic = check_flag(who, "is_nonplastic", is_nonplastic)
        if self.is_nonplastic:  # unit efficacy on every connection that exists
            self.weights.set(jnp.broadcast_to(self.mask.get(), self.shape))
        post = jnp.zeros((self.batch_size, self.shape[1]))
        self.v = Compartment(post, kind="input", display_name="Post-synaptic voltage",
                             units="mV")
        self.i_syn = Compartment(post, kind="output", display_name="Synaptic current")
        self.g_syn = Compartment(post, display_name="Synaptic conductance")
        for state in self.kernel_states:
            setattr(self, state, Compartment(post, display_name="Intermediate conductance"))
        self.g_syn_bar = Knob(g_bar, doc="conductance of one spike on a unit weight")
        self.syn_rest = None
        if rest is not None:  # None: a current-based synapse (the voltage is not read)
            self.syn_rest = Knob(rest, doc="synaptic reversal potential (mV)")

    def _time_constant(self, who: str, pname: str, value) -> Knob:
        return Knob(check_positive(who, pname, value), low=1e-6,
                    doc=f"{pname.replace('_', ' ')} time constant (ms)")

    def _emit(self, g: jnp.ndarray) -> None:
        """Store the conductance and the current it drives."""
        i_syn = -g * self.g_conduct_factor.get()
        if self.syn_rest is not None:
            i_syn = i_syn * (self.v.get() - self.syn_rest.get())
        self.g_syn.set(g)
        self.i_syn.set(i_syn)
        self.outputs.set(i_syn)

    def _drive(self) -> jnp.ndarray:
        """d = s @ W: the weighted pre-synaptic spikes of this step (the one matmul)."""
        return jnp.matmul(self.inputs.get(), self.weights.get())

    @compilable
    def reset(self):
        super().reset()
        post = jnp.zeros((self.batch_size, self.shape[1]))
        for comp in [self.v, self.i_syn, self.g_syn] + [getattr(self, s)
                                                        for s in self.kernel_states]:
            if not comp.targeted:  # a wired voltage keeps its wire
                comp.set(post)

    def _batched(self) -> list:
        n_out = self.shape[1]
        return super()._batched() + [(getattr(self, c), 0., (n_out,)) for c in
                                     ("v", "i_syn", "g_syn") + self.kernel_states]

    @classmethod
    def help(cls) -> dict:
        info = super().help()
        info["compartments"]["inputs"]["v"] = ("post-synaptic voltage (wired from the cell "
                                               "the cable drives; unused when syn_rest is None)")
        info["compartments"]["states"].update({"g_syn": "synaptic conductance"})
        info["compartments"]["outputs"].update({"i_syn": "synaptic current (= outputs)",
                                                "outputs": "synaptic current i_syn"})
        info["hyperparameters"].update({
            "g_syn_bar": "conductance of one spike on a unit weight",
            "syn_rest": "synaptic reversal potential (None: current-based, v unused)",
            "is_nonplastic": "W = 1 on every existing connection (True) or weight_init's "
                             "draw (False)"})
        for k in ("p_release_mean", "max_delay_steps", "mask"):
            info["hyperparameters"].pop(k, None)
        return info
