# %% [markdown]
# # 4. Wiring visually
#
# The lab's **circuit editor** edits the same Python `Context` that code builds: every edit
# made by dragging in the browser goes through a Python API (`lab.editor.add_component`,
# `connect`, `disconnect`, `update`, `remove`), which validates it against the model. The editor
# then re-draws from the Context, so a circuit built by hand and one built in code look and
# behave the same, and `to_code()` turns either into Python.
#
# In this lesson we build the quickstart's circuit through the editor API (what the mouse does),
# export it as code, rebuild it from that code, and check that both run identically:
#
# $$z_a = j_a, \qquad j_b = z_a W, \qquad \tau_m \frac{dz_b}{dt} = -\gamma z_b + j_b .$$

# %% tags=["lab-demo"]
import time
import numpy as np
import jax.numpy as jnp

import ngclab
from ngclab import Context, MethodProcess
from ngclab.lab import Lab

t_start = time.perf_counter()

# %% tags=["parameters", "lab-demo"]
n_in = 3           # input units
n_out = 2          # output units
tau_m = 20.0       # time constant of b
steps = 100        # steps to compare

# %% [markdown]
# ## An empty lab
#
# Start from an empty Context with two (empty) processes. Show the lab: the palette on the left
# lists every component class; drag one onto the canvas to add it, drag from an output port to an
# input port to wire them. Below we do the same through the API, and the canvas follows.
#
# *As an app* (no code shown): [this lab in Voila on Binder](https://mybinder.org/v2/gh/OWNER/ngclab/HEAD?urlpath=voila/render/notebooks/demos/04_wiring_visually.ipynb),
# or `voila/render/demos/04_wiring_visually.ipynb` at the address of `ngclab lab` when Voila is installed; the
# app's notebook is [demos/04_wiring_visually.ipynb](demos/04_wiring_visually.ipynb).

# %% tags=["lab-demo-show"]
with Context("model") as ctx:
    advance = MethodProcess("advance")
    reset = MethodProcess("reset")
lab = Lab(ctx, advance=advance, reset=reset)
lab

# %% tags=["lab-demo"]
ed = lab.editor
ed.add_component("RateCell", name="a", n_units=n_in, tau_m=0.0)
ed.add_component("DenseSynapse", name="W", shape=(n_in, n_out))
ed.add_component("RateCell", name="b", n_units=n_out, tau_m=tau_m, prior=("gaussian", 1.0))
ed.connect("model/a:zF", "model/W:inputs")
ed.connect("model/W:outputs", "model/b:j")
# in the lab: a pulse train (on and off every 200 steps) into a, and b in the scope; press play
lab.set_clamp(ctx["a"].j, lambda t: jnp.ones((1, n_in)) * (jnp.floor(t / 200.0) % 2 == 0))
lab.scope.add(ctx["b"].zF)
print(advance)
print(f"{len(ctx.graph()['components'])} components, {len(ctx.wires())} wires")

# %% [markdown]
# A refused edit changes nothing and says why: here, wiring a 2-unit output into a 3-unit input.

# %%
try:
    ed.connect("model/b:zF", "model/W:inputs")
    refused = ""
except Exception as err:
    refused = type(err).__name__
    print(f"{refused}: {err}")

# %% [markdown]
# ## Export the code, rebuild from it
#
# `to_code()` writes the constructor calls (with their arguments), the wires and the processes.

# %%
code = ed.to_code()
print(code)
ns = {}
exec(code, ns)
ctx2, advance2 = ns["ctx"], ns["advance"]
# the weights were drawn from each component's key, so the rebuilt model has the same ones
same_weights = bool(np.array_equal(np.asarray(ctx["W"].weights.get()), np.asarray(ns["W"].weights.get())))

# %% [markdown]
# ## Same circuit, same numbers
#
# Run both for `steps` steps with the same clamped input and compare $z_b$ bit for bit.

# %%
x = jnp.asarray([[1.0, 0.5, 0.25]])[:, :n_in]
reset.run(); ns["reset"].run()
out1 = advance.scan(steps=steps, dt=1.0, clamp={ctx["a"].j: x}, record=[ctx["b"].z])
out2 = advance2.scan(steps=steps, dt=1.0, clamp={ns["a"].j: x}, record=[ns["b"].z])
z1, z2 = np.asarray(out1["model/b:z"]), np.asarray(out2["model/b:z"])
identical = bool(np.array_equal(z1, z2))
print("identical traces:", identical, "| final z_b:", z1[-1, 0].round(4))

# %% [markdown]
# ## Editing a parameter
#
# `update` rebuilds a component with changed constructor arguments and keeps its wires (in the
# browser: the inspector form). Make $b$ faster:

# %%
ed.update("b", tau_m=5.0)
reset.run()
out3 = advance.scan(steps=steps, dt=1.0, clamp={ctx["a"].j: x}, record=[ctx["b"].z])
print("tau_m of b is now", float(ctx["b"].tau_m.get()), "; wires kept:", len(ctx.wires()))
lab.editor.refresh()

# %%
ngclab.record("n_components", len(ctx.graph()["components"]))
ngclab.record("n_wires", len(ctx.wires()))
ngclab.record("refused_edit", refused)
ngclab.record("same_weights", same_weights)
ngclab.record("identical_traces", identical)
ngclab.record("z_b_final", z1[-1, 0].tolist())
ngclab.record("z_b_final_fast", np.asarray(out3["model/b:z"])[-1, 0].tolist())
print(f"ran in {time.perf_counter() - t_start:.1f} s")

# %% [markdown]
# ## Exercises
#
# Each exercise is a cell to complete (replace `raise NotImplementedError()`) followed by a
# test cell that checks your answer against the equations; run both. Nothing after an
# exercise depends on it.
#
# ### Exercise 1 (2 points): an error cell, added through the editor
#
# In a new, empty lab on `Context("ex1")` (with processes `advance` and `reset`, as above),
# use the editor API to build $a \to W \to b$ (the same arguments as above) **and** a
# `GaussianErrorCell` named `e` with `n_units=n_out`, with `b.zF` wired into `e.mu`. Keep the
# context in `ctx_ex1` and its processes in `advance_ex1`, `reset_ex1`. Where did the new
# component go in the processes?

# %% nbgrader={"solution": true, "grade": false, "locked": false, "grade_id": "04_wiring_visually_ex1", "schema_version": 3}
### BEGIN SOLUTION
with Context("ex1") as ctx_ex1:
    advance_ex1 = MethodProcess("advance")
    reset_ex1 = MethodProcess("reset")
ed1 = Lab(ctx_ex1, advance=advance_ex1, reset=reset_ex1).editor
ed1.add_component("RateCell", name="a", n_units=n_in, tau_m=0.0)
ed1.add_component("DenseSynapse", name="W", shape=(n_in, n_out))
ed1.add_component("RateCell", name="b", n_units=n_out, tau_m=tau_m, prior=("gaussian", 1.0))
ed1.add_component("GaussianErrorCell", name="e", n_units=n_out)
ed1.connect("ex1/a:zF", "ex1/W:inputs")
ed1.connect("ex1/W:outputs", "ex1/b:j")
ed1.connect("ex1/b:zF", "ex1/e:mu")
### END SOLUTION
print(advance_ex1)

# %% nbgrader={"grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "04_wiring_visually_ex1_test", "schema_version": 3}
wires_chk = {(src.path, dst.path) for src, dst in ctx_ex1.wires()}
assert ("ex1/b:zF", "ex1/e:mu") in wires_chk, wires_chk
assert {("ex1/a:zF", "ex1/W:inputs"), ("ex1/W:outputs", "ex1/b:j")} <= wires_chk
# running it: e.dmu = (target - mu) / Sigma with mu = b.zF (lesson 3), Sigma = 1
reset_ex1.run()
tgt_chk = jnp.ones((1, n_out))
rec_chk = advance_ex1.scan(steps=5, dt=1.0, clamp={ctx_ex1["a"].j: x, ctx_ex1["e"].target: tgt_chk},
                           record=[ctx_ex1["b"].zF, ctx_ex1["e"].dmu])
np.testing.assert_allclose(rec_chk["ex1/e:dmu"][-1], 1.0 - np.asarray(rec_chk["ex1/b:zF"][-1]),
                           rtol=1e-5, atol=1e-6)
### BEGIN HIDDEN TESTS
# the error cell is stepped after b in the advance process
steps_chk = [s for p in ctx_ex1.graph()["processes"] if p["name"] == "advance" for s in p["steps"]]
assert steps_chk.index(["e", "advance_state"]) > steps_chk.index(["b", "advance_state"])
### END HIDDEN TESTS

# %% [markdown]
# ### Exercise 2 (2 points): removing a synapse
#
# Rebuild the lesson's circuit from its exported `code` in a fresh namespace (`ns_ex2 = {}`;
# `exec(code, ns_ex2)`), open a `Lab` on the rebuilt context and remove the synapse with its
# editor's `remove("W")`. Store the rebuilt context in `ctx_ex2`. Which wires disappear? What is
# $z_b$ after `steps` steps now?

# %% nbgrader={"solution": true, "grade": false, "locked": false, "grade_id": "04_wiring_visually_ex2", "schema_version": 3}
### BEGIN SOLUTION
ns_ex2 = {}
exec(code, ns_ex2)
ctx_ex2 = ns_ex2["ctx"]
lab_ex2 = Lab(ctx_ex2, advance=ns_ex2["advance"], reset=ns_ex2["reset"])
lab_ex2.editor.remove("W")
### END SOLUTION
print([(s.path, d.path) for s, d in ctx_ex2.wires()])

# %% nbgrader={"grade": true, "solution": false, "locked": true, "points": 2, "grade_id": "04_wiring_visually_ex2_test", "schema_version": 3}
# every wire touching W is gone, the component with it; nothing else was wired
assert "W" not in [c["name"] for c in ctx_ex2.graph()["components"]]
assert all(":" in s.path and "/W:" not in s.path and "/W:" not in d.path for s, d in ctx_ex2.wires())
assert len(ctx_ex2.wires()) == 0
### BEGIN HIDDEN TESTS
# without its input b stays at rest: tau_m dz/dt = -gamma z + 0 from z = 0
ns_ex2["reset"].run()
out_chk = ns_ex2["advance"].scan(steps=steps, dt=1.0, clamp={ctx_ex2["a"].j: x}, record=[ctx_ex2["b"].z])
assert np.all(np.asarray(out_chk["model/b:z"]) == 0.0)
### END HIDDEN TESTS

# %% [markdown]
# ### More to try
#
# 1. In the lab above, drag a `GaussianErrorCell` onto the canvas, wire `b.zF` into its `mu`, and
#    export the code again.
# 2. Edit the exported code by hand (add a second synapse from `a` to `b`, summed with
#    `Summation`), run it, and open the result in a new `Lab`: does the editor show your change?
