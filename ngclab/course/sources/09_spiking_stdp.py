# %% [markdown]
# # 9. Spiking STDP: convolutional filters learned from spike timing
#
# So far our cells exchanged real numbers. Brains exchange **spikes**, and a synapse can only see
# *when* the spikes on its two ends happen. Spike-timing-dependent plasticity (STDP) uses exactly
# that: a synapse strengthens when its pre-synaptic spike comes shortly *before* a post-synaptic
# spike (it helped cause it) and weakens in the opposite order. This lesson builds a spiking
# convolutional circuit on scikit-learn's 8x8 digits:
#
# `PoissonCell` $z^0$ (pixels → spikes) → `TraceSTDPConvSynapse` $K$ → `LIFCell` $z^1$, with a
# `VarTrace` on each side feeding the learning rule.
#
# **Poisson encoding.** Pixel intensity $x \in [0, 1]$ becomes a spike train: at every step of
# $\Delta t$ ms, independently,
#
# $$s^0_t = [\,u_t < x \, f_{\max} \, \Delta t / 1000\,], \qquad u_t \sim \mathcal{U}[0, 1),$$
#
# so a pixel of intensity $x$ fires at $x f_{\max}$ Hz on average (`target_freq` $= f_{\max}$).
#
# **Leaky integrate-and-fire cells with a refractory period and an adaptive threshold.** The
# synapse turns the input spikes into a current map $j = R\,(s^0 \ast K)$ (the convolution of
# lesson 8, `resist_scale` $= R$). Each LIF cell integrates it,
#
# $$\tau_m \frac{dv}{dt} = (v_{\text{rest}} - v) + j \cdot [\,r \ge t_{\text{ref}}\,],$$
#
# fires when $v > \theta + \theta^{+}$ (spike $s^1 = 1$), is reset to $v_{\text{reset}}$ and
# ignores its input during the refractory period $t_{\text{ref}}$ ($r$ counts the ms since its
# last spike). The threshold adapts: every spike raises it, and it relaxes back slowly,
#
# $$\theta^{+} \leftarrow \theta^{+} e^{-\Delta t/\tau_\theta} + \theta_{+}\, s^1 ,$$
#
# so a cell that fires a lot becomes harder to excite (homeostasis).
#
# **Traces.** A `VarTrace` remembers recent spikes. With `a_delta=0` it is a *gated* trace: it
# jumps to 1 on a spike and decays in between,
#
# $$z \leftarrow z\, e^{-\Delta t/\tau_{tr}} \,(1 - s) + s .$$
#
# **Trace STDP for convolution filters.** With $z^0, z^1$ the pre- and post-synaptic traces and
# $x_{\text{tar}}$ the pre-trace target (`pretrace_target`), filter tap $(u, v)$ of channel $c$
# changes by a sum over the batch and over every position $(p, q)$ where the filter is applied:
#
# $$\Delta K_{u,v,c} = A_{+} \sum_{b,p,q} \big(z^0_{b,\,p+u,\,q+v} - x_{\text{tar}}\big)\, s^1_{b,p,q,c}
#   \;-\; A_{-} \sum_{b,p,q} s^0_{b,\,p+u,\,q+v}\; z^1_{b,p,q,c}, \qquad K \leftarrow K + \eta\,\Delta K .$$
#
# The first term is long-term potentiation (LTP): a post-synaptic spike strengthens every tap whose
# pixel fired recently ($z^0 > x_{\text{tar}}$) and weakens taps over dark pixels ($z^0 = 0$
# gives $-x_{\text{tar}}$). The second is long-term depression (LTD): a pre-synaptic spike
# arriving *after* a post spike weakens the tap. Because the same filter is applied everywhere,
# every position contributes to one shared update.
#
# After each batch we also apply **synaptic scaling**: each filter is rescaled to a fixed total
# mass $M$, $K_{:,:,c} \leftarrow M\, K_{:,:,c} / \sum_{u,v} K_{u,v,c}$. STDP then cannot make
# all weights grow without bound; it can only *move* mass between taps.

# %% tags=["lab-demo"]
import time
import numpy as np
import jax.numpy as jnp
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits

import ngclab
from ngclab import Context, MethodProcess
from ngclab.components import PoissonCell, LIFCell, VarTrace, TraceSTDPConvSynapse
from ngclab.utils.distribution_generator import DistributionGenerator

t_start = time.perf_counter()

# %% tags=["parameters", "lab-demo"]
n_filters = 6        # output channels
k = 5                # filter size (SAME padding: the LIF map is 8x8 per channel)
batch = 16           # digits presented at once
T = 60               # ms each digit is shown (1 ms per step)
n_train = 960        # training digits
n_test = 320         # held-out digits for the selectivity test
target_freq = 127.5  # Hz of a white pixel
resist_scale = 50.0  # R: synaptic gain
eta = 1e-3           # STDP learning rate
A_plus = 1.0         # LTP strength
A_minus = 0.1        # LTD strength
x_tar = 0.1          # pre-synaptic trace target
tau_theta = 500.0    # threshold adaptation time constant (ms)
theta_plus = 0.2     # threshold increment per spike (mV)
lab_steps = 300      # steps the lab runs (headless)

# %% [markdown]
# ## The circuit
#
# The spike encoder, the LIF map and the two traces take a `shape=(height, width, channels)` so
# they hold maps, as the convolution needs. `one_spike=True` adds **competition**: per digit and
# step, at most one LIF cell of the whole map may fire (drawn among those above threshold). Without
# it every filter would see the same spikes and learn the same thing.
#
# One step runs encoder → synapse → LIF → traces → STDP update, in that order.

# %% tags=["lab-demo"]
digits = load_digits()
X = (digits.data / 16.0).astype(np.float32).reshape(-1, 8, 8, 1)
y = digits.target
X_train, X_test = X[:n_train], X[n_train:n_train + n_test]
y_test = y[n_train:n_train + n_test]

with Context("stdp") as ctx:
    z0 = PoissonCell("z0", 64, target_freq=target_freq, batch_size=batch, shape=(8, 8, 1), key=1)
    W = TraceSTDPConvSynapse("W", (k, k, 1, n_filters), (8, 8), A_plus=A_plus, A_minus=A_minus,
                             eta=eta, pretrace_target=x_tar, padding="SAME",
                             resist_scale=resist_scale, w_bound=1.0, batch_size=batch, key=2,
                             filter_init=DistributionGenerator.uniform(low=0.2, high=0.4))
    z1 = LIFCell("z1", 64 * n_filters, tau_m=10.0, refract_time=2.0, tau_theta=tau_theta,
                 theta_plus=theta_plus, one_spike=True, batch_size=batch,
                 shape=(8, 8, n_filters), key=3)
    tr0 = VarTrace("tr0", 64, tau_tr=10.0, a_delta=0.0, batch_size=batch, shape=(8, 8, 1))
    tr1 = VarTrace("tr1", 64 * n_filters, tau_tr=10.0, a_delta=0.0, batch_size=batch,
                   shape=(8, 8, n_filters))
    z0.outputs >> W.inputs; W.outputs >> z1.j                     # the forward path
    z0.outputs >> W.preSpike; z0.outputs >> tr0.inputs; tr0.outputs >> W.preTrace
    z1.s >> W.postSpike; z1.s >> tr1.inputs; tr1.outputs >> W.postTrace
    step = (MethodProcess("step") >> z0.advance_state >> W.advance_state >> z1.advance_state
            >> tr0.advance_state >> tr1.advance_state >> W.evolve)
    reset = MethodProcess("reset")
    for c in (z0, W, z1, tr0, tr1):
        reset >> c.reset

M = float(np.asarray(W.weights.get()).sum(axis=(0, 1, 2)).mean())   # the mass each filter keeps

def scale_filters():
    Kc = W.weights.get()
    W.weights.set(Kc * (M / jnp.sum(Kc, axis=(0, 1, 2), keepdims=True)))

scale_filters()
K0 = np.asarray(W.weights.get())
print("input", z0.outputs.shape, "-> LIF map", z1.s.shape, "; filters", W.weights.shape)

def present(xb):
    """Show a batch of digits for T ms (state reset first, adapted thresholds kept). One scan,
    compiled once: every call records the same compartments."""
    reset.run()
    return step.scan(steps=T, dt=1.0, clamp={z0.inputs: jnp.asarray(xb)},
                     record=[z0.outputs, z1.s, z1.v, z1.v_thr])

# %% [markdown]
# ## Spikes before learning
#
# One batch, learning off (`eta` is a knob: setting it to 0 changes a value, not the compiled
# step). The raster shows the 64 input spike trains of the first digit and the 64 LIF cells of
# channel 0; the voltage trace of one cell shows integration, reset, the refractory pause and the
# threshold $\theta + \theta^{+}$ creeping up with each spike.

# %%
W.eta.set(0.0)
rec = present(X_train[:batch])
W.eta.set(eta)
s_in = np.asarray(rec[z0.outputs.path])            # (T, batch, 8, 8, 1)
s_out = np.asarray(rec[z1.s.path])                 # (T, batch, 8, 8, n_filters)
rate_in = float(s_in.mean() * 1000.0)
rate_expected = float(X_train[:batch].mean() * target_freq)
print(f"Poisson input: {rate_in:.2f} Hz per pixel (expected x * f_max = {rate_expected:.2f} Hz)")
print(f"LIF map: {s_out.mean() * 1000.0:.2f} Hz per cell")

v = np.asarray(rec[z1.v.path]); v_thr = np.asarray(rec[z1.v_thr.path])
counts = s_out[:, 0].sum(axis=0)                   # most active cell of digit 0
r, c_, ch = np.unravel_index(np.argmax(counts), counts.shape)

def raster(ax, s, title):
    t_idx, unit = np.nonzero(s.reshape(s.shape[0], -1))
    ax.scatter(t_idx, unit, s=6, marker="|", color="k")
    ax.set_xlim(0, T); ax.set_ylim(-1, 64); ax.set_title(title, fontsize=9)
    ax.set_xlabel("t (ms)"); ax.set_ylabel("cell (row-major pixel)")

fig, ax = plt.subplots(1, 4, figsize=(14, 3), gridspec_kw={"width_ratios": [1, 2, 2, 2]})
ax[0].imshow(X_train[0, :, :, 0], cmap="gray_r"); ax[0].axis("off"); ax[0].set_title(f"digit {y[0]}")
raster(ax[1], s_in[:, 0, :, :, 0], "Poisson input z0")
raster(ax[2], s_out[:, 0, :, :, 0], "LIF z1, channel 0")
ax[3].plot(v[:, 0, r, c_, ch], label="v"); ax[3].plot(v_thr[:, 0, r, c_, ch], "--", label="threshold")
ax[3].set_xlabel("t (ms)"); ax[3].set_ylabel("mV"); ax[3].legend(fontsize=7)
ax[3].set_title(f"cell ({r},{c_}) channel {ch}", fontsize=9)
plt.tight_layout(); plt.show()

# %% [markdown]
# ## Learning
#
# Each batch of `batch` digits is shown for `T` ms with STDP on, then the filters are rescaled.
# We also accumulate the **spike-triggered average** (STA) of the input: for every output spike
# of channel $c$ at $(p, q)$, the $k \times k$ input patch around it. STDP's LTP term is (up to the
# trace) this very correlation, so the filters should move their mass to where the STA is bright.

# %%
pad = k // 2

def sta_update(sta, n_spk, xb, s):
    """Add the input patches under each spike of s (T, batch, 8, 8, C) to sta (k, k, C)."""
    counts = s.sum(axis=0)                                        # (batch, 8, 8, C)
    xp = np.pad(xb[..., 0], ((0, 0), (pad, pad), (pad, pad)))     # (batch, 8+2pad, 8+2pad)
    for u in range(k):
        for v_ in range(k):
            sta[u, v_] += np.einsum("bpq,bpqc->c", xp[:, u:u + 8, v_:v_ + 8], counts)
    return sta, n_spk + counts.sum(axis=(0, 1, 2))

sta, n_spk = np.zeros((k, k, n_filters)), np.zeros(n_filters)
rates, change = [], []
for i in range(0, n_train - batch + 1, batch):
    xb = X_train[i:i + batch]
    before = np.asarray(W.weights.get())
    out = present(xb)
    scale_filters()
    s = np.asarray(out[z1.s.path])
    sta, n_spk = sta_update(sta, n_spk, xb, s)
    rates.append(float(s.mean() * 1000.0))
    change.append(float(np.linalg.norm(np.asarray(W.weights.get()) - before)))
sta = sta / np.maximum(n_spk, 1.0)
K1 = np.asarray(W.weights.get())
print(f"{len(rates)} batches; LIF rate {rates[0]:.2f} -> {rates[-1]:.2f} Hz; "
      f"filter change per batch {change[0]:.4f} -> {change[-1]:.4f}; compilations {step.compile_count}")

# %%
fig, axs = plt.subplots(3, n_filters, figsize=(1.5 * n_filters, 4.6))
for c in range(n_filters):
    for row, (img, name) in enumerate([(K0[:, :, 0, c], "initial"), (K1[:, :, 0, c], "learned"),
                                       (sta[:, :, c], "input STA")]):
        axs[row, c].imshow(img, cmap="gray_r"); axs[row, c].set_xticks([]); axs[row, c].set_yticks([])
        if c == 0:
            axs[row, c].set_ylabel(name)
plt.suptitle(f"{k}x{k} filters as tiles, and the spike-triggered input patch of each channel")
plt.show()

# %% [markdown]
# ## Did the filters move toward the active pixels?
#
# Call a tap **active** when its STA intensity exceeds 0.5 (the pixel at that offset was mostly
# bright when the channel fired). Since scaling keeps the mass fixed, the fraction of each filter's
# mass on active taps tells where STDP moved it.
#
# **Selectivity.** A filter whose mass sits on its centre responds where the pixel itself is
# bright; a flat filter also responds next to a stroke. With learning off and the threshold
# adaptation frozen (`theta_plus` $= 0$, also a knob), we show held-out digits and measure the
# fraction of output spikes that fall on stroke pixels,
#
# $$\sigma = \frac{\sum_{t,b,p,q,c} s^1_{t,b,p,q,c}\,[x_{b,p,q} > 0.5]}{\sum_{t,b,p,q,c} s^1_{t,b,p,q,c}}$$
#
# (chance level: the fraction of pixels above 0.5), for the initial and the learned filters.

# %%
active = sta > 0.5
frac_before = float((K0[:, :, 0, :] * active).sum() / K0.sum())
frac_after = float((K1[:, :, 0, :] * active).sum() / K1.sum())
change_norm = float(np.linalg.norm(K1 - K0))
print(f"mass on active taps: {frac_before:.3f} -> {frac_after:.3f} "
      f"({active.mean():.2f} of the taps are active); |K1 - K0| = {change_norm:.3f}")

def stroke_selectivity(Kf):
    """Fraction of LIF spikes on stroke pixels (x > 0.5) for held-out digits, filters Kf."""
    W.weights.set(jnp.asarray(Kf)); W.eta.set(0.0); z1.theta_plus.set(0.0)
    z1.thr_theta.set(jnp.zeros(z1.thr_theta.shape))
    on = total = 0.0
    spikes = []
    for i in range(0, n_test - batch + 1, batch):
        xb = X_test[i:i + batch]
        s = np.asarray(present(xb)[z1.s.path]).sum(axis=0)              # (batch, 8, 8, C)
        on += float((s.sum(axis=-1) * (xb[..., 0] > 0.5)).sum()); total += float(s.sum())
        spikes.append(s)
    W.eta.set(eta); z1.theta_plus.set(theta_plus)
    return on / max(total, 1.0), np.concatenate(spikes)

theta_learned = z1.thr_theta.get()
sel_before, counts_before = stroke_selectivity(K0)
sel_after, counts_after = stroke_selectivity(K1)
W.weights.set(jnp.asarray(K1)); z1.thr_theta.set(theta_learned)
compiles = step.compile_count         # every presentation so far used one compiled scan
chance = float((X_test[:len(counts_after)] > 0.5).mean())
print(f"spikes on stroke pixels: initial filters {sel_before:.3f}, learned {sel_after:.3f} "
      f"(chance {chance:.3f})")

fig, ax = plt.subplots(1, 3, figsize=(13, 3))
ax[0].plot(rates); ax[0].set_xlabel("batch"); ax[0].set_ylabel("LIF rate (Hz)")
ax[1].semilogy(change); ax[1].set_xlabel("batch"); ax[1].set_ylabel("|filter change|")
ax[2].imshow(np.concatenate([X_test[0, :, :, 0], counts_before[0].sum(-1) / counts_before[0].sum(-1).max(),
                              counts_after[0].sum(-1) / counts_after[0].sum(-1).max()], 1), cmap="gray_r")
ax[2].set_title("held-out digit | spikes, initial | spikes, learned", fontsize=9); ax[2].axis("off")
plt.tight_layout(); plt.show()

# %% [markdown]
# ## Watch it learn
#
# The lab learns again from the initial filters $K_0$, so you can watch them form. It runs the
# same step (STDP on) on a stream of training digits, each batch shown for `T` ms (a clamp with
# a time axis cycles through them), and after every `T` steps it applies the synaptic scaling of
# the training loop (`after_chunk=scale_filters`): without it STDP drives every tap to the
# bound `w_bound`. The scope draws the spikes of all the LIF cells of the first digit's map as a
# raster, with their population rate under it, and the filters as tiles; the knobs panel has
# sliders for `eta`, `A_plus`, `A_minus`, `pretrace_target`, `resist_scale`, `tau_m`,
# `theta_plus`... Press play and move `resist_scale` down until the raster falls silent:
# without post-synaptic spikes, STDP stops.
#
# *As an app* (no code shown): [this lab in Voila on Binder](https://mybinder.org/v2/gh/OWNER/ngclab/HEAD?urlpath=voila/render/notebooks/demos/09_spiking_stdp.ipynb),
# or `voila/render/demos/09_spiking_stdp.ipynb` at the address of `ngclab lab` when Voila is installed; the
# app's notebook is [demos/09_spiking_stdp.ipynb](demos/09_spiking_stdp.ipynb).

# %% tags=["lab-demo-show"]
from ngclab.lab import Lab
W.weights.set(jnp.asarray(K0))       # start again from the initial filters
stream = np.repeat(X_train[:8 * batch].reshape(8, batch, 8, 8, 1), T, axis=0)   # (8T, batch, 8, 8, 1)
lab = Lab(ctx, advance=step, reset=reset, clamp={z0.inputs: stream}, watch=[z1.s, W.weights],
          steps_per_frame=T, after_chunk=scale_filters)
lab.scope.select(z1.s, f"0:{64 * n_filters}")   # every cell of the 8 x 8 x n_filters map
lab.run(steps=lab_steps)
lab_change = float(np.linalg.norm(np.asarray(W.weights.get()) - K0))
print(f"the lab ran {lab.step_count} steps; the filters moved by {lab_change:.4f} from K0")
lab

# %%
ngclab.record("poisson_rate_hz", rate_in)
ngclab.record("poisson_rate_expected_hz", rate_expected)
ngclab.record("lif_rate_hz_first_last", [rates[0], rates[-1]])
ngclab.record("mass_on_active_taps", [frac_before, frac_after])
ngclab.record("filter_change_norm", change_norm)
ngclab.record("stroke_selectivity", [sel_before, sel_after])
ngclab.record("stroke_chance", chance)
ngclab.record("compile_count", compiles)
print(f"ran in {time.perf_counter() - t_start:.1f} s")

# %% [markdown]
# ## Exercises
#
# Each exercise is a cell to complete (replace `raise NotImplementedError()`) followed by a
# test cell that checks your answer against the equations; run both. Nothing after an
# exercise depends on it.
#
# ### Exercise 1 (2 points): a gated trace by hand
#
# Write `gated_trace(spikes, tau_tr, dt)`: the trace of a spike train `spikes` of shape
# `(steps, n)` (zeros and ones), starting from $z = 0$, with the gated update
# $z \leftarrow z\,e^{-\Delta t/\tau_{tr}}\,(1 - s) + s$ at every step. Return the trace after
# each step, shape `(steps, n)`.

# %% nbgrader={"solution": true, "grade": false, "locked": false, "grade_id": "09_spiking_stdp_ex1", "schema_version": 3}
def gated_trace(spikes, tau_tr, dt):
    ### BEGIN SOLUTION
    spikes = np.asarray(spikes, dtype=np.float64)
    z, out = np.zeros(spikes.shape[1:]), []
    for s in spikes:
        z = z * np.exp(-dt / tau_tr) * (1 - s) + s
        out.append(z)
    return np.asarray(out)
    ### END SOLUTION

print(gated_trace(np.array([[1.0], [0.0], [0.0]]), 10.0, 1.0).ravel())

# %% nbgrader={"grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "09_spiking_stdp_ex1_test", "schema_version": 3}
# one spike, then pure decay: z = exp(-k dt / tau) k steps later
np.testing.assert_allclose(gated_trace(np.array([[1.0], [0.0], [0.0], [1.0]]), 10.0, 1.0).ravel(),
                           [1.0, np.exp(-0.1), np.exp(-0.2), 1.0], rtol=1e-9)
### BEGIN HIDDEN TESTS
# against a VarTrace with a_delta = 0 (the gated trace) on a random spike train
spk_chk = (np.random.default_rng(11).uniform(size=(30, 5)) < 0.2).astype(np.float32)
with Context("trace_check") as tc_ctx:
    tr_c = VarTrace("tr_c", 5, tau_tr=7.0, a_delta=0.0)
    adv_c = MethodProcess("advance") >> tr_c.advance_state
rec_c = adv_c.scan(steps=30, dt=1.0, clamp={tr_c.inputs: jnp.asarray(spk_chk)[:, None, :]},
                   record=[tr_c.outputs])
np.testing.assert_allclose(gated_trace(spk_chk, 7.0, 1.0), np.asarray(rec_c[tr_c.outputs.path])[:, 0, :],
                           rtol=1e-5, atol=1e-6)
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 2 (3 points): how fast a Poisson cell fires
#
# Build a `PoissonCell` with `n_units=100`, `target_freq=target_freq` and `key=5`, clamp a
# constant intensity $x = 0.5$ into its `inputs` for 1000 steps of $\Delta t = 1$ ms and store
# the total number of spikes in `n_spikes` (an int). How many did you expect?

# %% nbgrader={"solution": true, "grade": false, "locked": false, "grade_id": "09_spiking_stdp_ex2", "schema_version": 3}
### BEGIN SOLUTION
with Context("poisson_rate") as pctx:
    pc = PoissonCell("pc", 100, target_freq=target_freq, key=5)
    adv_p = MethodProcess("advance") >> pc.advance_state
rec_p = adv_p.scan(steps=1000, dt=1.0, clamp={pc.inputs: jnp.full((1, 100), 0.5)}, record=[pc.outputs])
n_spikes = int(np.asarray(rec_p[pc.outputs.path]).sum())
### END SOLUTION
print("spikes:", n_spikes)

# %% nbgrader={"grade": true, "solution": false, "locked": true, "points": 3, "grade_id": "09_spiking_stdp_ex2_test", "schema_version": 3}
# each unit fires at each step with probability p = x f_max dt / 1000 (the Poisson encoding);
# the count is binomial(100 * 1000, p): within 5 standard deviations of its mean
p_chk = 0.5 * target_freq * 1.0 / 1000.0
mean_chk = 100 * 1000 * p_chk
sd_chk = np.sqrt(100 * 1000 * p_chk * (1 - p_chk))
assert isinstance(n_spikes, (int, np.integer))
assert abs(n_spikes - mean_chk) < 5 * sd_chk, (n_spikes, mean_chk, sd_chk)
### BEGIN HIDDEN TESTS
assert abs(n_spikes - mean_chk) / mean_chk < 0.05
### END HIDDEN TESTS

# %% [markdown]
# ### More to try
#
# 1. Set `one_spike=False`. Do the channels still learn different filters? Compare the mean
#    cosine similarity between filters (lesson 8) with and without competition.
# 2. Swap the roles: make `A_minus` larger than `A_plus`. Which taps lose mass first, and what do
#    the filters look like after scaling?
# 3. Turn off the adaptive threshold (`tau_theta=0`). How do the firing rate over training and
#    the share of spikes per channel change?
# 4. Remove the synaptic scaling step. Plot the total filter mass per batch: does STDP alone keep
#    it bounded here, and what does `w_bound` do?
# 5. Class selectivity: count each channel's spikes per digit class on held-out digits. Are these
#    local filters selective for classes? Then use `padding="VALID"` with `k=8` (each channel is
#    one neuron seeing the whole digit): do the filters turn into digit prototypes?
# 6. Replace `one_spike=True` by `max_one_spike=True` (only the highest-voltage cell may fire).
#    How do the spike-triggered patches and the stroke selectivity change?
