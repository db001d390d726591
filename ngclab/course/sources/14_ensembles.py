# %% [markdown]
# # 14. Ensembles: many runs of one circuit as one program
#
# A tuning curve, a parameter map or the spread over random seeds all need the *same* circuit
# run many times with something changed. A **sweep** runs those $N$ runs, the *members*, side
# by side as one compiled program: member $i$ follows
#
# $$s^{(i)}_{t+1} = F\big(s^{(i)}_t,\; x^{(i)}_t;\; \theta^{(i)}\big), \qquad i = 1, \dots, N,$$
#
# the circuit's own step $F$ with its own knob values $\theta^{(i)}$, clamped inputs
# $x^{(i)}$ or random keys. ngclab writes the step once and JAX maps it over the members
# (`jax.vmap` of the scan), so $N$ runs cost one compilation and, on a CPU, far less than $N$
# scans one after another. On several devices the members are split between them.
#
# | `scan(..., sweep=...)` | what differs between members |
# |---|---|
# | `{knob: values}` | a knob (a scalar hyperparameter), one value per member |
# | `{compartment: values}` | a clamped input: `(N, *shape)` a constant per member, `(N, steps, *shape)` a sequence |
# | `{"seed": n}` | every random key of the model (seeds $0 \dots n-1$) |
# | `ngclab.grid({k1: v1, k2: v2})` | every combination of the knob values (a grid) |
#
# The records come back with a leading member axis, `(N, steps, ...)`, or `(N, ...)` for a
# reduction such as `record={cell.s: "mean"}`. The model's own state is not changed;
# `final=True` keeps every member's final state and `ctx.restore(result.member(i))` makes
# member $i$ the model.

# %% tags=["lab-demo"]
import time
import numpy as np
import jax.numpy as jnp
import matplotlib.pyplot as plt

import ngclab
from ngclab import Context, MethodProcess
from ngclab.components import (HebbianSynapse, IzhikevichCell, LIFCell, PoissonCell, RateCell,
                               StaticSynapse)
from ngclab.utils.distribution_generator import DistributionGenerator

t_start = time.perf_counter()

# %% tags=["parameters", "lab-demo"]
fi_members = 64      # input currents of the f-I curves
fi_T = 500.0         # ms per member
fi_dt = 0.25         # ms per step
heb_grid = 8         # values of eta and of tau (a heb_grid x heb_grid map)
heb_steps = 400      # Hebbian learning steps per member
n_seeds = 10         # members of the seed sweep
net_T = 300.0        # ms of the Poisson-driven network
net_dt = 0.5         # ms per step
view_chunk = 8       # members per chunk of the lab's Sweep view

# %% [markdown]
# ## 1. f-I curves: 64 currents, one sweep
#
# A leaky integrate-and-fire cell (lesson 9) integrates
# $\tau_m \frac{dv}{dt} = (v_{rest} - v) + R\,j$, fires when $v > v_{thr}$, resets to $v_{reset}$
# and ignores its input for a refractory time $t_{ref}$ (its voltage leaks towards $v_{rest}$
# meanwhile). Under a constant current the voltage approaches $v_\infty = v_{rest} + R j$; the
# cell fires only if $v_\infty > v_{thr}$, and then with the period
#
# $$T(j) = t_{ref} + \tau_m \ln\frac{v_\infty - v_0}{v_\infty - v_{thr}}, \qquad
#   v_0 = v_{rest} + (v_{reset} - v_{rest})\, e^{-t_{ref}/\tau_m},$$
#
# ($v_0$: where the voltage is when the refractory period ends): a rate $1000/T$ Hz for $T$ in ms.
#
# The Izhikevich cell of lesson 12 (regular spiking) answers the same question differently:
# its rate starts from zero at its threshold current (a *type I* neuron).
#
# Both cells live in one circuit and one sweep clamps both inputs, one current per member for
# each (several sweep keys of the same length vary together). Each member records one number per
# cell, the mean of its spikes over the run: `record={lif.s: "mean", izh.s: "mean"}`.

# %% tags=["lab-demo"]
LIF = dict(tau_m=10.0, resist_m=1.0, v_rest=-65.0, v_reset=-60.0, thr=-52.0, refract_time=2.0)
with Context("fi") as fi_ctx:
    lif = LIFCell("lif", 1, theta_plus=0.0, **LIF)      # no threshold adaptation
    izh = IzhikevichCell("izh", 1)                      # regular spiking: a, b, c, d = .02, .2, -65, 8
    fi_step = MethodProcess("step") >> lif.advance_state >> izh.advance_state

lif_currents = np.linspace(0.0, 40.0, fi_members)
izh_currents = np.linspace(0.0, 20.0, fi_members)
fi_steps = int(round(fi_T / fi_dt))
fi = fi_step.scan(steps=fi_steps, dt=fi_dt, record={lif.s: "mean", izh.s: "mean"},
                  sweep={lif.j: lif_currents.reshape(-1, 1, 1), izh.j: izh_currents.reshape(-1, 1, 1)})
lif_rates = fi[lif.s.path].ravel() * 1000.0 / fi_dt       # spikes per step -> Hz
izh_rates = fi[izh.s.path].ravel() * 1000.0 / fi_dt

def lif_theory(j, tau_m=10.0, resist_m=1.0, v_rest=-65.0, v_reset=-60.0, thr=-52.0, refract_time=2.0):
    j = np.asarray(j, dtype=np.float64)
    v_inf = v_rest + resist_m * j
    v0 = v_rest + (v_reset - v_rest) * np.exp(-refract_time / tau_m)
    fires = v_inf > thr
    ratio = np.where(fires, (v_inf - v0) / np.where(fires, v_inf - thr, 1.0), 1.0)
    return np.where(fires, 1000.0 / (refract_time + tau_m * np.log(ratio)), 0.0)

theory = lif_theory(lif_currents, **LIF)
firing = theory > 20.0                    # well above threshold (the period is many steps long)
lif_rel_error = float(np.max(np.abs(lif_rates[firing] - theory[firing]) / theory[firing]))
izh_threshold = float(izh_currents[np.argmax(izh_rates > 0)])

fig, ax = plt.subplots(1, 2, figsize=(11, 3.4))
ax[0].plot(lif_currents, lif_rates, "o", ms=3, label=f"sweep ({fi_members} members)")
ax[0].plot(lif_currents, theory, "k-", lw=1, label="$1000 / T(j)$")
ax[0].set_xlabel("j (R = 1: mV)"); ax[0].set_ylabel("rate (Hz)"); ax[0].set_title("LIF"); ax[0].legend(fontsize=8)
ax[1].plot(izh_currents, izh_rates, "o-", ms=3, color="C2")
ax[1].set_xlabel("j"); ax[1].set_ylabel("mean rate over the run (Hz)"); ax[1].set_title("Izhikevich (RS)")
plt.tight_layout(); plt.show()
fi_compiles = fi_step.compile_count
print(f"LIF: largest relative error against T(j) {lif_rel_error:.3f} (Euler steps of {fi_dt} ms); "
      f"Izhikevich fires from j = {izh_threshold:.2f}; compiled {fi_compiles} time(s)")

# %% [markdown]
# The sweep's rates sit on the analytic curve up to the time step (a spike can only happen at a
# step, so a period is rounded to whole steps). Both curves are continuous at threshold, but
# the LIF rate rises as $1/\ln$, steeply, and the Izhikevich rate almost linearly.
#
# ## 2. A two-knob heat map: what makes a Hebbian synapse selective
#
# Lesson 5's Hebbian synapse learns the principal direction of its input. Here its output goes
# through a leaky rate cell with time constant $\tau$ (a slow postsynaptic neuron):
#
# $$\tau \frac{dy}{dt} = -y + xW, \qquad \Delta W = \eta\, x^\top y\,(w_b - |W|).$$
#
# For inputs drawn independently at every step, $y_t = \frac{dt}{\tau}\sum_k (1 - \frac{dt}{\tau})^k x_{t-k} W$,
# and only the $k = 0$ term correlates with $x_t$: on average $\langle x^\top y\rangle = \frac{dt}{\tau}\, C\,W$.
# The synapse learns as if its rate were $\eta\,dt/\tau$, so the *selectivity*
# $|\cos(W, \text{principal})|$ after a fixed number of steps should stay about the same along
# the lines $\eta/\tau = $ const. One `ngclab.grid` sweep maps it over $\eta \times \tau$
# (the input sequence is clamped and shared by every member).

# %%
rho, batch, seed = 0.8, 16, 3
C = np.array([[1.0, rho], [rho, 1.0]], dtype=np.float32)
x_seq = jnp.asarray(np.random.default_rng(seed).standard_normal((heb_steps, batch, 2)) @ np.linalg.cholesky(C).T,
                    dtype=jnp.float32)    # x ~ N(0, C), drawn once and shared by every member
principal = np.array([1.0, 1.0]) / np.sqrt(2.0)
with Context("hebb_map") as heb_ctx:
    W = HebbianSynapse("W", shape=(2, 1), eta=0.01, w_bound=1.0, sign_value=-1.0,
                       weight_init=DistributionGenerator.constant(value=0.0), batch_size=batch)
    y = RateCell("y", n_units=1, tau_m=10.0, prior=("gaussian", 1.0), act_fx="identity", batch_size=batch)
    W.outputs >> y.j
    y.zF >> W.post
    W.weights.set(jnp.asarray([[0.3], [-0.2]]))     # far from the principal direction
    heb_step = MethodProcess("step") >> W.advance_state >> y.advance_state >> W.evolve

etas = np.logspace(-4.0, -2.0, heb_grid)     # two decades each: a diagonal step keeps eta / tau
taus = np.logspace(0.0, 2.0, heb_grid)
heb = heb_step.scan(steps=heb_steps, clamp={W.inputs: x_seq, W.pre: x_seq}, record={W.weights: "last"},
                    sweep=ngclab.grid({W.eta: etas, y.tau_m: taus}))
w_final = heb.unflatten(W.weights.path)[..., 0]                 # (eta, tau, 2)
selectivity = np.abs(w_final @ principal) / np.linalg.norm(w_final, axis=-1)
rate = np.log10(etas[:, None] / taus[None, :])                   # log10(eta / tau) of each member
start_cos = float(abs(np.array([0.3, -0.2]) @ principal) / np.linalg.norm([0.3, -0.2]))

fig, ax = plt.subplots(figsize=(6, 4.2))
im = ax.imshow(selectivity, origin="lower", cmap="viridis", vmin=0, vmax=1,
               extent=(-0.5, heb_grid - 0.5, -0.5, heb_grid - 0.5))
ax.contour(np.arange(heb_grid), np.arange(heb_grid), rate, colors="w", linewidths=0.6, linestyles=":")
ticks = np.arange(0, heb_grid, max(1, heb_grid // 4))
ax.set_xticks(ticks, [f"{taus[k]:.3g}" for k in ticks]); ax.set_yticks(ticks, [f"{etas[k]:.2g}" for k in ticks])
ax.set_xlabel(r"$\tau$ of the postsynaptic cell"); ax.set_ylabel(r"$\eta$")
ax.set_title(r"selectivity $|\cos(W, \mathrm{principal})|$; dotted: $\eta/\tau$ = const", fontsize=9)
fig.colorbar(im); plt.tight_layout(); plt.show()
# one step along a diagonal keeps eta / tau; one step along a row changes it by as much
along = float(np.mean(np.abs(selectivity[1:, 1:] - selectivity[:-1, :-1])))
across = float(np.mean(np.abs(selectivity[:, 1:] - selectivity[:, :-1])))
print(f"{heb.members} members; selectivity from {selectivity.min():.2f} (start {start_cos:.2f}) to "
      f"{selectivity.max():.2f}; mean change per step along a diagonal {along:.3f}, along a row {across:.3f}")

# %% [markdown]
# The map is organised by $\eta/\tau$: its contours run along the diagonals. Only the pale
# corner of slow learning (small $\eta$, large $\tau$) stays near the starting direction; all
# the members with $\eta\,dt/\tau$ above about $10^{-3}$ have found the principal direction.
#
# ## 3. Ten seeds: the spread of a noisy network
#
# 200 Poisson inputs (lesson 9: each fires with probability $f\,dt$ per step) drive 50 LIF
# cells through fixed random weights. `sweep={"seed": n_seeds}` folds the member's seed into
# every random key of the model, so the members see different input spike trains (the weights
# were drawn when the synapse was built: they are the same for all members). Member $i$ is
# reproducible: the same seed gives the same run.

# %%
n_in, n_out = 200, 50
with Context("noisy") as net_ctx:
    inp = PoissonCell("inp", n_units=n_in, target_freq=20.0)
    Wi = StaticSynapse("Wi", shape=(n_in, n_out))
    Wi.weights.set(jnp.asarray(np.random.default_rng(1).uniform(0.0, 2.0, (n_in, n_out)), jnp.float32))
    cells = LIFCell("cells", n_out, tau_m=10.0, resist_m=10.0, theta_plus=0.0, refract_time=2.0)
    inp.outputs >> Wi.inputs
    Wi.outputs >> cells.j
    net_step = MethodProcess("step") >> inp.advance_state >> Wi.advance_state >> cells.advance_state

net_steps = int(round(net_T / net_dt))
net = net_step.scan(steps=net_steps, dt=net_dt, clamp={inp.inputs: jnp.ones((1, n_in))},
                    record=[cells.s], sweep={"seed": n_seeds})
pop_rate = net[cells.s.path][:, :, 0, :].mean(axis=-1) * 1000.0 / net_dt      # (seeds, steps) Hz
width = max(1, int(round(10.0 / net_dt)))                                       # 10 ms windows
smooth = np.stack([np.convolve(r, np.ones(width) / width, mode="valid") for r in pop_rate])
t_net = (np.arange(smooth.shape[1]) + width) * net_dt
mean_rate, sd_rate = smooth.mean(axis=0), smooth.std(axis=0)
seed_rates = pop_rate.mean(axis=1)                                              # each member's mean rate

fig, ax = plt.subplots(figsize=(10, 3))
ax.fill_between(t_net, mean_rate - sd_rate, mean_rate + sd_rate, alpha=0.3, label=f"mean ± sd over {n_seeds} seeds")
ax.plot(t_net, mean_rate, lw=1.2)
ax.plot(t_net, smooth[0], lw=0.6, color="k", alpha=0.6, label="seed 0")
ax.set_xlabel("t (ms)"); ax.set_ylabel("population rate (Hz)"); ax.legend(fontsize=8)
plt.tight_layout(); plt.show()
print(f"mean rates per seed (Hz): {np.round(seed_rates, 1)}; across seeds {seed_rates.mean():.1f} ± "
      f"{seed_rates.std():.1f} Hz")

# %% [markdown]
# ## 4. More members than one CPU
#
# With several devices (GPUs, or `XLA_FLAGS=--xla_force_host_platform_device_count=N` to split
# a CPU), a sweep splits its members over a `jax.sharding` mesh: pass `devices=` to choose
# them; the member count must be a multiple of the device count. Across machines, JAX's own
# `jax.distributed.initialize()` makes every host's devices one list (see the README); ngclab
# adds no scheduler of its own.
#
# ## 5. The lab: a Sweep view
#
# `lab.sweep(...)` runs a sweep of the lab's circuit in the background, chunk by chunk, with
# the lab's clamps, and draws one metric against the swept knob or input as the members arrive
# (a heat map for a grid of two knobs). **Run**, **Pause** and **Cancel** drive it while the
# kernel stays free; the cursor shows the member under it, and a click loads that member into
# the lab: its final state (and knob values) become the model's, a swept input becomes the
# lab's clamp, and the Scope and knob sliders show it (press play to continue that member's
# run). Here the LIF cell's $\tau_m$ is swept at the lab's current $j = 20$; the first chunk
# has run: press Run for the rest.
#
# *As an app* (no code shown): [this lab in Voila on Binder](https://mybinder.org/v2/gh/OWNER/ngclab/HEAD?urlpath=voila/render/notebooks/demos/14_ensembles.ipynb),
# or `voila/render/demos/14_ensembles.ipynb` at the address of `ngclab lab` when Voila is installed; the
# app's notebook is [demos/14_ensembles.ipynb](demos/14_ensembles.ipynb).

# %% tags=["lab-demo-show"]
from IPython.display import display
from ngclab.lab import Lab

lab = Lab(fi_ctx, advance=fi_step, clamp={lif.j: jnp.full((1, 1), 20.0), izh.j: jnp.full((1, 1), 10.0)},
          watch=[lif.v, izh.v], dt=fi_dt, steps_per_frame=50, window=800)
view = lab.sweep({lif.tau_m: np.linspace(2.0, 40.0, fi_members)}, steps=fi_steps, metric=lif.s,
                 scale=1000.0 / fi_dt, chunk=view_chunk)
view.step()                                         # the first chunk of members
print(f"the sweep view has {view.done} of {view.members} members")
display(view)
lab

# %%
ngclab.record("lif_rates_hz", lif_rates.tolist())
ngclab.record("lif_max_rel_error", lif_rel_error)
ngclab.record("izh_rates_hz", izh_rates.tolist())
ngclab.record("izh_threshold", izh_threshold)
ngclab.record("heb_selectivity", selectivity.tolist())
ngclab.record("heb_change_diagonal_vs_row", [along, across])
ngclab.record("seed_rates_hz", seed_rates.tolist())
ngclab.record("compile_counts", [fi_compiles, heb_step.compile_count, net_step.compile_count])
ngclab.record("view_first_chunk_hz", view.values[:view.done].tolist())
print(f"ran in {time.perf_counter() - t_start:.1f} s")

# %% [markdown]
# ## Exercises
#
# Each exercise is a cell to complete (replace `raise NotImplementedError()`) followed by a
# test cell that checks your answer against the equations; run both. Nothing after an
# exercise depends on it.
#
# ### Exercise 1 (2 points): the f-I curve of a perfect integrator
#
# Without its leak (`conduct_leak=0.`) the LIF cell is a perfect integrate-and-fire cell:
# $\tau_m \frac{dv}{dt} = R\,j$ outside the refractory period, and during it $v$ stays at
# $v_{reset}$ (nothing moves it). Derive its period under a constant current $j > 0$ and write
# `if_rate(j, tau_m, resist_m, v_reset, thr, refract_time)`: the firing rate in Hz (times in
# ms) for an array of currents, 0 where $j \le 0$. Return a NumPy array of the shape of `j`.

# %% nbgrader={"solution": true, "grade": false, "locked": false, "grade_id": "14_ensembles_ex1", "schema_version": 3}
def if_rate(j, tau_m, resist_m, v_reset, thr, refract_time):
    ### BEGIN SOLUTION
    j = np.asarray(j, dtype=np.float64)
    out = np.zeros_like(j)
    up = j > 0
    # from v_reset to thr at the constant slope R j / tau_m, after the refractory period
    out[up] = 1000.0 / (refract_time + tau_m * (thr - v_reset) / (resist_m * j[up]))
    return out
    ### END SOLUTION

print(np.round(if_rate(np.array([0.0, 5.0, 20.0]), tau_m=10.0, resist_m=1.0, v_reset=-60.0,
                       thr=-52.0, refract_time=2.0), 2))

# %% nbgrader={"grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "14_ensembles_ex1_test", "schema_version": 3}
# no current, no spikes
np.testing.assert_array_equal(if_rate(np.array([0.0, -3.0]), 10.0, 1.0, -60.0, -52.0, 2.0), 0.0)
# v climbs thr - v_reset at the slope R j / tau_m, then the refractory period: T = t_ref + tau (thr - v_reset) / (R j)
j_chk = np.array([1.0, 7.5, 40.0])
T_chk = 3.0 + 20.0 * (-55.0 + 66.0) / (0.5 * j_chk)
np.testing.assert_allclose(if_rate(j_chk, tau_m=20.0, resist_m=0.5, v_reset=-66.0, thr=-55.0,
                                   refract_time=3.0), 1000.0 / T_chk, rtol=1e-9)
### BEGIN HIDDEN TESTS
# the rate grows with j and tends to one spike per refractory period (1000 / t_ref Hz)
r_big = if_rate(np.array([1.0, 10.0, 1e3, 1e7]), 10.0, 1.0, -60.0, -52.0, 2.0)
assert np.all(np.diff(r_big) > 0) and abs(r_big[-1] - 500.0) < 1e-2 and r_big.shape == (4,)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 2 (3 points): a knob sweep
#
# Sweep the LIF's membrane time constant in one sweep of `fi_step`: 8 values of `lif.tau_m`
# from 5 to 40 ms (`np.linspace(5.0, 40.0, 8)`), each member driven by a constant current
# $j = 20$ on `lif.j` and $j = 10$ on `izh.j` (arrays of shape `(1, 1)`), for `fi_steps` steps
# of `fi_dt`, recording the mean of `lif.s`. Store the time constants in `taus_m` and the LIF
# rates (Hz) in `tau_rates`. Why does a slower membrane fire less?

# %% nbgrader={"solution": true, "grade": false, "locked": false, "grade_id": "14_ensembles_ex2", "schema_version": 3}
### BEGIN SOLUTION
taus_m = np.linspace(5.0, 40.0, 8)
by_tau = fi_step.scan(steps=fi_steps, dt=fi_dt, record={lif.s: "mean"},
                      clamp={lif.j: jnp.full((1, 1), 20.0), izh.j: jnp.full((1, 1), 10.0)},
                      sweep={lif.tau_m: taus_m})
tau_rates = by_tau[lif.s.path].ravel() * 1000.0 / fi_dt
### END SOLUTION
print(np.round(tau_rates, 1))

# %% nbgrader={"grade": true, "solution": false, "locked": true, "points": 3, "grade_id": "14_ensembles_ex2_test", "schema_version": 3}
r_chk, tau_chk = np.asarray(tau_rates, dtype=np.float64).ravel(), np.asarray(taus_m).ravel()
assert r_chk.shape == (8,) and np.allclose(tau_chk, np.linspace(5.0, 40.0, 8))
# the period T = t_ref + tau ln((v_inf - v0) / (v_inf - thr)), v0 = v_rest + (v_reset - v_rest) e^(-t_ref / tau),
# with v_inf = -65 + 20 = -45 mV, thr = -52, t_ref = 2 ms
v0_chk = -65.0 + 5.0 * np.exp(-2.0 / tau_chk)
want_chk = 1000.0 / (2.0 + tau_chk * np.log((-45.0 - v0_chk) / (-45.0 + 52.0)))
# a run of fi_T ms holds whole spikes (the first comes late: the cell starts at rest), and each
# period is rounded up to whole steps of fi_dt: within a spike and a half of the window, and 5%
assert np.all(np.abs(r_chk - want_chk) <= 0.05 * want_chk + 1.5 * 1000.0 / fi_T), (r_chk, want_chk)
assert np.all(np.diff(r_chk) < 0)            # a slower membrane, a lower rate
### BEGIN HIDDEN TESTS
# never faster than one spike per refractory period; the fastest and slowest member in the theory's ratio
assert np.all(r_chk < 1000.0 / 2.0)
assert r_chk[0] / r_chk[-1] > 2.0 and want_chk[0] / want_chk[-1] > 2.0   # 5 ms fires > twice as fast as 40 ms
### END HIDDEN TESTS

# %% [markdown]
# ### More to try
#
# 1. Sweep `lif.tau_m` and `lif.refract_time` as an `ngclab.grid` and open it in a Sweep view
#    (`lab.sweep(ngclab.grid({...}), steps=..., metric=lif.s)`): a heat map of rates.
# 2. In section 3, how does the spread across seeds (the standard deviation of `seed_rates`)
#    shrink with the number of output cells? (Expect about $1/\sqrt{n}$.)
# 3. Time a sweep against a Python loop of `scan` calls over the same values: how many members
#    does it take before the sweep is ten times faster?
