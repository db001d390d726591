# %% [markdown]
# # 13. Synapses in time: conductance kernels, short-term plasticity and the STDP window
#
# Until now a synapse was a matrix: a spike arriving through $W_{ij}$ was felt by the
# post-synaptic cell in that very step, then forgotten. Real synapses have **time courses**: a
# spike opens channels that close over milliseconds (a conductance kernel), the synapse's
# strength depends on how recently it was used (short-term plasticity), and its long-term
# change depends on the timing of the spikes on its two ends (STDP). This lesson looks at all
# three with one or a few connections, so that every curve can be checked against its equation.
#
# **Conductance kernels.** A pre-synaptic spike is a delta pulse; each synapse filters the
# weighted pulses $d(t) = \sum_k \delta(t - t_k)\,W$ into a conductance $g(t)$:
#
# | synapse | dynamics | response to one spike |
# |---|---|---|
# | `ExponentialSynapse` | $\frac{dg}{dt} = -\frac{g}{\tau_d} + \bar g\, d$ | $\bar g\, e^{-t/\tau_d}$ |
# | `DoubleExpSynapse` | $\frac{dh}{dt} = -\frac{h}{\tau_r} + \bar g \left(\frac{1}{\tau_r} - \frac{1}{\tau_d}\right) d,\ \frac{dg}{dt} = -\frac{g}{\tau_d} + h$ | $\bar g \left(e^{-t/\tau_d} - e^{-t/\tau_r}\right)$ |
# | `AlphaSynapse` | $\frac{dh}{dt} = -\frac{h}{\tau_d} + \bar g\, d,\ \frac{dg}{dt} = \frac{h - g}{\tau_d}$ | $\bar g\, \frac{t}{\tau_d}\, e^{-t/\tau_d}$ |
#
# stepped by forward Euler with step $\Delta t$ (a spike adds its whole weight in the step it
# arrives). The exponential jumps and decays; the double exponential rises with $\tau_r$ and
# peaks at $t^* = \frac{\tau_r \tau_d}{\tau_d - \tau_r} \ln \frac{\tau_d}{\tau_r}$; the alpha
# function rises and decays with one time constant and peaks at $t = \tau_d$ (the Euler steps:
# tied with $\tau_d - \Delta t$) with height
# $\bar g / e$. The current into the post-synaptic cell is
# $i_{syn} = -g\,(v - E_{syn})$ with reversal potential $E_{syn}$ (`syn_rest`), or $-g$ for a
# current-based synapse (`syn_rest=None`).
#
# **Short-term plasticity (Tsodyks-Markram).** A connection has a utilisation $U$, a release
# probability $u$ and a fraction $x$ of available resources. Between spikes $u$ relaxes to 0 and
# $x$ recovers to 1; a spike first facilitates $u$, then releases the fraction $u\,x$ (the
# efficacy of that spike is $W u x$) and depletes $x$:
#
# $$u \leftarrow u\left(1 - \tfrac{\Delta t}{\tau_f}\right) + U (1 - u)\, s,\qquad
#   \text{efficacy} = W\,u\,x,\qquad
#   x \leftarrow x + \tfrac{\Delta t}{\tau_d}(1 - x) - u\,x\,s .$$
#
# Small $U$ and long $\tau_f$ give **facilitation** (each spike in a train releases more);
# large $U$ and long $\tau_d$ give **depression** (resources run out).
#
# **Trace STDP.** With gated traces $z \leftarrow z\,e^{-\Delta t/\tau_{tr}}(1 - s) + s$ of the
# pre- and post-synaptic spikes, `TraceSTDPSynapse` changes a weight by
#
# $$\Delta W = \eta \left[A_+\,(z_{pre} - x_{tar})\, s_{post} - A_-\, s_{pre}\, z_{post}\right] .$$
#
# For one pre spike at $t_{pre}$ and one post spike at $t_{post}$, $\Delta t = t_{post} - t_{pre}$
# (with $x_{tar} = 0$), only one term is ever non-zero: the **STDP window**
#
# $$\Delta W(\Delta t) = \begin{cases} \eta A_+ e^{-\Delta t/\tau_{tr}} & \Delta t > 0 \\
#   \eta (A_+ - A_-) & \Delta t = 0 \\ -\eta A_- e^{\Delta t/\tau_{tr}} & \Delta t < 0 \end{cases}$$

# %% tags=["lab-demo"]
import time
import numpy as np
import jax.numpy as jnp
import matplotlib.pyplot as plt

import ngclab
from ngclab import Context, MethodProcess
from ngclab.components import (AlphaSynapse, DoubleExpSynapse, ExponentialSynapse, PoissonCell,
                               STPDenseSynapse, TraceSTDPSynapse, VarTrace)
from ngclab.utils.distribution_generator import DistributionGenerator

t_start = time.perf_counter()

# %% tags=["parameters", "lab-demo"]
dt = 0.1             # integration step (ms)
T_kernel = 150.0     # ms of the kernel experiment
tau_decay = 5.0      # decay time constant of the exponential and double-exponential (ms)
tau_rise = 1.0       # rise time constant of the double exponential (ms)
tau_alpha = 3.0      # time constant of the alpha synapse (ms)
g_bar = 1.0          # conductance scale of one spike
stp_dt = 0.5         # step of the STP experiment (ms)
train_isi = 20.0     # ms between the spikes of the STP train (50 Hz)
n_train_spikes = 8   # spikes in the train
recovery_ms = 300.0  # ms from the last spike of the train to the recovery spike
tau_trace = 20.0     # STDP trace time constant (ms)
A_plus, A_minus = 1.0, 0.6
eta = 0.01
max_lag = 40         # the STDP pairs cover t_post - t_pre in [-max_lag, max_lag] ms
lab_steps = 400      # steps the lab runs (headless)

# %% [markdown]
# ## 1. Three kernels, one spike train
#
# The three synapses get the same pre-synaptic spike train: one isolated spike at 10 ms (its
# **impulse response**), a burst of four spikes 2 ms apart at 50 ms and two spikes 10 ms apart
# at 100 ms. Each is a $1 \times 1$ cable with $W = 1$ (`is_nonplastic`, the default) and no
# reversal potential, so its output current is $-g$. One process steps all three and one scan
# runs the whole experiment.

# %%
spike_times = [ts for ts in (10.0, 50.0, 52.0, 54.0, 56.0, 100.0, 110.0) if ts < T_kernel]
n_steps = int(round(T_kernel / dt))
train = np.zeros((n_steps, 1, 1), np.float32)
for ts in spike_times:
    train[int(round(ts / dt)), 0, 0] = 1.0

with Context("kernels") as kctx:
    E = ExponentialSynapse("E", (1, 1), tau_decay=tau_decay, g_syn_bar=g_bar, syn_rest=None)
    D = DoubleExpSynapse("D", (1, 1), tau_decay=tau_decay, tau_rise=tau_rise, g_syn_bar=g_bar,
                         syn_rest=None)
    A = AlphaSynapse("A", (1, 1), tau_decay=tau_alpha, g_syn_bar=g_bar, syn_rest=None)
    kstep = MethodProcess("step") >> E.advance_state >> D.advance_state >> A.advance_state

rec = kstep.scan(steps=n_steps, dt=dt, clamp={E.inputs: train, D.inputs: train, A.inputs: train},
                 record=[E.g_syn, D.g_syn, A.g_syn, E.outputs])
t_ms = (np.arange(n_steps) + 1) * dt     # the state after step k is the value at (k + 1) dt
g = {name: np.asarray(rec[s.g_syn.path])[:, 0, 0] for name, s in
     (("exponential", E), ("double exponential", D), ("alpha", A))}
print("current = -g:", bool(np.allclose(np.asarray(rec[E.outputs.path])[:, 0, 0], -g["exponential"])))

fig, ax = plt.subplots(figsize=(11, 3.2))
for name, trace in g.items():
    ax.plot(t_ms, trace, label=name)
ax.vlines(spike_times, -0.06, -0.01, color="k", lw=1)
ax.set_xlabel("t (ms)"); ax.set_ylabel("conductance g"); ax.legend()
ax.set_title("one spike train (ticks), three conductance kernels")
plt.tight_layout(); plt.show()

# %% [markdown]
# **The impulse responses against their equations.** Between 10 ms and the burst the three
# traces are the responses to one spike. The peak times and heights follow the table above; the
# Euler steps give exactly the discrete kernels $\bar g\, a_d^k$,
# $\bar g\,(a_d^{k+1} - a_r^{k+1})$ and $\bar g \frac{\Delta t}{\tau}(k+1)\,a^k$ with
# $a = 1 - \Delta t/\tau$, $k$ steps after the spike.

# %%
k0 = int(round(spike_times[0] / dt))
window = slice(k0, int(round(45.0 / dt)))          # before the burst
after = t_ms[window] - spike_times[0]              # time since the spike: dt, 2 dt, ...
peaks = {name: float(after[np.argmax(tr[window])]) for name, tr in g.items()}
heights = {name: float(tr[window].max()) for name, tr in g.items()}
t_star = tau_decay * tau_rise / (tau_decay - tau_rise) * np.log(tau_decay / tau_rise)
k = np.arange(window.stop - window.start)
a_d, a_r, a_a = 1 - dt / tau_decay, 1 - dt / tau_rise, 1 - dt / tau_alpha
discrete = {"exponential": g_bar * a_d ** k,
            "double exponential": g_bar * (a_d ** (k + 1) - a_r ** (k + 1)),
            "alpha": g_bar * dt / tau_alpha * (k + 1) * a_a ** k}
kernel_error = max(float(np.max(np.abs(g[n][window] - discrete[n]))) for n in g)
print(f"peak times (ms after the spike): {peaks}")
print(f"  theory: exponential {dt}, double exponential t* = {t_star:.2f}, alpha tau = {tau_alpha}")
print(f"peak heights: alpha {heights['alpha']:.4f} (g_bar / e = {g_bar / np.e:.4f}), "
      f"double exp {heights['double exponential']:.4f}")
print(f"largest difference from the discrete kernels: {kernel_error:.2e}")

# %% [markdown]
# In the burst the responses **add up** (the kernels are linear): the exponential follows each
# spike with a jump, while the slower alpha and double-exponential conductances smooth the burst
# into one wave. That is temporal summation, and it is why the time constant of a synapse
# decides which input rhythms a cell can tell apart.
#
# ## 2. Short-term facilitation and depression
#
# Two `STPDenseSynapse`s with one connection ($W = 1$) receive a 50 Hz train of
# `n_train_spikes` spikes and, `recovery_ms` later, one more spike. Their output at a spike is
# the efficacy $u\,x$ of that spike.

# %%
fac_params = dict(tau_f=600.0, tau_d=50.0, U=0.1)      # small U, long tau_f: facilitating
dep_params = dict(tau_f=20.0, tau_d=500.0, U=0.5)      # large U, long tau_d: depressing
spike_ms = [i * train_isi for i in range(n_train_spikes)]
spike_ms.append(spike_ms[-1] + recovery_ms)
n_stp = int(round((spike_ms[-1] + 20.0) / stp_dt))
stp_train = np.zeros((n_stp, 1, 1), np.float32)
spike_steps = [int(round(ts / stp_dt)) for ts in spike_ms]
stp_train[spike_steps, 0, 0] = 1.0

with Context("stp") as sctx:
    syn = {}
    for name, p in (("facilitating", fac_params), ("depressing", dep_params)):
        syn[name] = STPDenseSynapse(name, (1, 1), tau_f=p["tau_f"], tau_d=p["tau_d"],
                                    weight_init=DistributionGenerator.constant(value=1.0),
                                    resources_init=DistributionGenerator.constant(value=p["U"]))
    sstep = MethodProcess("step") >> syn["facilitating"].advance_state >> syn["depressing"].advance_state

srec = sstep.scan(steps=n_stp, dt=stp_dt, clamp={s.inputs: stp_train for s in syn.values()},
                  record=[r for s in syn.values() for r in (s.outputs, s.u, s.x)])
responses = {n: np.asarray(srec[s.outputs.path])[spike_steps, 0, 0] for n, s in syn.items()}
paired = {n: float(r[n_train_spikes - 1] / r[0]) for n, r in responses.items()}
recovery = {n: float(r[-1] / r[0]) for n, r in responses.items()}
for n, r in responses.items():
    print(f"{n:>12}: responses {np.round(r, 3)}; last/first of the train {paired[n]:.2f}; "
          f"recovery spike/first {recovery[n]:.2f}")

fig, ax = plt.subplots(1, 3, figsize=(13, 3.2))
t_stp = np.arange(n_stp) * stp_dt
for n, s in syn.items():
    ax[0].plot(np.arange(1, len(spike_ms) + 1), responses[n] / responses[n][0], "o-", label=n)
    ax[1].plot(t_stp, np.asarray(srec[s.u.path]).ravel(), label=f"u, {n}")
    ax[2].plot(t_stp, np.asarray(srec[s.x.path]).ravel(), label=f"x, {n}")
ax[0].axhline(1.0, color="k", lw=0.5); ax[0].set_xlabel("spike number (the last: after the pause)")
ax[0].set_ylabel("efficacy / first"); ax[0].legend(fontsize=8)
for a_ in ax[1:]:
    a_.set_xlabel("t (ms)"); a_.legend(fontsize=8)
ax[1].set_title("release probability u", fontsize=9); ax[2].set_title("available resources x", fontsize=9)
plt.tight_layout(); plt.show()

# %% [markdown]
# The facilitating synapse releases more with every spike of the train ($u$ builds up faster
# than $x$ runs down); the depressing one releases less ($x$ runs out). During the pause $x$
# recovers with $\tau_d$ and $u$ relaxes with $\tau_f$: the facilitating synapse, whose $x$ is back
# while its slow $u$ is still high, releases even more than at the end of the train; the
# depressing one, whose $x$ recovers slowly, has recovered only in part.
#
# ## 3. The STDP window
#
# One `TraceSTDPSynapse` of shape $N \times N$ holds $N$ independent experiments on its diagonal:
# pre-synaptic line $i$ spikes once at 60 ms and post-synaptic cell $i$ once at $60 + \Delta t_i$
# ms, with $\Delta t_i$ from $-$`max_lag` to `max_lag`. Two `VarTrace`s (gated, `a_delta=0`)
# follow the spikes; in each step the traces are updated first, then `evolve` applies the rule.
# The change of $W_{ii}$ is the window at $\Delta t_i$ (the off-diagonal entries pair spikes of
# different experiments, so we ignore them).

# %%
lags = np.arange(-max_lag, max_lag + 1, 2)
n_pairs, t_pre = len(lags), 60
n_stdp = t_pre + max_lag + 20
pre = np.zeros((n_stdp, 1, n_pairs), np.float32)
post = np.zeros((n_stdp, 1, n_pairs), np.float32)
pre[t_pre, 0, :] = 1.0
post[t_pre + lags, 0, np.arange(n_pairs)] = 1.0

with Context("stdp") as pctx:
    W = TraceSTDPSynapse("W", (n_pairs, n_pairs), A_plus=A_plus, A_minus=A_minus, eta=eta,
                         weight_init=DistributionGenerator.constant(value=0.5), w_bound=1.0)
    tr_pre = VarTrace("tr_pre", n_pairs, tau_tr=tau_trace, a_delta=0.0)
    tr_post = VarTrace("tr_post", n_pairs, tau_tr=tau_trace, a_delta=0.0)
    tr_pre.outputs >> W.preTrace
    tr_post.outputs >> W.postTrace
    pstep = MethodProcess("step") >> tr_pre.advance_state >> tr_post.advance_state >> W.evolve

W0 = np.diag(np.asarray(W.weights.get())).copy()
pstep.scan(steps=n_stdp, dt=1.0, clamp={tr_pre.inputs: pre, W.preSpike: pre,
                                         tr_post.inputs: post, W.postSpike: post})
dw = np.diag(np.asarray(W.weights.get())) - W0
window_theory = np.where(lags > 0, eta * A_plus * np.exp(-lags / tau_trace),
                         np.where(lags < 0, -eta * A_minus * np.exp(lags / tau_trace),
                                  eta * (A_plus - A_minus)))
window_error = float(np.max(np.abs(dw - window_theory)))
print(f"largest difference from the window's equation: {window_error:.2e}")

fig, ax = plt.subplots(figsize=(6.5, 3.4))
ax.axhline(0, color="k", lw=0.5); ax.axvline(0, color="k", lw=0.5)
ax.plot(lags, window_theory, "-", color="0.6", label="equation")
ax.plot(lags, dw, "o", ms=4, label="TraceSTDPSynapse")
ax.set_xlabel(r"$\Delta t = t_{post} - t_{pre}$ (ms)"); ax.set_ylabel(r"$\Delta W$"); ax.legend()
ax.set_title("pre before post strengthens, post before pre weakens", fontsize=9)
plt.tight_layout(); plt.show()

# %% [markdown]
# ## Explore the kernels
#
# The lab drives the three kernels with a 40 Hz Poisson spike train. The scope plots the spikes
# and the three conductances; the knobs panel has a slider for every time constant
# (`tau_decay`, `tau_rise`), for `g_syn_bar` and for the spike rate (`target_freq`). Sliders
# change values in the state, so the step is never recompiled: make `tau_rise` approach
# `tau_decay` and watch the double exponential shrink (its prefactor
# $1/\tau_r - 1/\tau_d$ vanishes), or shorten the alpha synapse's time constant until single
# spikes show up again.
#
# *As an app* (no code shown): [this lab in Voila on Binder](https://mybinder.org/v2/gh/OWNER/ngclab/HEAD?urlpath=voila/render/notebooks/demos/13_synapses_in_time.ipynb),
# or `voila/render/demos/13_synapses_in_time.ipynb` at the address of `ngclab lab` when Voila is
# installed; the app's notebook is [demos/13_synapses_in_time.ipynb](demos/13_synapses_in_time.ipynb).

# %% tags=["lab-demo"]
with Context("lab") as lctx:
    src = PoissonCell("src", 1, target_freq=40.0, key=3)
    LE = ExponentialSynapse("E", (1, 1), tau_decay=tau_decay, g_syn_bar=g_bar, syn_rest=None)
    LD = DoubleExpSynapse("D", (1, 1), tau_decay=tau_decay, tau_rise=tau_rise, g_syn_bar=g_bar,
                          syn_rest=None)
    LA = AlphaSynapse("A", (1, 1), tau_decay=tau_alpha, g_syn_bar=g_bar, syn_rest=None)
    for s in (LE, LD, LA):
        src.outputs >> s.inputs
    lstep = MethodProcess("step") >> src.advance_state >> LE.advance_state >> LD.advance_state >> LA.advance_state
    lreset = MethodProcess("reset")
    for c in (src, LE, LD, LA):
        lreset >> c.reset

# %% tags=["lab-demo-show"]
from ngclab.lab import Lab
lab = Lab(lctx, advance=lstep, reset=lreset, clamp={src.inputs: jnp.ones((1, 1))},
          watch=[src.outputs, LE.g_syn, LD.g_syn, LA.g_syn], dt=dt, steps_per_frame=100)
lab.run(steps=lab_steps)
print(f"the lab ran {lab.step_count} steps of {dt} ms")
lab

# %%
ngclab.record("kernel_peak_ms", [peaks["exponential"], peaks["double exponential"], peaks["alpha"]])
ngclab.record("kernel_theory_peak_ms", [dt, float(t_star), tau_alpha])
ngclab.record("alpha_peak_height", heights["alpha"])
ngclab.record("kernel_discrete_error", kernel_error)
ngclab.record("stp_last_over_first", [paired["facilitating"], paired["depressing"]])
ngclab.record("stp_recovery_over_first", [recovery["facilitating"], recovery["depressing"]])
ngclab.record("stdp_dw_at_plus_minus_10ms", [float(dw[lags == 10][0]), float(dw[lags == -10][0])])
ngclab.record("stdp_window_error", window_error)
ngclab.record("compile_counts", [kstep.compile_count, sstep.compile_count, pstep.compile_count])
print(f"ran in {time.perf_counter() - t_start:.1f} s")

# %% [markdown]
# ## Exercises
#
# Each exercise is a cell to complete (replace `raise NotImplementedError()`) followed by a
# test cell that checks your answer against the equations; run both. Nothing after an
# exercise depends on it.
#
# ### Exercise 1 (2 points): an exponential conductance by hand
#
# Write `exp_conductance(spikes, tau, g_syn_bar, dt)`: the conductance of an
# `ExponentialSynapse` with one input line and $W = 1$, for a spike train `spikes` of shape
# `(steps,)` (zeros and ones), from $g = 0$, with the Euler step
# $g \leftarrow g\,(1 - \Delta t/\tau) + \bar g\, s$. Return $g$ after each step, shape `(steps,)`.

# %% nbgrader={"solution": true, "grade": false, "locked": false, "grade_id": "13_synapses_in_time_ex1", "schema_version": 3}
def exp_conductance(spikes, tau, g_syn_bar, dt):
    ### BEGIN SOLUTION
    g, out = 0.0, []
    for s in np.asarray(spikes, dtype=np.float64):
        g = g * (1.0 - dt / tau) + g_syn_bar * s
        out.append(g)
    return np.asarray(out)
    ### END SOLUTION

print(exp_conductance(np.array([1.0, 0.0, 0.0, 1.0]), 2.0, 1.0, 1.0))

# %% nbgrader={"grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "13_synapses_in_time_ex1_test", "schema_version": 3}
# one spike: the discrete impulse response g_k = g_bar (1 - dt/tau)^k
np.testing.assert_allclose(exp_conductance(np.r_[1.0, np.zeros(9)], 4.0, 2.0, 0.5),
                           2.0 * (1 - 0.5 / 4.0) ** np.arange(10), rtol=1e-9)
# linearity: the response to two spikes is the sum of two shifted impulse responses
two = np.zeros(12); two[[0, 5]] = 1.0
imp = 1.5 * (1 - 1.0 / 3.0) ** np.arange(12)
np.testing.assert_allclose(exp_conductance(two, 3.0, 1.5, 1.0), imp + np.r_[np.zeros(5), imp[:7]],
                           rtol=1e-9)
### BEGIN HIDDEN TESTS
spk_chk = (np.random.default_rng(4).uniform(size=40) < 0.2).astype(np.float32)
with Context("exp_check") as ec_ctx:
    E_c = ExponentialSynapse("E_c", (1, 1), tau_decay=2.5, g_syn_bar=0.7, syn_rest=None)
    adv_c = MethodProcess("step") >> E_c.advance_state
rec_c = adv_c.scan(steps=40, dt=0.25, clamp={E_c.inputs: jnp.asarray(spk_chk)[:, None, None]},
                   record=[E_c.g_syn])
np.testing.assert_allclose(exp_conductance(spk_chk, 2.5, 0.7, 0.25),
                           np.asarray(rec_c[E_c.g_syn.path]).ravel(), rtol=1e-5, atol=1e-6)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 2 (3 points): Tsodyks-Markram efficacies
#
# Write `tm_efficacies(spike_steps, n_steps, U, tau_f, tau_d, dt)`: for one connection with
# $W = 1$, run the three updates of the lesson's introduction (in that order: $u$, efficacy
# $u\,x$, $x$) for `n_steps` steps from $u = 0$, $x = 1$, with $s = 1$ at the steps listed in
# `spike_steps` and 0 otherwise, and return the efficacies $u\,x$ at the spikes, in order.
# Then compare with `responses` above.

# %% nbgrader={"solution": true, "grade": false, "locked": false, "grade_id": "13_synapses_in_time_ex2", "schema_version": 3}
def tm_efficacies(spike_steps, n_steps, U, tau_f, tau_d, dt):
    ### BEGIN SOLUTION
    u, x, out, spiking = 0.0, 1.0, [], set(int(k) for k in spike_steps)
    for k_ in range(n_steps):
        s = 1.0 if k_ in spiking else 0.0
        u = u * (1 - dt / tau_f) + U * (1 - u) * s
        if s:
            out.append(u * x)
        x = x + dt / tau_d * (1 - x) - u * x * s
    return np.asarray(out)
    ### END SOLUTION

print(np.round(tm_efficacies([0, 10, 20], 30, 0.5, 50.0, 100.0, 1.0), 4))

# %% nbgrader={"grade": true, "solution": false, "locked": true, "points": 3, "grade_id": "13_synapses_in_time_ex2_test", "schema_version": 3}
# the first spike releases U (u jumps from 0 to U, x = 1)
assert np.isclose(tm_efficacies([0], 5, 0.3, 100.0, 100.0, 1.0)[0], 0.3)
# two spikes 5 steps apart, by the equations: step 0 gives u = U and leaves x = 1 - U; steps
# 1-4 relax u and recover x; step 5 relaxes u once more and facilitates it from its old value
U_c, tf_c, td_c, dt_c = 0.4, 30.0, 80.0, 1.0
u4_c = U_c * (1 - dt_c / tf_c) ** 4
x4_c = 1 - U_c
for _ in range(4):
    x4_c = x4_c + dt_c / td_c * (1 - x4_c)
u5_c = u4_c * (1 - dt_c / tf_c) + U_c * (1 - u4_c)
np.testing.assert_allclose(tm_efficacies([0, 5], 6, U_c, tf_c, td_c, dt_c), [U_c, u5_c * x4_c],
                           rtol=1e-9)
### BEGIN HIDDEN TESTS
# the lesson's STPDenseSynapse responses (W = 1)
for name_c, p_c in (("facilitating", fac_params), ("depressing", dep_params)):
    np.testing.assert_allclose(tm_efficacies(spike_steps, n_stp, p_c["U"], p_c["tau_f"], p_c["tau_d"], stp_dt),
                               responses[name_c], rtol=1e-4, atol=1e-6)
### END HIDDEN TESTS

# %% [markdown]
# ### More to try
#
# 1. Give the exponential synapse a reversal potential (`syn_rest=0.`) and wire a `LIFCell`'s
#    `v` into the synapse's `v`: how does the current of one spike change as the cell
#    depolarises? Compare an excitatory ($E = 0$ mV) and an inhibitory ($E = -80$ mV) synapse.
# 2. Drive the two STP synapses with Poisson trains of 5, 20 and 80 Hz and plot the mean
#    efficacy per spike against the rate: which synapse transmits changes of rate, which the
#    rate itself?
# 3. Set `pretrace_target` ($x_{tar}$) to 0.2 in the STDP experiment. What happens to the
#    window for $\Delta t < 0$, and for pairs far apart?
# 4. Make the post-synaptic trace longer than the pre-synaptic one: is the window still
#    balanced, and what does $\int \Delta W\, d\Delta t$ tell you about random (uncorrelated)
#    pre and post spikes?
