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

# %%
import time
import numpy as np
import jax.numpy as jnp
import matplotlib.pyplot as plt

import ngclab
from ngclab import Context, MethodProcess
from ngclab.components import RateCell, DenseSynapse
from ngclab.utils.distribution_generator import DistributionGenerator

t_start = time.perf_counter()

# %% tags=["parameters"]
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

# %%
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

# %%
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
# controls and a slider per knob. Press ▶ (play) to run it continuously, drag the `tau_m`
# slider of `b` while it runs, click a port to watch it. `lab.run(steps)` does the same
# synchronously (that is what runs when this notebook is executed as a test).

# %%
from ngclab.lab import Lab
reset.run()
lab = Lab(ctx, advance=advance, reset=reset, clamp={a.j: x}, watch=[b.zF])
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
# 1. Change `gamma` to 0.5. Where does $b$ settle and how long does it take?
# 2. Make $b$ nonlinear with `act_fx="tanh"`: which compartment changes, `z` or `zF`?
# 3. Add a second output cell `c` fed by the same synapse (`W.outputs >> c.j`) and add
#    `c.advance_state` to the process.
# 4. `ctx.to_code()` prints Python that rebuilds this circuit. Run it in a new cell and check
#    that the rebuilt model gives the same `b.z`.
