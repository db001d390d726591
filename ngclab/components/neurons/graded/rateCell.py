"""RateCell: a graded (non-spiking) cell with leaky gradient dynamics (minimal core version).

    tau_m dz/dt = -gamma * prior'(z) + R * (j * f'(z)) + j_td      (stateful, tau_m > 0)
    z = j + j_td                                                  (stateless, tau_m = 0)
    zF = output_scale * f(z)

Compartments: j, j_td (inputs), z (state), zF (output); knobs tau_m, output_scale, resist_scale.
"""
from __future__ import annotations

import jax.numpy as jnp

from ngclab.core import Compartment, Component, Knob, compilable
from ngclab.components.ode import check_integration, integrate

_ACTS = {
    "identity": (lambda x: x, lambda x: jnp.ones_like(x)),
    "relu": (lambda x: jnp.maximum(x, 0.), lambda x: (x > 0.).astype(x.dtype)),
    "tanh": (jnp.tanh, lambda x: 1. - jnp.tanh(x) ** 2),
    "sigmoid": (lambda x: 1. / (1. + jnp.exp(-x)),
                lambda x: (1. / (1. + jnp.exp(-x))) * (1. - 1. / (1. + jnp.exp(-x)))),
}


class RateCell(Component):
    def __init__(self, name, n_units, tau_m, prior=("gaussian", 0.), act_fx="identity",
                 output_scale=1., integration_type="euler", batch_size=1, resist_scale=1.,
                 **kwargs):
        super().__init__(name, **kwargs)
        if act_fx not in _ACTS:
            raise ValueError(f"RateCell {name!r}: unknown act_fx {act_fx!r}; valid: {', '.join(_ACTS)}")
        self.fx, self.dfx = _ACTS[act_fx]
        self.integration = check_integration(f"RateCell {name!r}", integration_type)
        self.is_stateful = tau_m > 0.
        self.n_units, self.batch_size = n_units, batch_size
        self.prior_leak = float(prior[1])
        rest = jnp.zeros((batch_size, n_units))
        self.j = Compartment(rest, kind="input")
        self.j_td = Compartment(rest, kind="input")
        self.z = Compartment(rest, kind="state")
        self.zF = Compartment(rest, kind="output")
        self.tau_m = Knob(tau_m, low=0., doc="membrane time constant (ms)")
        self.output_scale = Knob(output_scale, doc="scale of f(z)")
        self.resist_scale = Knob(resist_scale, doc="scale of the input current j")

    @compilable
    def advance_state(self, dt):
        j, j_td, z = self.j.get(), self.j_td.get(), self.z.get()
        if self.is_stateful:
            drive = self.resist_scale * (j * self.dfx(z)) + j_td

            def dz_dt(t, z):
                return (-self.prior_leak * z + drive) / self.tau_m

            z = integrate(self.integration, dz_dt, z, dt)
        else:
            z = j + j_td
        self.z.set(z)
        self.zF.set(self.fx(z) * self.output_scale)

    @compilable
    def reset(self):
        rest = jnp.zeros((self.batch_size, self.n_units))
        for c in (self.j, self.j_td, self.z, self.zF):
            if not c.targeted:
                c.set(rest)
