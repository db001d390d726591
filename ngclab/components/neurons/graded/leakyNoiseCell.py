"""LeakyNoiseCell: a graded cell with continuous-time, noisy, leaky recurrent dynamics.

Each step draws one unit Gaussian sample eps ~ N(0, 1) per unit from the cell's PRNG key (so a
run is deterministic for a given key), held fixed through the step, and integrates

| tau_x dx/dt = -leak_scale * x + j_input + j_recurrent + sqrt(2 tau_x sigma_pre^2) * eps
| r = output_scale * f(x) + sigma_post * eps ;   r_prime = f'(x)

with Euler or midpoint (RK-2). As in ngc-learn 3.2.3 (and its equations) the same eps drives
the pre- and the post-rectification noise, and the key advances as ``key, sub = split(key)``
with eps drawn from ``sub``, so a given key yields ngc-learn's numbers.

Compartments: j_input, j_recurrent (inputs), x (state), r, r_prime (outputs), key.
Knobs: tau_x, sigma_pre, sigma_post, leak_scale, output_scale.
"""
from __future__ import annotations

import warnings

import jax
import jax.numpy as jnp

from ngclab.core import Compartment, Component, Knob, compilable
from ngclab.components.ode import check_integration, integrate
from ngclab.components.layers import layer_dims, rename_recorded, reset_compartments, resize_batch
from ngclab.components.validation import (
    check_count,
    check_kwargs,
    check_number,
    check_positive,
    owner,
)
from ngclab.components.activations import make_activation


class LeakyNoiseCell(Component):
    """A non-spiking cell driven by noisy, leaky recurrent dynamics.

    Args:
        name: the cell's name
        n_units: number of units
        tau_x: state time constant (ms)
        act_fx: rectification function f (Default: "relu")
        integration_type: "euler" (or "rk1") or "midpoint" (or "rk2")
        batch_size: batch dimension
        sigma_pre: pre-rectification noise scale (Default: 0.1); ``sigma_rec`` is accepted as
            its deprecated name, as in ngc-learn
        sigma_post: post-rectification noise scale (Default: 0.1, ngc-learn 3.2.3's value)
        leak_scale: scale of the leak term (Default: 1.)
        shape: None, or (height, width, channels) for map-shaped layers
        output_scale: factor applied to f(x) (Default: 1.; an ngclab extra, keyword only in
            effect since it comes last)
    """

    j_input: Compartment
    j_recurrent: Compartment
    x: Compartment
    r: Compartment
    r_prime: Compartment
    tau_x: Knob
    sigma_pre: Knob
    sigma_post: Knob
    leak_scale: Knob
    output_scale: Knob

    def __init__(self, name, n_units, tau_x, act_fx="relu", integration_type="euler",
                 batch_size=1, sigma_pre=0.1, sigma_post=0.1, leak_scale=1., shape=None,
                 output_scale=1., **kwargs):
        who = owner(type(self), name)
        if "sigma_rec" in kwargs:
            warnings.warn(f"{who}: the argument 'sigma_rec' is deprecated, use 'sigma_pre'",
                          DeprecationWarning, stacklevel=3)
            sigma_pre = kwargs.pop("sigma_rec")
        check_kwargs(who, kwargs)
        tau = check_positive(who, "tau_x", tau_x)
        s_pre = check_number(who, "sigma_pre", sigma_pre, low=0.)
        s_post = check_number(who, "sigma_post", sigma_post, low=0.)
        leak = check_number(who, "leak_scale", leak_scale)
        out_scale = check_number(who, "output_scale", output_scale)
        batch = check_count(who, "batch_size", batch_size)
        dims = layer_dims(who, n_units, shape)
        integ = check_integration(who, integration_type)
        fx, dfx = make_activation(who, act_fx)
        super().__init__(name, **kwargs)
        rename_recorded(self, "sigma_rec", "sigma_pre")
        self.n_units, self.batch_size, self.dims, self.shape = n_units, batch, dims, dims
        self.act_fx, self.fx, self.dfx = act_fx, fx, dfx
        self.integration_type = integ
        rest = jnp.zeros((batch, *dims))
        self.j_input = Compartment(rest, kind="input", display_name="Input Stimulus Current",
                                   units="mA")
        self.j_recurrent = Compartment(rest, kind="input",
                                       display_name="Recurrent Stimulus Current", units="mA")
        self.x = Compartment(rest, kind="state", display_name="Rate Activity", units="mA")
        self.r = Compartment(rest, kind="output", display_name="(Rectified) Rate Activity")
        self.r_prime = Compartment(rest, kind="output", display_name="Derivative of rate activity")
        self.tau_x = Knob(tau, low=1e-6, doc="state time constant (ms)")
        self.sigma_pre = Knob(s_pre, low=0., doc="pre-rectification noise scale")
        self.sigma_post = Knob(s_post, low=0., doc="post-rectification noise scale")
        self.leak_scale = Knob(leak, doc="scale of the leak -x")
        self.output_scale = Knob(out_scale, doc="factor applied to f(x)")

    @compilable
    def advance_state(self, t, dt):
        key, sub = jax.random.split(self.key.get(), 2)
        x = self.x.get()
        eps = jax.random.normal(sub, shape=x.shape)
        tau, leak = self.tau_x.get(), self.leak_scale.get()
        drive = self.j_input.get() + self.j_recurrent.get() + \
            jnp.sqrt(2. * tau * jnp.square(self.sigma_pre.get())) * eps

        def dx_dt(t_, x_):
            return (-(x_ * leak) + drive) / tau

        x = integrate(self.integration_type, dx_dt, x, dt, t)
        self.key.set(key)
        self.x.set(x)
        self.r.set(self.fx(x) * self.output_scale.get() + eps * self.sigma_post.get())
        self.r_prime.set(self.dfx(x))

    @compilable
    def reset(self):
        reset_compartments([self.j_input, self.j_recurrent, self.x, self.r, self.r_prime])

    def batched_reset(self, batch_size):
        """Reset to rest with a new batch size (a structure change: the model recompiles)."""
        self.batch_size = check_count(owner(type(self), self.name), "batch_size", batch_size)
        resize_batch([(c, 0.) for c in (self.j_input, self.j_recurrent, self.x, self.r,
                                         self.r_prime)], self.batch_size, self.dims)

    @classmethod
    def help(cls):
        return {
            cls.__name__: {"cell_type": "LeakyNoiseCell - graded cell with continuous-time "
                                        "noisy, leaky recurrent dynamics"},
            "compartments": {
                "inputs": {"j_input": "input (bottom-up) current",
                           "j_recurrent": "recurrent current"},
                "states": {"x": "noisy, leaky state", "key": "JAX PRNG key"},
                "outputs": {"r": "rectified rate output_scale * f(x) + sigma_post eps",
                            "r_prime": "slope f'(x) of the rectifier"},
            },
            "dynamics": "tau_x dx/dt = -leak_scale x + j_input + j_recurrent + "
                        "sqrt(2 tau_x sigma_pre^2) eps; r = f(x) + sigma_post eps, eps ~ N(0, 1)",
            "hyperparameters": {
                "n_units": "number of units", "tau_x": "state time constant",
                "act_fx": "rectification function", "integration_type": "euler or midpoint",
                "batch_size": "batch dimension", "sigma_pre": "pre-rectification noise scale",
                "sigma_post": "post-rectification noise scale",
                "leak_scale": "scale of the leak", "shape": "None or (height, width, channels)",
                "output_scale": "factor applied to f(x)"},
        }
