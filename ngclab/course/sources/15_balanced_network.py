# %% [markdown]
# # 15. A balanced network: excitation, inhibition and irregular firing
#
# A cortical neuron receives thousands of inputs, most of them excitatory. Why doesn't
# excitation run away? Because inhibition keeps pace: in a **balanced network** the large
# excitatory and inhibitory currents nearly cancel, and what is left, their *fluctuations*,
# makes the cells fire irregularly and at low rates, each at its own time. This lesson builds the
# classic example, the **CUBA** network (current-based synapses; Vogels & Abbott 2005, the
# benchmark of Brette et al. 2007 and Brian2's `examples/CUBA.py`), from ngclab components:
# 4,000 leaky integrate-and-fire cells, 80% excitatory, each connected to each with probability
# 2%.
#
# **Cells.** Each cell's voltage follows
#
# $$\tau_m \frac{dv}{dt} = (E_L - v) + g_e + g_i ,$$
#
# fires when $v > V_t$, is reset to $V_r$ and held there for a refractory period of 5 ms
# ($\tau_m = 20$ ms, $V_t = -50$ mV, $V_r = -60$ mV, $E_L = -49$ mV). Note $E_L > V_t$: alone, a
# cell would fire like a clock. Voltages start uniform in $[V_r, V_t]$.
#
# **Synapses.** A spike of an excitatory cell makes every cell it connects to jump by
# $w_e = 1.62$ mV of current $g_e$, an inhibitory one by $w_i = -9$ mV of $g_i$; both decay,
#
# $$\frac{dg_e}{dt} = -\frac{g_e}{\tau_e}, \qquad \frac{dg_i}{dt} = -\frac{g_i}{\tau_i}, \qquad
#   \tau_e = 5 \text{ ms}, \; \tau_i = 10 \text{ ms}.$$
#
# On the components (`ngclab.models.cuba.build`): a `LIFCell` with `v_rest` $= E_L$,
# `thr` $= V_t$, `v_reset` $= V_r$, `refract_time = 5`, no threshold adaptation and
# `hold_refractory=True` (v is held, not leaking, while refractory), and two
# `SparseExponentialSynapse`s (`Ce` from the excitatory cells, `Ci` from the inhibitory ones)
# with `g_syn_bar` $= w_e, w_i$ and `g_conduct_factor = -1`, so their output is $+g$. Each
# step of $\Delta t = 0.1$ ms runs the cells, then the synapses: only the rows of the cells that
# fired are added (the **event-driven** product, at most `event_capacity` spikes per step).

# %% tags=["lab-demo"]
import time
import warnings
import numpy as np
import jax.numpy as jnp
import matplotlib.pyplot as plt

import ngclab
from ngclab.models import cuba

warnings.filterwarnings("ignore", message=".*sees the previous step's value")
t_start = time.perf_counter()

# %% tags=["parameters", "lab-demo"]
n = 4000              # cells (80% excitatory)
steps = 10000         # 1 s of network time (dt: 0.1 ms)
seed = 1              # connectivity and initial voltages
capacity = 400        # most spikes per step and synapse the event-driven product takes
n_sweep = 6           # members of the ensemble over the inhibitory jump
sweep_steps = 3000    # 0.3 s per member
shown = 400           # cells drawn in the rasters (every n // shown-th)
lab_steps = 2000      # steps the lab runs (headless)

# %% [markdown]
# ## One second of activity
#
# One `scan` of `steps` steps records each cell's spike count (`"sum"`, memory independent of
# the steps) and, every step, the cells each synapse propagated (`events`: at most `capacity`
# per step, so the whole raster fits in steps x capacity numbers instead of steps x cells).
# `cuba.run` also checks that no step had more spikes than the capacity.

# %% tags=["lab-demo"]
net = cuba.build(n, seed=seed, event_capacity=capacity)
P, Ce, Ci = net.P, net.Ce, net.Ci
start = net.ctx.snapshot()
print(f"{n} cells; excitatory rows {Ce.weights.shape}, inhibitory rows {Ci.weights.shape}; "
      f"{int((Ce.targets < n).sum() + (Ci.targets < n).sum()):,} connections")

# %%
out = cuba.run(net, steps, record={P.s: "sum", Ce.events: None, Ci.events: None})
counts = np.asarray(out[P.s.path])[0]
times, cells = (np.concatenate(a) for a in zip(*(cuba.spike_times(out[s.events.path])
                                                 for s in (Ce, Ci))))
duration = steps * cuba.DT / 1000.0                        # s
rate = float(counts.sum() / n / duration)
late = times >= 200.0                                      # after the start-up transient
cv = float(cuba.isi_cv(times[late], cells[late]).mean())
print(f"{int(counts.sum()):,} spikes: {rate:.2f} Hz per cell; ISI CV {cv:.2f} "
      f"(Brian2, same network, 5 seeds: 5.66 Hz, CV 0.49)")

# %% [markdown]
# The raster shows every `n // shown`-th cell (excitatory below the line, inhibitory above), the
# population rate in 1 ms bins under it, and the histogram of inter-spike intervals. The
# population rate fluctuates around a constant: no volleys, each cell fires at its own times
# (**asynchronous**), with broadly spread intervals (**irregular**: CV of order one; a clock
# would have CV 0, a Poisson process 1).

# %%
def draw_activity(times, cells, n_steps, title):
    every = max(1, n // shown)
    sel = cells % every == 0
    fig, ax = plt.subplots(1, 3, figsize=(15, 3.4), gridspec_kw={"width_ratios": [3, 3, 2]})
    ax[0].scatter(times[sel], cells[sel] // every, s=1, color="k", marker="|")
    ax[0].axhline(net.n_exc // every, color="tab:red", lw=0.8)
    ax[0].set_xlabel("t (ms)"); ax[0].set_ylabel(f"cell / {every}"); ax[0].set_title(title)
    bins = np.arange(0., n_steps * cuba.DT + 1., 1.0)
    pop = np.histogram(times, bins)[0] / n / 1e-3          # Hz per cell
    ax[1].plot(bins[:-1], pop, lw=0.7); ax[1].set_xlabel("t (ms)")
    ax[1].set_ylabel("population rate (Hz)")
    order = np.lexsort((times, cells))
    t, c = times[order], cells[order]
    isi = np.diff(t)[c[1:] == c[:-1]]
    ax[2].hist(isi, bins=60, color="tab:gray"); ax[2].set_xlabel("inter-spike interval (ms)")
    plt.tight_layout(); plt.show()
    return pop

pop = draw_activity(times, cells, steps, f"CUBA, {rate:.1f} Hz")

# %% [markdown]
# ## Tipping the balance: an ensemble over the inhibitory jump
#
# How much of this depends on inhibition? A **sweep** runs several copies of the network in one
# compiled program, each with its own value of a knob, here `Ci.g_syn_bar` $= w_i$ from the
# CUBA value down to none. For each member we record its spike count and the population count of
# every step (a function of the spikes, one number per step), and measure
#
# $$\text{rate} = \frac{\#\text{spikes}}{N\,T}, \qquad
#   \chi = \frac{\operatorname{std}_t\, r(t)}{\operatorname{mean}_t\, r(t)}$$
#
# with $r(t)$ the population rate in 1 ms bins: $\chi$ is small when the cells fire
# asynchronously and grows when they fire in volleys.

# %%
w_inh = np.linspace(cuba.W_I, 0., n_sweep)
net.ctx.restore(start)
ens = cuba.run(net, sweep_steps, record={P.s: lambda s: jnp.sum(s, axis=-1)},
               sweep={Ci.g_syn_bar: jnp.asarray(w_inh)})
per_step = np.asarray(ens[P.s.path])[:, :, 0]              # (members, steps)
ens_rate = per_step.sum(axis=1) / n / (sweep_steps * cuba.DT / 1000.0)
binned = per_step[:, : sweep_steps // 10 * 10].reshape(n_sweep, -1, 10).sum(axis=2)
chi = binned[:, 20:].std(axis=1) / np.maximum(binned[:, 20:].mean(axis=1), 1e-9)
for w, r, x in zip(w_inh, ens_rate, chi):
    print(f"w_i = {w:6.2f} mV: {r:7.2f} Hz, chi = {x:.2f}")

fig, ax = plt.subplots(1, 2, figsize=(10, 3))
ax[0].plot(w_inh, ens_rate, "o-"); ax[0].set_xlabel("inhibitory jump w_i (mV)")
ax[0].set_ylabel("mean rate (Hz)"); ax[0].set_yscale("log")
ax[1].plot(w_inh, chi, "o-"); ax[1].set_xlabel("inhibitory jump w_i (mV)")
ax[1].set_ylabel("synchrony chi")
plt.tight_layout(); plt.show()

# %% [markdown]
# Weaker inhibition lets excitation win: the rate climbs by more than an order of magnitude
# (without inhibition, towards the limit the refractory period and the drive allow). On the way
# the network leaves the asynchronous state: $\chi$ rises as the population fires in volleys.
# Where exactly, and how far, depends on the network's size and seed; with almost no inhibition
# every cell is driven far above threshold and fires nearly like a clock, and $\chi$, which only
# sees volleys, can fall again. (The sweep ran every member as one vmapped program; the network
# in the Context was not changed by it.)
#
# ## Play with the balance
#
# The lab runs the same network: the scope draws a raster of every `n // shown`-th cell with the
# population rate of all the cells under it, and the knobs panel has a slider for each knob:
# `Ci`'s `g_syn_bar` is $w_i$, `Ce`'s is $w_e$. Press play, then move $w_i$ towards 0 (or $w_e$
# up) and watch the asynchronous irregular state turn into synchronous volleys; reset puts the
# cells back at their random start. In strong volleys more cells may fire in one step than the
# synapses' `event_capacity`; the run then stops with that message rather than drop spikes.
#
# *As an app* (no code shown): [this lab in Voila on Binder](https://mybinder.org/v2/gh/OWNER/ngclab/HEAD?urlpath=voila/render/notebooks/demos/15_balanced_network.ipynb),
# or `voila/render/demos/15_balanced_network.ipynb` at the address of `ngclab lab` when Voila is
# installed; the app's notebook is [demos/15_balanced_network.ipynb](demos/15_balanced_network.ipynb).

# %% tags=["lab-demo-show"]
from ngclab.lab import Lab
net.ctx.restore(start)
lab = Lab(net.ctx, advance=net.advance, reset=net.reset, watch=[P.s], dt=cuba.DT,
          steps_per_frame=500, window=5000)
lab.runner.observers.append(cuba.lab_guard(net))
lab.scope.select(P.s, f"0:{n}:{max(1, n // shown)}")
lab.run(steps=lab_steps)
print(f"the lab ran {lab.step_count} steps ({lab.step_count * cuba.DT:.0f} ms)")
lab

# %%
ngclab.record("rate_hz", rate)
ngclab.record("isi_cv", cv)
ngclab.record("spikes", int(counts.sum()))
ngclab.record("sweep_rate_hz", [float(r) for r in ens_rate])
ngclab.record("sweep_chi", [float(x) for x in chi])
ngclab.record("lab_steps_run", int(lab.step_count))
print(f"ran in {time.perf_counter() - t_start:.1f} s")

# %% [markdown]
# ## Exercises
#
# Each exercise is a cell to complete (replace `raise NotImplementedError()`) followed by a
# test cell that checks your answer against the equations; run both. Nothing after an
# exercise depends on it.
#
# ### Exercise 1 (2 points): a cell on its own
#
# Without synaptic input, a cell integrates $\tau_m\,dv/dt = E_L - v$ from $V_r$ and fires when
# $v$ reaches $V_t$ (possible because $E_L > V_t$), then is held for $t_{ref}$. Solve the
# equation for the time it takes and write `isolated_rate(tau_m, E_L, V_t, V_r, t_ref)`: the
# firing rate in Hz of such a cell (times in ms, voltages in mV).

# %% nbgrader={"solution": true, "grade": false, "locked": false, "grade_id": "15_balanced_network_ex1", "schema_version": 3}
def isolated_rate(tau_m, E_L, V_t, V_r, t_ref):
    ### BEGIN SOLUTION
    rise = tau_m * np.log((E_L - V_r) / (E_L - V_t))      # v(t) = E_L + (V_r - E_L) e^(-t/tau)
    return 1000.0 / (t_ref + rise)
    ### END SOLUTION

print(f"{isolated_rate(20., -49., -50., -60., 5.):.2f} Hz")

# %% nbgrader={"grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "15_balanced_network_ex1_test", "schema_version": 3}
# v(t) = E_L + (V_r - E_L) exp(-t / tau_m) reaches V_t at t = tau_m ln((E_L - V_r) / (E_L - V_t))
t_chk = 10. * np.log((-40. + 70.) / (-40. + 45.))
np.testing.assert_allclose(isolated_rate(10., -40., -45., -70., 2.), 1000. / (2. + t_chk),
                           rtol=1e-6)
### BEGIN HIDDEN TESTS
# against the network's cells with the synapses silenced (w_e = w_i = 0): 1 s, dt = 0.1 ms
chk = cuba.build(20, p_conn=0.1, seed=3, we=0., wi=0., name="alone")
rec_chk = cuba.run(chk, 10_000, record={chk.P.s: "sum"})
simulated = float(np.asarray(rec_chk[chk.P.s.path]).mean())       # spikes per cell in 1 s
assert abs(simulated - isolated_rate(20., -49., -50., -60., 5.)) < 1.5, simulated
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 2 (3 points): irregularity by hand
#
# Write `cv_of_intervals(times, cells)`: for spike times `times` (ms) of the cells `cells`
# (two arrays of equal length, in any order), the coefficient of variation
# $\operatorname{std}(\text{ISI}) / \operatorname{mean}(\text{ISI})$ of each cell's
# inter-spike intervals, averaged over the cells with at least 3 spikes.

# %% nbgrader={"solution": true, "grade": false, "locked": false, "grade_id": "15_balanced_network_ex2", "schema_version": 3}
def cv_of_intervals(times, cells):
    ### BEGIN SOLUTION
    times, cells = np.asarray(times, float), np.asarray(cells)
    cvs = []
    for c in np.unique(cells):
        t = np.sort(times[cells == c])
        if t.size >= 3:
            isi = np.diff(t)
            cvs.append(isi.std() / isi.mean())
    return float(np.mean(cvs))
    ### END SOLUTION

print(f"CV of the late spikes: {cv_of_intervals(times[late], cells[late]):.3f}")

# %% nbgrader={"grade": true, "solution": false, "locked": true, "points": 3, "grade_id": "15_balanced_network_ex2_test", "schema_version": 3}
# a regular train (intervals 10, 10) has CV 0; intervals 5 and 15 (mean 10, std 5) CV 0.5
np.testing.assert_allclose(cv_of_intervals([0., 10., 20.], [0, 0, 0]), 0., atol=1e-12)
np.testing.assert_allclose(cv_of_intervals([20., 0., 5., 1., 2.], [0, 0, 0, 1, 1]), 0.5,
                           rtol=1e-9)     # cell 1 has only 2 spikes: left out
### BEGIN HIDDEN TESTS
# exponential intervals (a Poisson train) have CV 1
rng_chk = np.random.default_rng(0)
isi_chk = rng_chk.exponential(10., size=(50, 400))
t_pois = np.cumsum(isi_chk, axis=1).ravel()
c_pois = np.repeat(np.arange(50), 400)
assert abs(cv_of_intervals(t_pois, c_pois) - 1.) < 0.05
### END HIDDEN TESTS

# %% [markdown]
# ### More to try
#
# 1. Sweep the excitatory jump `Ce.g_syn_bar` instead. Where does the network leave the
#    asynchronous state?
# 2. Build the network with `p_conn=None` at `n=16000` (80 inputs per cell, as here). Do the rate
#    and the CV change? What does that say about which quantity sets the balance?
