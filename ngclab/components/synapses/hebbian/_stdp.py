"""Spike-timing-dependent plasticity (STDP) rules, written once for every STDP synapse.

With pre-synaptic spikes s_pre and traces z_pre, post-synaptic spikes s_post and traces z_post
(rows are samples), ``C(a, b) = a^T b`` correlates a pre- with a post-synaptic signal, summed
over the batch (the conv cables pass their filter correlation instead):

| trace STDP:   LTP = C(z_pre - x_tar, A_plus s_post) ;  LTD = C(s_pre, A_minus z_post)
| power law:    dW = (w_bound - W)^mu LTP - W^mu LTD                      (mu = 0: plain)
| exponential:  dW = A_plus [e^{-beta W} C(z_pre, s_post)
|                            - e^{-beta (w_bound - W)} C(x_tar, s_post)]
|                  - A_minus e^{-beta W} C(s_pre, z_post)
| pair window:  dt_ij = t_post_j - t_pre_i (times of last spike; 0 = no spike yet)
|               dW_ij = A_plus e^{-dt_ij / tau_plus} s_post_j   if dt_ij > 0 (pre before post)
|                     - A_minus e^{dt_ij / tau_minus} s_pre_i   if dt_ij < 0 (post before pre)
| event window: pre_i fired in (t - win, t] (win = 0: at t);  at each post spike
|               dW_ij = A_plus (w_bound - (1 + lmbda) W_ij)  if pre_i fired, else
|                       -A_minus (1 + lmbda) W_ij
| decay:        W / tau_w if tau_w > 0 else 0

ngc-learn's dense rules drop the LTD term when A_minus <= 0 (``only_if_positive``).
"""
from __future__ import annotations

from typing import Any, Callable

import jax.numpy as jnp

from ngclab.core import Compartment
from ngclab.components.validation import POSITIVE_MIN, check_number

Correlation = Callable[[jnp.ndarray, jnp.ndarray], jnp.ndarray]


def correlate(pre: jnp.ndarray, post: jnp.ndarray) -> jnp.ndarray:
    """C(a, b) = a^T b: pre-synaptic rows against post-synaptic rows, summed over samples."""
    return jnp.matmul(pre.T, post)


def trace_stdp(pre_spike, pre_trace, post_spike, post_trace, A_plus, A_minus, pretrace_target,
               corr: Correlation = correlate) -> tuple[jnp.ndarray, jnp.ndarray]:
    """(LTP, LTD) of trace STDP: C(z_pre - x_tar, A_plus s_post) and C(s_pre, A_minus z_post)."""
    ltp = corr(pre_trace - pretrace_target, post_spike * A_plus)
    ltd = corr(pre_spike, post_trace * A_minus)
    return ltp, ltd


def power_law(W, w_bound, mu) -> tuple[jnp.ndarray, jnp.ndarray]:
    """Weight dependence of the power-law rule: ((w_bound - W)^mu, W^mu); both are 1 at mu = 0
    (x^0 = 1 for every x, so mu = 0 gives the plain trace rule without a branch)."""
    return jnp.power(w_bound - W, mu), jnp.power(W, mu)


def exp_stdp(pre_spike, pre_trace, post_spike, post_trace, W, A_plus, A_minus, pretrace_target,
             beta, w_bound) -> tuple[jnp.ndarray, jnp.ndarray]:
    """(LTP, LTD) of exponentially weight-dependent STDP (see the module docstring)."""
    toward_zero = jnp.exp(-beta * W)
    toward_bound = jnp.exp(-beta * (w_bound - W))
    ltp = (toward_zero * correlate(pre_trace, post_spike)
           - toward_bound * correlate(jnp.zeros_like(pre_trace) + pretrace_target, post_spike))
    ltd = toward_zero * correlate(pre_spike, post_trace)
    return ltp * A_plus, ltd * A_minus


def only_if_positive(term, amplitude):
    """The term where its amplitude is > 0, else 0 (ngc-learn's 'if A_minus > 0' on a knob)."""
    return jnp.where(amplitude > 0., term, 0.)


def pair_window(pre_tols, post_tols, pre_spike, post_spike, A_plus, A_minus, tau_plus, tau_minus,
                ltd_grows: bool = False) -> jnp.ndarray:
    """Pair STDP from the times of last spike (per sample, summed over the batch).

    ``ltd_grows`` reproduces ngc-learn 3.2.3's depression factor e^{-dt / tau_minus} with dt < 0,
    which grows with the lag instead of decaying (kept only to pin that behaviour in tests).
    """
    t_post = post_tols[:, None, :]                       # (B, 1, n_out)
    t_pre = pre_tols[:, :, None]                         # (B, n_in, 1)
    seen = (t_post > 0.) & (t_pre > 0.)                  # tols = 0: no spike yet
    lag = jnp.where(seen, t_post - t_pre, 0.)            # t_post - t_pre, (B, n_in, n_out)
    # (multiplying by 1 / tau: a scan hoists a division by a loop constant into exactly that)
    ltp = jnp.where(lag > 0., jnp.exp(-lag * (1. / tau_plus)), 0.) * post_spike[:, None, :] * A_plus
    ltd_lag = -lag if ltd_grows else lag
    ltd = jnp.where(lag < 0., jnp.exp(ltd_lag * (1. / tau_minus)), 0.) * pre_spike[:, :, None] \
        * A_minus
    return jnp.sum(ltp - only_if_positive(ltd, A_minus), axis=0)


def fired_within(tols, t, window) -> jnp.ndarray:
    """1 where the unit's last spike lies in (t - window, t] (window = 0: exactly at t); a tols of
    0 means the unit has not spiked."""
    spiked = tols > 0.
    recent = jnp.where(window > 0., (t - window) < tols, tols == t)
    return (recent & spiked).astype(jnp.float32)


def event_stdp(pre_fired, post_spike, W, A_plus, A_minus, lmbda, w_bound) -> jnp.ndarray:
    """Event-driven STDP: at each post-synaptic spike, potentiate synapses whose pre-synaptic unit
    fired in the window and depress the others (summed over the batch)."""
    shrink = W * (1. + lmbda)
    potentiate = (w_bound - shrink) * A_plus
    depress = -shrink * A_minus
    return (potentiate * correlate(pre_fired, post_spike)
            + depress * correlate(1. - pre_fired, post_spike))


def decay(W, tau_w) -> jnp.ndarray:
    """W / tau_w if tau_w > 0, else 0 (tau_w = 0 turns the decay off)."""
    on = tau_w > 0.
    return jnp.where(on, W * (1. / jnp.where(on, tau_w, 1.)), 0.)


def keep_connections(W, *masks) -> jnp.ndarray:
    """W with every synapse that a mask marks absent (0) held at 0."""
    for m in masks:
        W = jnp.where(m != 0., W, 0.)
    return W


def step_weights(W, dW, eta, tau_w, low, high, *masks) -> jnp.ndarray:
    """W <- clip(W + eta dW - W / tau_w, low, high), absent synapses held at 0."""
    W = jnp.clip(W + dW * eta - decay(W, tau_w), low, high)
    return keep_connections(W, *masks)


# -- the plasticity ports of a dense STDP cable ----------------------------------------------

#: (name, side, display name) of the trace rules' inputs, in ngc-learn's order
TRACE_PORTS = (("preSpike", "pre", "Pre-synaptic spikes"),
               ("postSpike", "post", "Post-synaptic spikes"),
               ("preTrace", "pre", "Pre-synaptic trace"),
               ("postTrace", "post", "Post-synaptic trace"))


def add_ports(syn, ports) -> None:
    """Declare a rule's input compartments on a dense cable: (batch, n_in) for the "pre" side,
    (batch, n_out) for the "post" side (spike ports are drawn as rasters), then ``dWeights``."""
    for name, side, display in ports:
        n = syn.shape[0] if side == "pre" else syn.shape[1]
        setattr(syn, name, Compartment(jnp.zeros((syn.batch_size, n)), kind="input",
                                       display_name=display,
                                       plot_method="raster" if "spikes" in display else None))
    syn.dWeights = Compartment(jnp.zeros(syn.shape), kind="output", display_name="Synaptic update")


def port_rest(syn, ports) -> list:
    """(compartment, fill, per-sample shape) of each port, for a batch resize."""
    return [(getattr(syn, name), 0., (syn.shape[0] if side == "pre" else syn.shape[1],))
            for name, side, _ in ports]


# -- constructor checks ----------------------------------------------------------------------

def check_off_or_time_constant(who: str, pname: str, value: Any) -> float:
    """0 (the term is off) or a time constant >= POSITIVE_MIN."""
    v = check_number(who, pname, value, low=0.)
    if 0. < v < POSITIVE_MIN:
        raise ValueError(f"{who}: {pname} must be 0 (off) or >= {POSITIVE_MIN}, got {v}")
    return v


def check_bound(who: str, pname: str, value: Any, margin: float) -> float:
    """An upper weight bound that leaves the clip interval [margin, bound - margin] non-empty."""
    v = check_number(who, pname, value)
    if v <= 2. * margin:
        interval = f"[{margin:g}, {pname} - {margin:g}]" if margin else f"[0, {pname}]"
        raise ValueError(f"{who}: {pname} must be > {2. * margin:g} (weights are clipped to "
                         f"{interval}), got {v}")
    return v


def check_weight_mask(who: str, mask: Any, shape: tuple) -> jnp.ndarray:
    """A fixed mask of the weights (None: all synapses exist) that broadcasts against shape."""
    if mask is None:
        return jnp.ones((1, 1))
    try:
        m = jnp.asarray(mask, dtype=jnp.float32)
    except (TypeError, ValueError):
        raise TypeError(f"{who}: weight_mask must be an array of numbers, got {mask!r}") from None
    try:
        fits = jnp.broadcast_shapes(m.shape, tuple(shape)) == tuple(shape)
    except ValueError:
        fits = False
    if not fits or not bool(jnp.all(jnp.isfinite(m))):
        raise ValueError(f"{who}: weight_mask of shape {tuple(m.shape)} must be finite and "
                         f"broadcast against the weight shape {tuple(shape)}")
    return m
