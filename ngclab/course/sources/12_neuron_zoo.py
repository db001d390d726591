# %% [markdown]
# # 12. The neuron zoo: Izhikevich, Hodgkin-Huxley, FitzHugh-Nagumo and AdEx
#
# A leaky integrate-and-fire cell (lesson 9) has one variable and a threshold. Real neurons
# burst, adapt, chatter and resonate, because their membrane has **more than one** state
# variable: the voltage $v$ and one or more slower currents that push back. This lesson runs
# four classic models, from the most biophysical to the most abstract:
#
# | cell | variables | what it explains |
# |---|---|---|
# | `HodgkinHuxleyCell` | $v$ and the ion-channel gates $n, m, h$ | the action potential itself, its threshold and its f-I curve |
# | `FitzhughNagumoCell` | $v$ and a recovery $w$ | excitability as geometry: nullclines and a limit cycle |
# | `IzhikevichCell` | $v$ and a recovery $w$ | a whole repertoire of firing patterns from four numbers $a, b, c, d$ |
# | `AdExCell` | $v$ and an adaptation current $w$ | spike-frequency adaptation |
#
# Every experiment is **one compiled scan** (`process.scan(steps=...)`): thousands of small
# time steps without leaving compiled code. The parameters of each cell are knobs, so the lab at
# the end changes $a, b, c, d$ while the model runs, without recompiling.

# %% tags=["lab-demo"]
import time
import numpy as np
import jax.numpy as jnp
import matplotlib.pyplot as plt

import ngclab
from ngclab import Context, MethodProcess
from ngclab.components import AdExCell, FitzhughNagumoCell, HodgkinHuxleyCell, IzhikevichCell

t_start = time.perf_counter()

# %% tags=["parameters", "lab-demo"]
izh_T = 300.0         # ms of the Izhikevich step-current experiment
izh_dt = 0.25         # ms per step
izh_I = 10.0          # step current
hh_dt = 0.01          # ms per step (Hodgkin-Huxley needs small steps)
hh_T = 150.0          # ms of each f-I measurement
hh_currents = 16      # currents of the f-I curve, from 0 to hh_I_max
hh_I_max = 30.0       # uA/cm^2
fhn_T = 200.0         # time units of the FitzHugh-Nagumo runs
fhn_dt = 0.05
adex_T = 500.0        # ms of the AdEx step-current experiment
adex_dt = 0.1
adex_I = 40.0
adex_b = 5.0          # adaptation increment per spike
lab_steps = 400       # steps the lab runs (headless)

# %% [markdown]
# ## Izhikevich: four numbers, many neurons
#
# Izhikevich (2003) fitted a quadratic integrate-and-fire voltage to a slow recovery variable
# $u$ (here `w`):
#
# $$\frac{dv}{dt} = 0.04\,v^2 + 5v + 140 - u + I, \qquad \frac{du}{dt} = a\,(b\,v - u),
# \qquad v \ge 30\text{ mV}: \; v \leftarrow c,\;\; u \leftarrow u + d .$$
#
# ($v$ in mV, $t$ in ms.) $a$ is the speed of the recovery (`tau_w` $= 1/a$), $b$ its
# sensitivity to $v$ (`coupling_factor`), $c$ the reset voltage (`v_reset`) and $d$ the jump
# of $u$ after a spike (`w_reset`). The published parameters of four cortical cell types:
#
# | pattern | $a$ | $b$ | $c$ | $d$ |
# |---|---|---|---|---|
# | regular spiking (RS) | 0.02 | 0.2 | -65 | 8 |
# | intrinsically bursting (IB) | 0.02 | 0.2 | -55 | 4 |
# | chattering (CH) | 0.02 | 0.2 | -50 | 2 |
# | fast spiking (FS) | 0.1 | 0.2 | -65 | 2 |
#
# A high reset $c$ leaves the cell close to threshold after a spike: it fires again at once,
# until $u$ has grown by enough $d$'s to stop it, which makes a burst. We build the four cells
# side by side and drive them with the same step current, switched on at 10 ms.

# %%
PATTERNS = {"RS": (0.02, 0.2, -65.0, 8.0), "IB": (0.02, 0.2, -55.0, 4.0),
            "CH": (0.02, 0.2, -50.0, 2.0), "FS": (0.1, 0.2, -65.0, 2.0)}
with Context("izhikevich") as izh_ctx:
    cells = {name: IzhikevichCell(name, 1, tau_w=1.0 / a, coupling_factor=b, v_reset=c, w_reset=d)
             for name, (a, b, c, d) in PATTERNS.items()}
    izh_step = MethodProcess("step")
    for cell in cells.values():
        izh_step >> cell.advance_state

izh_steps = int(round(izh_T / izh_dt))
t_izh = np.arange(izh_steps) * izh_dt
step_current = jnp.asarray(np.where(t_izh >= 10.0, izh_I, 0.0).reshape(-1, 1, 1), jnp.float32)
out = izh_step.scan(steps=izh_steps, dt=izh_dt, clamp={c.j: step_current for c in cells.values()},
                    record=[c.v for c in cells.values()] + [c.s for c in cells.values()])
izh_spikes = {n: t_izh[np.asarray(out[c.s.path])[:, 0, 0] > 0] for n, c in cells.items()}

fig, axs = plt.subplots(4, 1, figsize=(10, 7), sharex=True)
for ax, (name, cell) in zip(axs, cells.items()):
    ax.plot(t_izh, np.asarray(out[cell.v.path])[:, 0, 0], lw=0.8)
    ax.set_ylabel(f"{name}\nv (mV)")
    isi = np.diff(izh_spikes[name])
    ax.set_title(f"{name}: {len(izh_spikes[name])} spikes, intervals {isi.min():.1f}-{isi.max():.1f} ms",
                 fontsize=9, loc="left")
axs[-1].set_xlabel("t (ms)")
plt.tight_layout(); plt.show()
izh_counts = {n: int(len(s)) for n, s in izh_spikes.items()}
izh_first_isi = {n: float(np.diff(s)[0]) for n, s in izh_spikes.items()}
print("spikes:", izh_counts, "| first interval (ms):", izh_first_isi)

# %% [markdown]
# RS adapts (its intervals lengthen), IB starts with a burst and then fires single spikes, CH
# fires repeated bursts (two very different interval sizes) and FS fires fast and regularly,
# because its recovery ($a = 0.1$) is five times faster.
#
# ## Hodgkin-Huxley: where the action potential comes from
#
# Hodgkin and Huxley (1952) measured the squid giant axon's sodium and potassium currents and
# described each by a conductance gated by voltage-dependent variables:
#
# $$C\,\frac{dv}{dt} = I - \bar g_{Na}\, m^3 h\,(v - E_{Na}) - \bar g_K\, n^4 (v - E_K) - g_L\,(v - E_L),
# \qquad \frac{dx}{dt} = \alpha_x(v)\,(1 - x) - \beta_x(v)\, x \quad (x = n, m, h)$$
#
# with $v$ in mV from rest, $C = 1\,\mu F/cm^2$ (`tau_v`), $\bar g_{Na} = 120$, $\bar g_K = 36$,
# $g_L = 0.3$ mS/cm$^2$, $E_{Na} = 115$, $E_K = -12$, $E_L = 10.6$ mV, and rate functions
# such as $\alpha_m(v) = 0.1\,(25 - v)/(e^{(25 - v)/10} - 1)$, $\beta_m(v) = 4\,e^{-v/18}$.
# The sodium activation $m$ is fast, the inactivation $h$ and the potassium activation $n$ are
# slow: a depolarisation opens sodium channels (positive feedback: the upswing), then $h$
# closes them and $n$ opens potassium channels (the downswing and the undershoot).
#
# (ngc-learn's defaults for `HodgkinHuxleyCell` are a variant, $\bar g_{Na} = 100$,
# $\bar g_K = 5$, $E_K = -35$; we pass Hodgkin and Huxley's values.) `thr=50` makes `s` mark
# the steps where $v$ is above 50 mV: each action potential is one run of ones.

# %%
HH_1952 = dict(v_Na=115.0, v_K=-12.0, v_L=10.6, g_Na=120.0, g_K=36.0, g_L=0.3)
with Context("hodgkin_huxley") as hh_ctx:
    hh = HodgkinHuxleyCell("hh", 1, tau_v=1.0, thr=50.0, **HH_1952)
    hh_step = MethodProcess("step") >> hh.advance_state

ap_steps = int(round(25.0 / hh_dt))
t_ap = np.arange(ap_steps) * hh_dt
pulse = np.where((t_ap >= 5.0) & (t_ap < 6.0), 20.0, 0.0).reshape(-1, 1, 1)   # 1 ms, 20 uA/cm^2
ap = hh_step.scan(steps=ap_steps, dt=hh_dt, clamp={hh.j: jnp.asarray(pulse, jnp.float32)},
                  record=[hh.v, hh.m, hh.h, hh.n])
v_ap = np.asarray(ap[hh.v.path])[:, 0, 0]
ap_peak = float(v_ap.max())

fig, ax = plt.subplots(1, 2, figsize=(11, 3))
ax[0].plot(t_ap, v_ap); ax[0].axvspan(5, 6, color="orange", alpha=0.3, label="current pulse")
ax[0].set_xlabel("t (ms)"); ax[0].set_ylabel("v (mV from rest)"); ax[0].legend(fontsize=8)
for g in ("m", "h", "n"):
    ax[1].plot(t_ap, np.asarray(ap[getattr(hh, g).path])[:, 0, 0], label=g)
ax[1].set_xlabel("t (ms)"); ax[1].set_ylabel("gate"); ax[1].legend(fontsize=8)
plt.tight_layout(); plt.show()
print(f"action potential peak: {ap_peak:.1f} mV above rest")

# %% [markdown]
# ### The f-I curve
#
# How fast does the axon fire under a constant current $I$? We give each of `hh_currents`
# cells its own current (one `HodgkinHuxleyCell` with that many units, one scan) and count the
# action potentials, i.e. the upward crossings of 50 mV. Hodgkin-Huxley is a **type II**
# neuron: below a threshold it fires at most one spike at the onset; above it (about
# 6.2 $\mu A/cm^2$) it jumps straight to a firing rate of about 50 Hz instead of starting
# from zero.

# %%
currents = np.linspace(0.0, hh_I_max, hh_currents).astype(np.float32)
with Context("hh_fi") as fi_ctx:
    hh_fi = HodgkinHuxleyCell("hh_fi", hh_currents, tau_v=1.0, thr=50.0, **HH_1952)
    fi_step = MethodProcess("step") >> hh_fi.advance_state
fi_steps = int(round(hh_T / hh_dt))
rec = fi_step.scan(steps=fi_steps, dt=hh_dt, clamp={hh_fi.j: jnp.asarray(currents[None])},
                   record=[hh_fi.s])
s_fi = np.asarray(rec[hh_fi.s.path])[:, 0, :]
onsets = (s_fi[1:] > 0) & (s_fi[:-1] == 0)                        # upward crossings
t_on = np.arange(1, fi_steps) * hh_dt
late = t_on >= 50.0                                                # skip the onset transient
rates = onsets[late].sum(axis=0) / ((hh_T - 50.0) / 1000.0)        # Hz
repetitive = currents[rates > 0]
hh_repetitive_from = float(repetitive.min()) if len(repetitive) else float("nan")

plt.figure(figsize=(5, 3.2))
plt.plot(currents, rates, "o-")
plt.xlabel(r"I ($\mu A/cm^2$)"); plt.ylabel("firing rate (Hz)"); plt.title("Hodgkin-Huxley f-I curve")
plt.tight_layout(); plt.show()
print(f"repetitive firing from I = {hh_repetitive_from:.1f}; rate at I = {currents[-1]:.0f}: {rates[-1]:.0f} Hz")

# %% [markdown]
# ## FitzHugh-Nagumo: excitability as geometry
#
# FitzHugh (1961) and Nagumo (1962) kept only a fast voltage with a cubic nonlinearity and one
# slow recovery variable:
#
# $$\frac{dv}{dt} = v - \frac{v^3}{3} - w + I, \qquad \tau_w \frac{dw}{dt} = v + a - b\,w$$
#
# ($a = 0.7$, $b = 0.8$, $\tau_w = 12.5$). Everything can be read from the **phase plane**
# $(v, w)$. The $v$-nullcline $w = v - v^3/3 + I$ (where $dv/dt = 0$) is a cubic, the
# $w$-nullcline $w = (v + a)/b$ a line; they cross at the fixed point. At $I = 0$ it sits on the
# left branch of the cubic and is stable: the cell rests. At $I = 0.5$ it sits on the middle
# branch, where the fast voltage pushes away from it: the state runs around a **limit cycle**,
# jumping between the two outer branches, and the cell fires periodically.

# %%
FHN_A, FHN_B = 0.7, 0.8
with Context("fitzhugh_nagumo") as fhn_ctx:
    rest_cell = FitzhughNagumoCell("rest", 1, v0=-1.0, w0=0.5)
    osc_cell = FitzhughNagumoCell("osc", 1, v0=-1.0, w0=0.5)
    fhn_step = MethodProcess("step") >> rest_cell.advance_state >> osc_cell.advance_state
fhn_steps = int(round(fhn_T / fhn_dt))
fr = fhn_step.scan(steps=fhn_steps, dt=fhn_dt,
                   clamp={rest_cell.j: jnp.zeros((1, 1)), osc_cell.j: jnp.full((1, 1), 0.5)},
                   record=[rest_cell.v, rest_cell.w, osc_cell.v, osc_cell.w, osc_cell.s])

def nullcline_crossing(I):
    """The fixed point: the real root of v - v^3/3 + I = (v + a) / b."""
    r = np.roots([-1.0 / 3.0, 0.0, 1.0 - 1.0 / FHN_B, I - FHN_A / FHN_B])
    v = float(r[np.abs(r.imag) < 1e-9].real[0])
    return v, (v + FHN_A) / FHN_B

fig, ax = plt.subplots(1, 2, figsize=(11, 4))
vv = np.linspace(-2.5, 2.5, 200)
for I, cell, color in ((0.0, rest_cell, "C0"), (0.5, osc_cell, "C1")):
    v_tr, w_tr = (np.asarray(fr[c.path])[:, 0, 0] for c in (cell.v, cell.w))
    ax[0].plot(vv, vv - vv ** 3 / 3 + I, "--", color=color, lw=1, label=f"v-nullcline, I={I}")
    ax[0].plot(v_tr, w_tr, color=color, lw=1.2, label=f"trajectory, I={I}")
    ax[0].plot(*nullcline_crossing(I), "o", color=color)
    ax[1].plot(np.arange(fhn_steps) * fhn_dt, v_tr, color=color, label=f"I={I}")
ax[0].plot(vv, (vv + FHN_A) / FHN_B, "k:", lw=1, label="w-nullcline")
ax[0].set_xlim(-2.5, 2.5); ax[0].set_ylim(-1, 2); ax[0].set_xlabel("v"); ax[0].set_ylabel("w")
ax[0].legend(fontsize=7); ax[1].set_xlabel("t"); ax[1].set_ylabel("v"); ax[1].legend(fontsize=8)
plt.tight_layout(); plt.show()

s_osc = np.asarray(fr[osc_cell.s.path])[:, 0, 0]                  # v above v_thr = 1.07
ups = np.nonzero((s_osc[1:] > 0) & (s_osc[:-1] == 0))[0] * fhn_dt
fhn_period = float(np.diff(ups)[1:].mean())
fhn_rest = [float(rest_cell.v.get()[0, 0]), float(rest_cell.w.get()[0, 0])]
print(f"I = 0: settles at (v, w) = ({fhn_rest[0]:.4f}, {fhn_rest[1]:.4f}), "
      f"the fixed point is {np.round(nullcline_crossing(0.0), 4)}; I = 0.5: period {fhn_period:.2f}")

# %% [markdown]
# ## AdEx: spike-frequency adaptation
#
# The adaptive exponential integrate-and-fire cell (Brette & Gerstner, 2005) is a leaky
# integrator whose upswing is an exponential, with an adaptation current $w$:
#
# $$\tau_m \frac{dv}{dt} = -(v - v_{\text{rest}}) + \Delta_T\, e^{(v - v_T)/\Delta_T} - R\,w + R\,I,
# \qquad \tau_w \frac{dw}{dt} = a\,(v - v_{\text{rest}}) - w,$$
#
# and at a spike $v \leftarrow v_{\text{reset}}$, $w \leftarrow w + b$. Under a step current
# every spike adds $b$ to $w$, which decays only slowly ($\tau_w = 400$ ms): the drive left
# over shrinks and the **inter-spike intervals grow** until $w$ settles.

# %%
with Context("adex") as adex_ctx:
    adex = AdExCell("adex", 1, b=adex_b)
    adex_step = MethodProcess("step") >> adex.advance_state
adex_steps = int(round(adex_T / adex_dt))
ar = adex_step.scan(steps=adex_steps, dt=adex_dt, clamp={adex.j: jnp.full((1, 1), adex_I)},
                    record=[adex.v, adex.w, adex.s])
t_adex = np.arange(adex_steps) * adex_dt
adex_spikes = t_adex[np.asarray(ar[adex.s.path])[:, 0, 0] > 0]
adex_isi = np.diff(adex_spikes)

fig, ax = plt.subplots(1, 3, figsize=(13, 3))
ax[0].plot(t_adex, np.asarray(ar[adex.v.path])[:, 0, 0], lw=0.8); ax[0].set_ylabel("v (mV)")
ax[1].plot(t_adex, np.asarray(ar[adex.w.path])[:, 0, 0]); ax[1].set_ylabel("w")
ax[2].plot(adex_isi, "o-"); ax[2].set_xlabel("interval #"); ax[2].set_ylabel("inter-spike interval (ms)")
for a_ in ax[:2]:
    a_.set_xlabel("t (ms)")
plt.tight_layout(); plt.show()
print(f"{len(adex_spikes)} spikes; intervals grow from {adex_isi[0]:.1f} to {adex_isi[-1]:.1f} ms")

# %% [markdown]
# ## The lab: move between firing patterns
#
# One Izhikevich cell under a constant current. The knobs panel shows $a$, $b$, $c$, $d$
# (`tau_w` $= 1/a$, `coupling_factor` $= b$, `v_reset` $= c$, `w_reset` $= d$). Press play
# and watch the voltage, the spike raster and the phase plane ($w$ against $v$: each spike is a
# jump of $v$ to `v_reset` and of $w$ by `w_reset`) while you move them: raise `v_reset` to -55
# (with `w_reset` 4) for intrinsic bursting, to -50 (with `w_reset` 2) for chattering; set
# `tau_w` to 10 and `w_reset` to 2 for fast spiking. Every change applies at the next chunk
# of steps, without recompiling.
#
# *As an app* (no code shown): [this lab in Voila on Binder](https://mybinder.org/v2/gh/OWNER/ngclab/HEAD?urlpath=voila/render/notebooks/demos/12_neuron_zoo.ipynb),
# or `voila/render/demos/12_neuron_zoo.ipynb` at the address of `ngclab lab` when Voila is installed; the
# app's notebook is [demos/12_neuron_zoo.ipynb](demos/12_neuron_zoo.ipynb).

# %% tags=["lab-demo-show"]
from ngclab.lab import Lab
with Context("izh_lab") as lab_ctx:
    izh = IzhikevichCell("izh", 1)
    lab_step = MethodProcess("step") >> izh.advance_state
    lab_reset = MethodProcess("reset") >> izh.reset
lab = Lab(lab_ctx, advance=lab_step, reset=lab_reset, clamp={izh.j: jnp.full((1, 1), izh_I)},
          watch=[izh.v, izh.s, (izh.v, izh.w)], dt=izh_dt, steps_per_frame=40, window=1200)
lab.knobs.only = [k.path for k in (izh.tau_w, izh.coupling_factor, izh.v_reset, izh.w_reset)]
lab.knobs.refresh()
lab.run(steps=lab_steps)
lab_spikes = float(np.asarray(izh.tols.get()).max())
print(f"the lab ran {lab.step_count} steps ({lab.step_count * izh_dt:.0f} ms); last spike at "
      f"{lab_spikes:.2f} ms")
lab

# %%
ngclab.record("izh_spike_counts", izh_counts)
ngclab.record("izh_first_isi_ms", izh_first_isi)
ngclab.record("hh_ap_peak_mv", ap_peak)
ngclab.record("hh_fi_rates_hz", rates.tolist())
ngclab.record("hh_repetitive_from", hh_repetitive_from)
ngclab.record("fhn_rest_state", fhn_rest)
ngclab.record("fhn_period", fhn_period)
ngclab.record("adex_isi_first_last_ms", [float(adex_isi[0]), float(adex_isi[-1])])
ngclab.record("lab_steps", lab.step_count)
print(f"ran in {time.perf_counter() - t_start:.1f} s")

# %% [markdown]
# ## Exercises
#
# Each exercise is a cell to complete (replace `raise NotImplementedError()`) followed by a
# test cell that checks your answer against the equations; run both. Nothing after an
# exercise depends on it.
#
# ### Exercise 1 (2 points): the FitzHugh-Nagumo fixed point
#
# Write `fhn_fixed_point(I, a=0.7, b=0.8)`: the point $(v^*, w^*)$ where the two nullclines
# $w = v - v^3/3 + I$ and $w = (v + a)/b$ cross (for these $a, b$ there is exactly one).
# Return two floats.

# %% nbgrader={"solution": true, "grade": false, "locked": false, "grade_id": "12_neuron_zoo_ex1", "schema_version": 3}
def fhn_fixed_point(I, a=0.7, b=0.8):
    ### BEGIN SOLUTION
    roots = np.roots([-1.0 / 3.0, 0.0, 1.0 - 1.0 / b, I - a / b])
    v = float(roots[np.abs(roots.imag) < 1e-9].real[0])
    return v, (v + a) / b
    ### END SOLUTION

print(fhn_fixed_point(0.0))

# %% nbgrader={"grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "12_neuron_zoo_ex1_test", "schema_version": 3}
# the answer lies on both nullclines: w = v - v^3/3 + I and w = (v + a) / b
for I_chk in (0.0, 0.35, 1.0):
    v_chk, w_chk = fhn_fixed_point(I_chk)
    assert abs(v_chk - v_chk ** 3 / 3.0 + I_chk - w_chk) < 1e-6, I_chk
    assert abs((v_chk + 0.7) / 0.8 - w_chk) < 1e-6, I_chk
v_chk, w_chk = fhn_fixed_point(0.2, a=0.5, b=0.6)
assert abs(v_chk - v_chk ** 3 / 3.0 + 0.2 - w_chk) < 1e-6 and abs((v_chk + 0.5) / 0.6 - w_chk) < 1e-6
### BEGIN HIDDEN TESTS
# a FitzhughNagumoCell at I = 0.2 (a stable fixed point) settles there
with Context("fhn_check") as fc_ctx:
    fc = FitzhughNagumoCell("fc", 1)
    fc_step = MethodProcess("step") >> fc.advance_state
fc_step.scan(steps=4000, dt=0.1, clamp={fc.j: jnp.full((1, 1), 0.2)})
v_chk, w_chk = fhn_fixed_point(0.2)
assert abs(float(fc.v.get()[0, 0]) - v_chk) < 1e-3 and abs(float(fc.w.get()[0, 0]) - w_chk) < 1e-3
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 2 (3 points): the resting state of the gates
#
# With $v$ held fixed, each Hodgkin-Huxley gate relaxes to its **steady state**
# $x_\infty(v) = \alpha_x(v) / (\alpha_x(v) + \beta_x(v))$. Write `gate_steady_states(v)` that
# takes an array of voltages (mV from rest) and returns `(n_inf, m_inf, h_inf)`, using
#
# $\alpha_n = 0.01\,(10 - v)/(e^{(10 - v)/10} - 1)$, $\beta_n = 0.125\,e^{-v/80}$,
# $\alpha_m = 0.1\,(25 - v)/(e^{(25 - v)/10} - 1)$, $\beta_m = 4\,e^{-v/18}$,
# $\alpha_h = 0.07\,e^{-v/20}$, $\beta_h = 1/(e^{(30 - v)/10} + 1)$.
#
# (Avoid the voltages 10 and 25 mV exactly, where two of the fractions are 0/0.)

# %% nbgrader={"solution": true, "grade": false, "locked": false, "grade_id": "12_neuron_zoo_ex2", "schema_version": 3}
def gate_steady_states(v):
    ### BEGIN SOLUTION
    v = np.asarray(v, dtype=np.float64)
    a_n, b_n = 0.01 * (10 - v) / np.expm1((10 - v) / 10), 0.125 * np.exp(-v / 80)
    a_m, b_m = 0.1 * (25 - v) / np.expm1((25 - v) / 10), 4 * np.exp(-v / 18)
    a_h, b_h = 0.07 * np.exp(-v / 20), 1 / (np.exp((30 - v) / 10) + 1)
    return a_n / (a_n + b_n), a_m / (a_m + b_m), a_h / (a_h + b_h)
    ### END SOLUTION

print(np.round(gate_steady_states(np.array([0.0, 50.0])), 4))

# %% nbgrader={"grade": true, "solution": false, "locked": true, "points": 3, "grade_id": "12_neuron_zoo_ex2_test", "schema_version": 3}
v_grid = np.array([-30.0, -5.0, 0.0, 15.0, 40.0, 80.0])
n_chk, m_chk, h_chk = (np.asarray(x) for x in gate_steady_states(v_grid))
assert all(x.shape == v_grid.shape for x in (n_chk, m_chk, h_chk))
assert np.all((0 < n_chk) & (n_chk < 1) & (0 < m_chk) & (m_chk < 1) & (0 < h_chk) & (h_chk < 1))
# activations open with depolarisation, the sodium inactivation closes
assert np.all(np.diff(n_chk) > 0) and np.all(np.diff(m_chk) > 0) and np.all(np.diff(h_chk) < 0)
# at rest (v = 0) the gates are where a freshly built HodgkinHuxleyCell starts
with Context("gates_check") as gc_ctx:
    gc = HodgkinHuxleyCell("gc", 1, tau_v=1.0)
rest_chk = [np.asarray(x).ravel()[0] for x in gate_steady_states(np.array([0.0]))]
np.testing.assert_allclose(rest_chk, [float(gc.n.get()[0, 0]), float(gc.m.get()[0, 0]),
                                      float(gc.h.get()[0, 0])], rtol=1e-5)
### BEGIN HIDDEN TESTS
# alpha / (alpha + beta) recomputed from the rate functions
a_n = 0.01 * (10 - v_grid) / (np.exp((10 - v_grid) / 10) - 1); b_n = 0.125 * np.exp(-v_grid / 80)
a_m = 0.1 * (25 - v_grid) / (np.exp((25 - v_grid) / 10) - 1); b_m = 4 * np.exp(-v_grid / 18)
a_h = 0.07 * np.exp(-v_grid / 20); b_h = 1 / (np.exp((30 - v_grid) / 10) + 1)
np.testing.assert_allclose(n_chk, a_n / (a_n + b_n), rtol=1e-6)
np.testing.assert_allclose(m_chk, a_m / (a_m + b_m), rtol=1e-6)
np.testing.assert_allclose(h_chk, a_h / (a_h + b_h), rtol=1e-6)
### END HIDDEN TESTS

# %% [markdown]
# ### More to try
#
# 1. Low-threshold spiking ($a = 0.02$, $b = 0.25$, $c = -65$, $d = 2$) and thalamo-cortical
#    cells ($d = 0.05$) are in the same paper. Find them in the lab, then give the
#    thalamo-cortical cell a negative current step and release it: a rebound burst.
# 2. Measure the Hodgkin-Huxley single-spike threshold: the smallest step current that gives
#    one action potential within 50 ms (between 2 and 2.5 $\mu A/cm^2$). How does it change
#    with the duration of the window, and with a current ramp instead of a step?
# 3. In the FitzHugh-Nagumo phase plane, find the currents where the limit cycle is born and
#    dies (the eigenvalues of the Jacobian at the fixed point cross zero near $I = 0.33$ and
#    $I = 1.42$). Plot the period against $I$.
# 4. Set the AdEx coupling `a` to 0 and compare the intervals with `b` alone; then `b = 0` with
#    a large `a`: which one makes the adaptation, and which one changes the rest potential?
# 5. `HodgkinHuxleyCell(..., integration_type="rk4")` allows larger steps: how large can
#    `hh_dt` get before the f-I curve changes?
