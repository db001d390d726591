"""The STDP window of each rule, measured in a circuit and compared with its equation.

101 pre-synaptic units and one post-synaptic unit: the post unit fires once at T_POST, pre unit
i fires once at T_POST - lag_i with lag_i = -50..50 ms (dt = 1 ms), so synapse i sees exactly
one pre/post pair at lag dt = t_post - t_pre = lag_i. The change of each weight over the run is
the rule's window at that lag (eta = 1, small amplitudes, weights far from their bounds):

| trace STDP (gated VarTraces, z = e^{-age / tau}):
|   dw = A_plus e^{-dt / tau_plus}            dt > 0   (pre before post: LTP)
|   dw = -A_minus e^{dt / tau_minus}          dt < 0   (post before pre: LTD)
|   dw = A_plus - A_minus                     dt = 0   (both traces are 1 at the shared step)
| pair STDP (times of last spike): the same two exponentials, 0 at dt = 0
| exponential STDP: the trace window times e^{-beta w}
| event STDP: a box: A_plus (w_bound - (1 + lmbda) w) for 0 <= dt < presyn_win_len, else
|   -A_minus (1 + lmbda) w (every post spike updates every synapse)
"""
from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from ngclab import Context, MethodProcess
from ngclab.components import EventSTDPSynapse, ExpSTDPSynapse, STDPSynapse, TraceSTDPSynapse, VarTrace
from ngclab.components.synapses.hebbian._stdp import pair_window
from ngclab.utils.distribution_generator import DistributionGenerator as DG

LAGS = np.arange(-50, 51)            # t_post - t_pre (ms)
T_POST, STEPS = 60, 120              # post spike time; pre spikes at 10..110
A_PLUS, A_MINUS, TAU_PLUS, TAU_MINUS, W0 = 0.01, 0.006, 16.8, 33.7, 0.5


def schedule():
    """Spike trains (STEPS, 1, n): pre unit i at T_POST - LAGS[i], the post unit at T_POST."""
    pre = np.zeros((STEPS, 1, LAGS.size), np.float32)
    pre[T_POST - LAGS, 0, np.arange(LAGS.size)] = 1.
    post = np.zeros((STEPS, 1, 1), np.float32)
    post[T_POST, 0, 0] = 1.
    return pre, post


def trace_circuit(cls=TraceSTDPSynapse, A_plus=A_PLUS, A_minus=A_MINUS, **extra):
    """Gated VarTraces (snapping to 1 at a spike) feed the synapse's traces; the schedule's
    spikes are clamped into the traces and the synapse. Returns (W, step, clamp)."""
    pre, post = schedule()
    with Context("window"):
        W = cls("W", (LAGS.size, 1), A_plus=A_plus, A_minus=A_minus, eta=1.,
                weight_init=DG.constant(value=W0), **extra)
        zpre = VarTrace("zpre", LAGS.size, tau_tr=TAU_PLUS, a_delta=0.)
        zpost = VarTrace("zpost", 1, tau_tr=TAU_MINUS, a_delta=0.)
        zpre.outputs >> W.preTrace
        zpost.outputs >> W.postTrace
        step = MethodProcess("step") >> zpre.advance_state >> zpost.advance_state >> W.evolve
    return W, step, {zpre.inputs: pre, W.preSpike: pre, zpost.inputs: post, W.postSpike: post}


def trace_window(**kw):
    W, step, clamp = trace_circuit(**kw)
    step.scan(STEPS, dt=1., clamp=clamp)
    return np.asarray(W.weights.get())[:, 0] - W0


def expected_trace_window(a_plus=A_PLUS, a_minus=A_MINUS):
    # the window equation of the module docstring; e^{-1/tau} per 1-ms step of the traces
    ltp = np.where(LAGS >= 0, a_plus * np.exp(-np.maximum(LAGS, 0) / TAU_PLUS), 0.)
    ltd = np.where(LAGS <= 0, a_minus * np.exp(np.minimum(LAGS, 0) / TAU_MINUS), 0.)
    return ltp - ltd


def test_trace_stdp_window_is_two_exponentials():
    dw = trace_window()
    np.testing.assert_allclose(dw, expected_trace_window(), rtol=1e-4, atol=1e-7)
    # its shape: potentiation for pre-before-post, depression after, decaying with |lag|
    assert np.all(dw[LAGS > 0] > 0) and np.all(dw[LAGS < 0] < 0)
    assert np.all(np.diff(dw[LAGS > 0]) < 0) and np.all(np.diff(dw[LAGS < 0]) < 0)
    # at one time constant the window has fallen to 1/e of its amplitude
    lag17 = int(np.argmin(np.abs(LAGS - 17)))
    assert abs(dw[lag17] / A_PLUS - np.exp(-17 / TAU_PLUS)) < 1e-4


def test_trace_stdp_window_without_ltd_and_with_a_pretrace_target():
    # A_minus <= 0 turns depression off (ngc-learn's rule); at the post spike every synapse
    # gets A_plus (z_pre - x_tar): a pre unit that has not fired yet (z_pre = 0) is depressed
    # by A_plus x_tar (the pre-synaptic disconnect term)
    dw = trace_window(A_minus=-A_MINUS, pretrace_target=0.1)
    z_pre = np.where(LAGS >= 0, np.exp(-np.maximum(LAGS, 0) / TAU_PLUS), 0.)
    np.testing.assert_allclose(dw, A_PLUS * (z_pre - 0.1), rtol=1e-4, atol=1e-7)


def test_power_law_scales_the_window_by_the_weight():
    # mu > 0: LTP is scaled by (w_bound - w)^mu, LTD by w^mu (w = W0 at the one event)
    mu, w_bound = 1.5, 1.
    dw = trace_window(mu=mu, w_bound=w_bound)
    ltp = np.where(LAGS >= 0, A_PLUS * np.exp(-np.maximum(LAGS, 0) / TAU_PLUS), 0.)
    ltd = np.where(LAGS <= 0, A_MINUS * np.exp(np.minimum(LAGS, 0) / TAU_MINUS), 0.)
    np.testing.assert_allclose(dw, (w_bound - W0) ** mu * ltp - W0 ** mu * ltd, rtol=1e-4,
                               atol=1e-7)


def test_knobs_change_the_window_without_recompiling():
    W, step, clamp = trace_circuit()
    snap = W.context.snapshot()
    step.scan(STEPS, dt=1., clamp=clamp)
    n = step.compile_count
    W.context.restore(snap)
    W.A_plus.set(2 * A_PLUS)
    W.A_minus.set(0.5 * A_MINUS)
    step.scan(STEPS, dt=1., clamp=clamp)
    assert step.compile_count == n
    np.testing.assert_allclose(np.asarray(W.weights.get())[:, 0] - W0,
                               expected_trace_window(2 * A_PLUS, 0.5 * A_MINUS), rtol=1e-4,
                               atol=1e-7)
    assert float(jnp.abs(W.dWeights.get()).sum()) == 0.  # the last step had no spikes


# -- the pair rule on times of last spike (STDPSynapse) --------------------------------------

def tols_of(spikes):
    """Time of last spike (t = step index; 0 = none yet) of a (STEPS, 1, n) spike train."""
    t = np.arange(STEPS, dtype=np.float32)[:, None, None]
    return np.maximum.accumulate(np.where(spikes > 0, t, 0.), axis=0).astype(np.float32)


def pair_window_run(**extra):
    pre, post = schedule()
    with Context("pairs"):
        W = STDPSynapse("W", (LAGS.size, 1), A_plus=A_PLUS, A_minus=A_MINUS, tau_plus=TAU_PLUS,
                        tau_minus=TAU_MINUS, eta=1., weight_init=DG.constant(value=W0), **extra)
        step = MethodProcess("step") >> W.evolve
    step.scan(STEPS, t0=0., dt=1., clamp={W.preSpike: pre, W.postSpike: post,
                                          W.pre_tols: tols_of(pre), W.post_tols: tols_of(post)})
    return np.asarray(W.weights.get())[:, 0] - W0


def test_pair_stdp_window_decays_on_both_sides():
    # dt > 0: A_plus e^{-dt / tau_plus} at the post spike; dt < 0: -A_minus e^{dt / tau_minus}
    # at the pre spike; dt = 0 (same step): no pair (ngc-learn's rule)
    dw = pair_window_run()
    want = np.where(LAGS > 0, A_PLUS * np.exp(-LAGS / TAU_PLUS), 0.) \
        - np.where(LAGS < 0, A_MINUS * np.exp(LAGS / TAU_MINUS), 0.)
    np.testing.assert_allclose(dw, want, rtol=1e-4, atol=1e-7)
    assert dw[LAGS == 0] == 0. and np.all(np.diff(dw[LAGS < 0]) < 0)


def test_ngclearn_pair_depression_grows_with_the_lag():
    # ngc-learn 3.2.3's factor e^{-dt / tau_minus} for dt < 0 is e^{|dt| / tau_minus}: the
    # (pinned) helper form gives -A_minus e^{|dt| / tau_minus}, larger for larger lags
    pre, post = schedule()
    pre_t, post_t = tols_of(pre), tols_of(post)
    total = sum(np.asarray(pair_window(jnp.asarray(pre_t[i]), jnp.asarray(post_t[i]),
                                       jnp.asarray(pre[i]), jnp.asarray(post[i]), A_PLUS,
                                       A_MINUS, TAU_PLUS, TAU_MINUS, ltd_grows=True))[:, 0]
                for i in range(STEPS))
    np.testing.assert_allclose(total[LAGS < 0], -A_MINUS * np.exp(-LAGS[LAGS < 0] / TAU_MINUS),
                               rtol=1e-5)
    assert np.all(np.diff(total[LAGS < 0]) > 0)     # |dw| shrinks towards dt = 0


def test_exp_stdp_window_is_the_trace_window_scaled_by_the_weight():
    # ExpSTDP with x_tar = 0: LTP and LTD both carry e^{-beta W} (W = W0 at the one event)
    beta = 2.
    dw = trace_window(cls=ExpSTDPSynapse, exp_beta=beta)
    np.testing.assert_allclose(dw, np.exp(-beta * W0) * expected_trace_window(), rtol=1e-4,
                               atol=1e-7)


def test_event_stdp_window_is_a_box():
    # at the post spike: pre units that fired in (t - win, t] are potentiated by
    # A_plus (w_bound - (1 + lmbda) w), every other synapse depressed by A_minus (1 + lmbda) w
    win, lmbda, a_plus, a_minus, eta = 5., 0.01, 0.5, 0.2, 0.1
    pre, post = schedule()
    with Context("box"):
        W = EventSTDPSynapse("W", (LAGS.size, 1), eta=eta, lmbda=lmbda, A_plus=a_plus,
                             A_minus=a_minus, presyn_win_len=win,
                             weight_init=DG.constant(value=W0))
        step = MethodProcess("step") >> W.evolve
    step.scan(STEPS, t0=0., dt=1., clamp={W.pre_tols: tols_of(pre), W.postSpike: post})
    dw = np.asarray(W.weights.get())[:, 0] - W0
    inside = (LAGS >= 0) & (LAGS < win)
    want = np.where(inside, eta * a_plus * (1. - (1. + lmbda) * W0),
                    -eta * a_minus * (1. + lmbda) * W0)
    np.testing.assert_allclose(dw, want, rtol=1e-5, atol=1e-7)
    assert inside.sum() == 5
