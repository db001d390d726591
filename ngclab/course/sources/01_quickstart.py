# %% [markdown]
# # 1. Quickstart: a circuit in code, then in the lab
#
# ngclab models are **circuits** of components: *cells* (neurons) hold activities, *synapses*
# carry them from one cell to another. Each component has named **compartments** (its inputs,
# states and outputs); wiring `src >> dst` makes `dst` read `src`. A **process** lists the
# component methods one time step runs; it is compiled with JAX once and then reused.
#
# Our first circuit has three components, $a \to W \to b$:
#
# $$z_a = j_a \;(\text{a stateless input cell}), \qquad j_b = z_a W, \qquad
#   \tau_m \frac{dz_b}{dt} = -\gamma z_b + j_b .$$
#
# Cell $b$ is a leaky integrator (a `RateCell` with a Gaussian prior of strength $\gamma$, see
# lesson 2): it relaxes to $z_b^* = j_b/\gamma = x W/\gamma$ with time constant $\tau_m/\gamma$.
# Code written for ngc-learn 3 runs here by replacing `ngclearn` with `ngclab` in the imports.

# %% tags=["lab-demo"]
import time
import numpy as np
import jax.numpy as jnp
import matplotlib.pyplot as plt

import ngclab
from ngclab import Context, MethodProcess
from ngclab.components import RateCell, DenseSynapse
from ngclab.utils.distribution_generator import DistributionGenerator

t_start = time.perf_counter()

# %% tags=["parameters", "lab-demo"]
n_in = 3           # input units
n_out = 2          # output units
tau_m = 20.0       # time constant of b (ms)
gamma = 1.0        # leak of b
T = 200            # steps (dt of 1 ms)
seed = 42

# %% [markdown]
# ## Build it
#
# Components are created inside `with Context("model")`; the context owns the whole state.

# %% tags=["lab-demo"]
with Context("model") as ctx:
    a = RateCell("a", n_units=n_in, tau_m=0.0)                  # tau_m = 0: stateless
    W = DenseSynapse("W", shape=(n_in, n_out),
                     weight_init=DistributionGenerator.uniform(low=0.0, high=1.0), key=seed)
    b = RateCell("b", n_units=n_out, tau_m=tau_m, prior=("gaussian", gamma))
    a.zF >> W.inputs
    W.outputs >> b.j
    advance = MethodProcess("advance") >> a.advance_state >> W.advance_state >> b.advance_state
    reset = MethodProcess("reset") >> a.reset >> W.reset >> b.reset
print(ctx)
print(b)

# %% [markdown]
# ## Run it
#
# `advance.scan(steps, clamp=..., record=...)` runs many steps in one compiled loop: the input
# $x$ is clamped into `a.j` at every step and `b.z` is recorded after each one. With Euler steps
# of $\Delta t$, the distance to the fixed point shrinks by $1 - \gamma\Delta t/\tau_m$ per step, so
# exactly $z_b(n) = z_b^*\,\big(1 - (1 - \gamma\Delta t/\tau_m)^n\big)$.

# %% tags=["lab-demo"]
x = jnp.asarray([[1.0, 0.5, 0.25]])[:, :n_in]
reset.run()
out = advance.scan(steps=T, dt=1.0, clamp={a.j: x}, record=[b.z])
zb = np.asarray(out[b.z.path])[:, 0, :]                      # (T, n_out)
z_star = np.asarray(x @ W.weights.get())[0] / gamma
n = np.arange(1, T + 1)[:, None]
z_exact = z_star * (1 - (1 - gamma / tau_m) ** n)
max_dev = float(np.max(np.abs(zb - z_exact)))
print("fixed point x W / gamma:", z_star.round(4), " reached:", zb[-1].round(4),
      " max deviation from the formula:", f"{max_dev:.2e}")

plt.figure(figsize=(6, 3))
plt.plot(zb); plt.plot(z_exact, "k:", lw=1)
plt.xlabel("step"); plt.ylabel("$z_b$"); plt.title("b relaxing to x W"); plt.show()

# %% [markdown]
# ## Knobs
#
# Time constants, leaks and learning rates are **knobs**: values in the state, not constants
# baked into the compiled step. Changing one does not recompile.

# %%
compiles = advance.compile_count
b.tau_m.set(5.0)
reset.run()
fast = advance.scan(steps=T, dt=1.0, clamp={a.j: x}, record=[b.z])
steps_to_63 = int(np.argmax(np.asarray(fast[b.z.path])[:, 0, 0] >= (1 - np.exp(-1)) * z_star[0])) + 1
print(f"with tau_m=5: 63% of the way after {steps_to_63} steps; compilations before/after: "
      f"{compiles}/{advance.compile_count}")
recompiled = advance.compile_count - compiles
b.tau_m.set(tau_m)

# %% [markdown]
# ## Play it in the lab
#
# `Lab` puts the circuit in an editor, a scope that plots watched compartments live, run
# controls and a slider per knob. Here the input is switched on and off every 500 steps, so $b$
# charges towards $xW/\gamma$ and relaxes back to 0, each time with the time constant
# $\tau_m/\gamma$. Press ▶ (play) to run it continuously, drag the `tau_m` slider of `b` while it
# runs (the ramps get steeper or slower), click a port to watch it. `lab.run(steps)` does the
# same synchronously (that is what runs when this notebook is executed as a test).
#
# *As an app* (no code shown): [this lab in Voila on Binder](https://mybinder.org/v2/gh/OWNER/ngclab/HEAD?urlpath=voila/render/notebooks/demos/01_quickstart.ipynb),
# or `voila/render/demos/01_quickstart.ipynb` at the address of `ngclab lab` when Voila is installed; the
# app's notebook is [demos/01_quickstart.ipynb](demos/01_quickstart.ipynb).

# %% tags=["lab-demo-show"]
from ngclab.lab import Lab
reset.run()
pulses = lambda t: x * (jnp.floor(t / 500.0) % 2 == 0)   # x for 500 steps, then 0 for 500
lab = Lab(ctx, advance=advance, reset=reset, clamp={a.j: pulses}, watch=[a.zF, b.zF])
lab.run(steps=500)
lab

# %%
lab_zb = np.asarray(b.zF.get())[0]
print("after 500 lab steps b.zF =", lab_zb.round(4))

# %%
ngclab.record("z_star", z_star.tolist())
ngclab.record("z_after_scan", zb[-1].tolist())
ngclab.record("max_dev_from_formula", max_dev)
ngclab.record("steps_to_63_tau5", steps_to_63)
ngclab.record("recompiled_by_knob", recompiled)
ngclab.record("z_after_lab", lab_zb.tolist())
print(f"ran in {time.perf_counter() - t_start:.1f} s")

# %% [markdown]
# ## Exercises
#
# Each exercise is a cell to complete (replace `raise NotImplementedError()`) followed by a
# test cell that checks your answer against the equations; run both. Nothing after an
# exercise depends on it.
#
# ### Exercise 1 (2 points): a weaker leak
#
# Build the same circuit in a new context `Context("half")`, with `gamma = 0.5` for `b` (same
# `n_in`, `n_out`, `tau_m`; the same weights: `DistributionGenerator.uniform(low=0.0, high=1.0)`
# with `key=seed` draws the same $W$). Run it for `T` steps of `dt=1.0` with the input `x` and
# store
# * `zb_half`: the trajectory of `b.z`, an array of shape `(T, n_out)`;
# * `steps_63_half`: the first step (counting from 1) at which $z_b$'s first unit has covered
#   $1 - e^{-1}$ of the way to its fixed point.
#
# Where does $b$ settle now, and how much longer does it take?

# %% nbgrader={"solution": true, "grade": false, "locked": false, "grade_id": "01_quickstart_ex1", "schema_version": 3}
### BEGIN SOLUTION
with Context("half") as half_ctx:
    a_half = RateCell("a", n_units=n_in, tau_m=0.0)
    W_half = DenseSynapse("W", shape=(n_in, n_out),
                          weight_init=DistributionGenerator.uniform(low=0.0, high=1.0), key=seed)
    b_half = RateCell("b", n_units=n_out, tau_m=tau_m, prior=("gaussian", 0.5))
    a_half.zF >> W_half.inputs
    W_half.outputs >> b_half.j
    advance_half = (MethodProcess("advance") >> a_half.advance_state >> W_half.advance_state
                    >> b_half.advance_state)
zb_half = np.asarray(advance_half.scan(steps=T, dt=1.0, clamp={a_half.j: x},
                                       record=[b_half.z])[b_half.z.path])[:, 0, :]
z_star_half = np.asarray(x @ W_half.weights.get())[0] / 0.5
steps_63_half = int(np.argmax(zb_half[:, 0] >= (1 - np.exp(-1)) * z_star_half[0])) + 1
### END SOLUTION
print("settles at", np.asarray(zb_half)[-1].round(4), "; 63% after", steps_63_half, "steps")

# %% nbgrader={"grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "01_quickstart_ex1_test", "schema_version": 3}
# Euler steps of dz/dt = (-gamma z + x W) / tau_m from z = 0 (section "Run it"):
#   z(n) = z* (1 - (1 - gamma dt / tau_m)^n),  z* = x W / gamma,  here gamma = 0.5, dt = 1
W_check = np.asarray(W.weights.get(), dtype=np.float64)
z_star_check = (np.asarray(x, dtype=np.float64) @ W_check)[0] / 0.5
steps_check = np.arange(1, T + 1)[:, None]
assert np.shape(zb_half) == (T, n_out), f"zb_half should have shape {(T, n_out)}"
np.testing.assert_allclose(zb_half, z_star_check * (1 - (1 - 0.5 / tau_m) ** steps_check),
                           rtol=1e-4, atol=1e-5)
### BEGIN HIDDEN TESTS
# 1 - (1 - h)^n >= 1 - 1/e  <=>  n >= -1 / log(1 - h), with h = gamma dt / tau_m
assert steps_63_half == int(np.ceil(-1.0 / np.log(1.0 - 0.5 / tau_m)))
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 2 (2 points): a nonlinear output cell
#
# Build the circuit once more in `Context("nonlin")`, now with `act_fx="tanh"` for `b`
# (`gamma`, `tau_m` and the weights as in the lesson). Run `T` steps with the input `x` and store
# the trajectories of `b.z` and `b.zF` (shape `(T, n_out)` each) in `z_tanh` and `zF_tanh`.
# Which compartment changes, `z` or `zF`? (Lesson 2: the input to a rate cell is gated by
# $f'(z)$.)

# %% nbgrader={"solution": true, "grade": false, "locked": false, "grade_id": "01_quickstart_ex2", "schema_version": 3}
### BEGIN SOLUTION
with Context("nonlin") as nonlin_ctx:
    a_nl = RateCell("a", n_units=n_in, tau_m=0.0)
    W_nl = DenseSynapse("W", shape=(n_in, n_out),
                        weight_init=DistributionGenerator.uniform(low=0.0, high=1.0), key=seed)
    b_nl = RateCell("b", n_units=n_out, tau_m=tau_m, prior=("gaussian", gamma), act_fx="tanh")
    a_nl.zF >> W_nl.inputs
    W_nl.outputs >> b_nl.j
    advance_nl = MethodProcess("advance") >> a_nl.advance_state >> W_nl.advance_state >> b_nl.advance_state
rec_nl = advance_nl.scan(steps=T, dt=1.0, clamp={a_nl.j: x}, record=[b_nl.z, b_nl.zF])
z_tanh = np.asarray(rec_nl[b_nl.z.path])[:, 0, :]
zF_tanh = np.asarray(rec_nl[b_nl.zF.path])[:, 0, :]
### END SOLUTION
print("z:", np.asarray(z_tanh)[-1].round(4), " zF:", np.asarray(zF_tanh)[-1].round(4))

# %% nbgrader={"grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "01_quickstart_ex2_test", "schema_version": 3}
# zF = f(z) = tanh(z) (output_scale 1)
z_chk = np.asarray(z_tanh, dtype=np.float64)
assert z_chk.shape == (T, n_out) and np.shape(zF_tanh) == (T, n_out)
np.testing.assert_allclose(zF_tanh, np.tanh(z_chk), rtol=1e-5, atol=1e-6)
# one Euler step of tau_m dz/dt = -gamma z + j f'(z), f'(z) = 1 - tanh(z)^2, j = x W, z(0) = 0
j_chk = (np.asarray(x, dtype=np.float64) @ np.asarray(W.weights.get(), dtype=np.float64))[0]
prev = np.vstack([np.zeros((1, n_out)), z_chk[:-1]])
np.testing.assert_allclose(z_chk, prev + (-gamma * prev + j_chk * (1 - np.tanh(prev) ** 2)) / tau_m,
                           rtol=1e-4, atol=1e-5)
### BEGIN HIDDEN TESTS
# the gate f'(z) < 1 slows z down: z itself changes, not only zF (zb: the linear cell above)
assert np.all(z_chk[-1] < zb[-1])
### END HIDDEN TESTS

# %% [markdown]
# ### More to try
#
# 1. Add a second output cell `c` fed by the same synapse (`W.outputs >> c.j`) and add
#    `c.advance_state` to the process.
# 2. `ctx.to_code()` prints Python that rebuilds this circuit. Run it in a new cell and check
#    that the rebuilt model gives the same `b.z`.
