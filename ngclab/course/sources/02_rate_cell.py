# %% [markdown]
# # 2. The rate cell
#
# A **rate cell** is a graded (non-spiking) neuron: its state $z$ is a firing *rate*, not a
# voltage with spikes. ngclab's `RateCell` (the same class, parameters and compartments as
# ngc-learn's) integrates
#
# $$\tau_m \frac{dz}{dt} = -\gamma\,\frac{\partial \Omega(z)}{\partial z} + R\,\big(j \odot f'(z)\big) + j_{td},
# \qquad z_F = s\, f(z)$$
#
# * $j$ (compartment `j`): the bottom-up input current; $j_{td}$ (`j_td`): top-down pressure;
# * $\Omega(z)$: the **prior** on the activity (`prior=("gaussian", gamma)` gives
#   $\Omega = \tfrac12 z^2$, so the leak is $-\gamma z$; `"laplacian"` gives $-\gamma\,\mathrm{sign}(z)$);
# * $\tau_m$ (`tau_m`, a *knob*): the time constant; $R$ (`resist_scale`), $s$ (`output_scale`);
# * $f$ (`act_fx`) maps the state to the output $z_F$ (`zF`).
#
# With `tau_m = 0` the cell is *stateless*: $z = j + j_{td}$ at every step.
#
# In this lesson: how the leak and the time constant shape the response to a step input, and
# how well the two integrators (`euler`, `midpoint`) follow the exact solution.

# %%
import time
import numpy as np
import jax.numpy as jnp
import matplotlib.pyplot as plt

import ngclab
from ngclab import Context, MethodProcess
from ngclab.components import RateCell

t_start = time.perf_counter()

# %% tags=["parameters"]
tau_m = 20.0       # membrane time constant (ms)
gamma = 1.0        # Gaussian prior strength (the leak)
j_in = 1.0         # step input current
dt = 5.0           # integration step (ms): large on purpose, to show integration error
T_ms = 200.0       # simulated time (ms)

# %% [markdown]
# ## The exact solution
#
# With the identity activation ($f'(z) = 1$), $R = 1$, no top-down input and a constant input
# $j$ switched on at $t = 0$ from $z(0) = 0$, the ODE is linear:
#
# $$\tau_m \frac{dz}{dt} = -\gamma z + j \quad\Longrightarrow\quad
#   z(t) = \frac{j}{\gamma}\Big(1 - e^{-\gamma t / \tau_m}\Big).$$
#
# The steady state is $j/\gamma$ and it is reached with time constant $\tau_m/\gamma$.
# One **Euler** step multiplies the distance to the steady state by $1 - \gamma\,\Delta t/\tau_m$;
# one **midpoint** step by $1 - h + h^2/2$ with $h = \gamma\,\Delta t/\tau_m$ (the first terms of
# $e^{-h}$), so its error per step is smaller by a factor of order $h$.

# %%
def simulate(integration_type, tau=tau_m, leak=gamma, step=dt, steps=None):
    steps = int(round(T_ms / step)) if steps is None else steps
    with Context("cell") as ctx:
        z = RateCell("z", n_units=1, tau_m=tau, prior=("gaussian", leak),
                     integration_type=integration_type)
        advance = MethodProcess("advance") >> z.advance_state
    rec = advance.scan(steps=steps, dt=step, clamp={z.j: jnp.full((1, 1), j_in)}, record=[z.z])
    t = np.arange(1, steps + 1) * step
    return t, np.asarray(rec[z.z.path])[:, 0, 0]

def exact(t, tau=tau_m, leak=gamma):
    return j_in / leak * (1.0 - np.exp(-leak * t / tau))

t, z_euler = simulate("euler")
_, z_mid = simulate("midpoint")
err_euler = float(np.max(np.abs(z_euler - exact(t))))
err_mid = float(np.max(np.abs(z_mid - exact(t))))
print(f"max |error|: euler {err_euler:.5f}, midpoint {err_mid:.5f}")

# %%
tt = np.linspace(0, T_ms, 400)
plt.figure(figsize=(6, 3.5))
plt.plot(tt, exact(tt), "k-", label="exact")
plt.plot(t, z_euler, "o", ms=3, label=f"euler (dt={dt})")
plt.plot(t, z_mid, "s", ms=3, label=f"midpoint (dt={dt})")
plt.xlabel("t (ms)"); plt.ylabel("z"); plt.legend(); plt.title("step response of a rate cell")
plt.show()

# %% [markdown]
# ## One step by hand
#
# The first Euler step from $z=0$ is $z_1 = \frac{\Delta t}{\tau_m}\, j$; the first midpoint step
# is $z_1 = \frac{\Delta t}{\tau_m}\big(j - \gamma \tfrac{\Delta t}{2\tau_m} j\big)$. For
# $\Delta t = 5$, $\tau_m = 20$, $\gamma = j = 1$ these are $0.25$ and $0.21875$.
# (This cell's output is checked exactly by `nbval`.)

# %%
# NBVAL_CHECK_OUTPUT
_, z1_e = simulate("euler", tau=20.0, leak=1.0, step=5.0, steps=1)
_, z1_m = simulate("midpoint", tau=20.0, leak=1.0, step=5.0, steps=1)
print(f"euler {float(z1_e[0]):.5f}  midpoint {float(z1_m[0]):.5f}")

# %% [markdown]
# ## Convergence: halving the step
#
# The largest error of Euler should roughly halve when $\Delta t$ halves (first order), that of
# the midpoint method drop about four times (second order).

# %%
steps_sizes = [dt, dt / 2, dt / 4]
errs = {"euler": [], "midpoint": []}
for h in steps_sizes:
    for kind in errs:
        tk, zk = simulate(kind, step=h)
        errs[kind].append(float(np.max(np.abs(zk - exact(tk)))))
for kind, e in errs.items():
    print(kind, " ".join(f"{x:.2e}" for x in e), " ratios:",
          " ".join(f"{e[i] / e[i + 1]:.2f}" for i in range(len(e) - 1)))
order_euler = float(np.log2(errs["euler"][0] / errs["euler"][1]))
order_mid = float(np.log2(errs["midpoint"][0] / errs["midpoint"][1]))

# %% [markdown]
# ## Time constants and the leak
#
# The time to reach $1 - e^{-1} \approx 63\%$ of the steady state is $\tau_m/\gamma$. Below, the
# same input with several time constants, and with a Laplacian prior, whose leak
# $-\gamma\,\mathrm{sign}(z)$ is constant in size: with $j > \gamma$ the activity grows
# linearly, at rate $(j - \gamma)/\tau_m$, and never settles; with $|j| < \gamma$ it stays near 0.

# %%
plt.figure(figsize=(6, 3.5))
rise = {}
for tau in (5.0, 10.0, 20.0, 40.0):
    tk, zk = simulate("midpoint", tau=tau, step=1.0)
    rise[tau] = float(tk[np.argmax(zk >= (1 - np.exp(-1)) * j_in / gamma)])
    plt.plot(tk, zk, label=f"tau_m={tau:g}: 63% at {rise[tau]:g} ms")
plt.xlabel("t (ms)"); plt.ylabel("z"); plt.legend(fontsize=8); plt.show()

# %%
with Context("priors") as pctx:
    zg = RateCell("zg", n_units=1, tau_m=tau_m, prior=("gaussian", 0.5))
    zl = RateCell("zl", n_units=1, tau_m=tau_m, prior=("laplacian", 0.5))
    adv = MethodProcess("advance") >> zg.advance_state >> zl.advance_state
steps = int(T_ms)
rec = adv.scan(steps=steps, dt=1.0, clamp={zg.j: jnp.full((1, 1), 0.75), zl.j: jnp.full((1, 1), 0.75)},
               record=[zg.z, zl.z])
plt.figure(figsize=(6, 3))
plt.plot(np.asarray(rec[zg.z.path])[:, 0, 0], label="gaussian prior (gamma=0.5)")
plt.plot(np.asarray(rec[zl.z.path])[:, 0, 0], label="laplacian prior (gamma=0.5)")
plt.xlabel("step"); plt.ylabel("z"); plt.legend(); plt.show()
z_gauss_end = float(np.asarray(rec[zg.z.path])[-1, 0, 0])
z_lap_end = float(np.asarray(rec[zl.z.path])[-1, 0, 0])

# %% [markdown]
# ## Results
#
# The recorded values below are what the regression suite checks.

# %%
ngclab.record("max_err_euler", err_euler)
ngclab.record("max_err_midpoint", err_mid)
ngclab.record("order_euler", order_euler)
ngclab.record("order_midpoint", order_mid)
ngclab.record("rise_time_tau20", rise[20.0])
ngclab.record("z_end_gaussian", z_gauss_end)
ngclab.record("z_end_laplacian", z_lap_end)
print(f"ran in {time.perf_counter() - t_start:.1f} s")

# %% [markdown]
# ## Exercises
#
# Each exercise is a cell to complete (replace `raise NotImplementedError()`) followed by a
# test cell that checks your answer against the equations; run both. Nothing after an
# exercise depends on it.
#
# ### Exercise 1 (2 points): when Euler blows up
#
# Write `euler_factor(tau, leak, step)`: the factor by which one Euler step multiplies the
# distance $z - j/\gamma$ to the steady state. Then run the Euler cell with a step larger than
# $2\tau_m/\gamma$, `dt_big = 2.5 * tau_m / gamma`, for 10 steps (`simulate("euler", step=dt_big,
# steps=10)`) and store its `z` in `z_unstable` (10 values). What does the Euler solution do,
# and why?

# %% nbgrader={"solution": true, "grade": false, "locked": false, "grade_id": "02_rate_cell_ex1", "schema_version": 3}
def euler_factor(tau, leak, step):
    ### BEGIN SOLUTION
    return 1.0 - leak * step / tau
    ### END SOLUTION

### BEGIN SOLUTION
dt_big = 2.5 * tau_m / gamma
_, z_unstable = simulate("euler", step=dt_big, steps=10)
### END SOLUTION
print("factor:", euler_factor(tau_m, gamma, 2.5 * tau_m / gamma), " z:", np.round(z_unstable, 3))

# %% nbgrader={"grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "02_rate_cell_ex1_test", "schema_version": 3}
# z_{n+1} - j/gamma = (1 - gamma dt / tau_m) (z_n - j/gamma): the Euler step of
# tau_m dz/dt = -gamma z + j
assert abs(euler_factor(20.0, 1.0, 5.0) - 0.75) < 1e-12
assert abs(euler_factor(tau_m, gamma, 2.5 * tau_m / gamma) - (-1.5)) < 1e-9
# from z_0 = 0: z_n = (j/gamma) (1 - f^n) with f = -1.5: it oscillates with growing amplitude
f_chk = 1.0 - 2.5
n_chk = np.arange(1, 11)
np.testing.assert_allclose(z_unstable, j_in / gamma * (1 - f_chk ** n_chk), rtol=1e-4)
### BEGIN HIDDEN TESTS
rng_chk = np.random.default_rng(0)
for tau_c, leak_c, step_c in rng_chk.uniform(0.1, 10.0, size=(5, 3)):
    assert abs(euler_factor(tau_c, leak_c, step_c) - (1 - leak_c * step_c / tau_c)) < 1e-9
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 2 (3 points): where a tanh cell settles
#
# With `act_fx="tanh"` the input is gated by $f'(z) = 1 - \tanh^2 z$, so the steady state solves
# $\gamma z = j\,(1 - \tanh^2 z)$. Write `tanh_steady_state(j, leak)` that solves it numerically
# for $j > 0$ (the root lies in $[0, j/\gamma]$: bisection works), accurate to $10^{-6}$. Then
# check it against a `RateCell(..., act_fx="tanh")` run long enough to settle: store the cell's
# final `z` (input `j_in`, prior leak `gamma`) in `z_tanh_settled`.

# %% nbgrader={"solution": true, "grade": false, "locked": false, "grade_id": "02_rate_cell_ex2", "schema_version": 3}
def tanh_steady_state(j, leak):
    ### BEGIN SOLUTION
    lo, hi = 0.0, j / leak
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        if leak * mid - j * (1 - np.tanh(mid) ** 2) > 0:
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)
    ### END SOLUTION

### BEGIN SOLUTION
with Context("tanh_cell") as tctx:
    zt = RateCell("zt", n_units=1, tau_m=tau_m, prior=("gaussian", gamma), act_fx="tanh")
    adv_t = MethodProcess("advance") >> zt.advance_state
rec_t = adv_t.scan(steps=2000, dt=1.0, clamp={zt.j: jnp.full((1, 1), j_in)}, record=[zt.z])
z_tanh_settled = float(np.asarray(rec_t[zt.z.path])[-1, 0, 0])
### END SOLUTION
print("solved:", tanh_steady_state(j_in, gamma), " simulated:", z_tanh_settled)

# %% nbgrader={"grade": true, "solution": false, "locked": true, "points": 3, "grade_id": "02_rate_cell_ex2_test", "schema_version": 3}
# the steady state of tau_m dz/dt = -gamma z + j (1 - tanh(z)^2): its residual is zero
for j_c, leak_c in [(1.0, 1.0), (0.5, 2.0), (3.0, 0.5)]:
    z_c = tanh_steady_state(j_c, leak_c)
    assert abs(leak_c * z_c - j_c * (1 - np.tanh(z_c) ** 2)) < 1e-5, (j_c, leak_c, z_c)
assert abs(z_tanh_settled - tanh_steady_state(j_in, gamma)) < 1e-3
### BEGIN HIDDEN TESTS
rng_chk = np.random.default_rng(1)
for j_c, leak_c in rng_chk.uniform(0.1, 4.0, size=(5, 2)):
    z_c = tanh_steady_state(j_c, leak_c)
    assert 0.0 <= z_c <= j_c / leak_c + 1e-9
    assert abs(leak_c * z_c - j_c * (1 - np.tanh(z_c) ** 2)) < 1e-5
### END HIDDEN TESTS

# %% [markdown]
# ### More to try
#
# 1. With `tau_m=0.` the cell is stateless. Check that `z` equals `j + j_td` after one step.
# 2. Change the Laplacian prior's input to `0.25` (below $\gamma$). What happens, and why does
#    the activity oscillate around 0 with Euler steps?
