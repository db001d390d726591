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

# %%
import time
import numpy as np
import jax.numpy as jnp

import ngclab
from ngclab import Context, MethodProcess
from ngclab.lab import Lab

t_start = time.perf_counter()

# %% tags=["parameters"]
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

# %%
with Context("model") as ctx:
    advance = MethodProcess("advance")
    reset = MethodProcess("reset")
lab = Lab(ctx, advance=advance, reset=reset)
lab

# %%
ed = lab.editor
ed.add_component("RateCell", name="a", n_units=n_in, tau_m=0.0)
ed.add_component("DenseSynapse", name="W", shape=(n_in, n_out))
ed.add_component("RateCell", name="b", n_units=n_out, tau_m=tau_m, prior=("gaussian", 1.0))
ed.connect("model/a:zF", "model/W:inputs")
ed.connect("model/W:outputs", "model/b:j")
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
# 1. In the lab above, drag a `GaussianErrorCell` onto the canvas, wire `b.zF` into its `mu`, and
#    export the code again. Where did the new component go in the processes?
# 2. Remove the synapse with `ed.remove("W")`. Which wires disappear?
# 3. Edit the exported code by hand (add a second synapse from `a` to `b`, summed with
#    `Summation`), run it, and open the result in a new `Lab`: does the editor show your change?
