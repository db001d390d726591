"""LaplacianErrorCell: the mismatch between a target and a Laplacian prediction, at a fixed point.

With e = target - shift and scale Scale (a number or per-unit scales):

| L = -sum |e| / Scale                   (Laplacian log-likelihood without its constant)
| dshift = sign(e) / Scale * modulator * mask ;  dtarget = -dshift ;  dScale = 1 (not learned)

The mask applies for one step only. When Scale is not wired, a scalar ``scale`` is a knob that
Scale follows. Note: ngc-learn 3.2.3 computes L as -sum |sign(e)| / Scale (it counts mismatched
units, contrary to its own comment "L = -||target - shift||_1 / scale"); ngclab computes the
L1 form, so L differs from ngc-learn's while every derivative matches.

Compartments: shift, Scale, target, modulator, mask (inputs); L, dshift, dScale, dtarget (outputs).
"""
from __future__ import annotations

import jax.numpy as jnp

from ngclab.core import Compartment, Component, Knob, compilable
from ngclab.components.layers import layer_dims, reset_compartments, resize_batch, scale_param
from ngclab.components.validation import check_count, check_kwargs, owner


class LaplacianErrorCell(Component):
    """A (non-spiking) Laplacian error cell: L = -||target - shift||_1 / scale.

    Args:
        name: the cell's name
        n_units: number of units
        batch_size: batch dimension (Default: 1)
        scale: the fixed scale used while Scale is not wired: a number (a (1, 1) Scale, exposed
            as the knob ``scale``) or per-unit scales broadcasting against (batch_size, n_units)
        shape: None, or (height, width, channels) for map-shaped layers
    """

    L: Compartment
    shift: Compartment
    Scale: Compartment
    dshift: Compartment
    dScale: Compartment
    target: Compartment
    dtarget: Compartment
    modulator: Compartment
    mask: Compartment
    scale: Knob

    def __init__(self, name, n_units, batch_size=1, scale=1., shape=None, **kwargs):
        who = owner(type(self), name)
        check_kwargs(who, kwargs)
        batch = check_count(who, "batch_size", batch_size)
        dims = layer_dims(who, n_units, shape)
        Scale, scalar, _ = scale_param(who, "scale", scale, batch, dims)
        super().__init__(name, **kwargs)
        self.n_units, self.batch_size, self.dims, self.shape = n_units, batch, dims, dims
        self.scale_shape = tuple(Scale.shape)
        rest = jnp.zeros((batch, *dims))
        self.L = Compartment(0., kind="output", display_name="Laplacian Log likelihood",
                             units="nats")
        self.shift = Compartment(rest, kind="input", display_name="Laplacian shift")
        self.Scale = Compartment(Scale, kind="input", display_name="Laplacian scale")
        self.dshift = Compartment(rest, kind="output")
        self.dScale = Compartment(jnp.zeros(self.scale_shape), kind="output")
        self.target = Compartment(rest, kind="input",
                                  display_name="Laplacian data/target variable")
        self.dtarget = Compartment(rest, kind="output")
        self.modulator = Compartment(rest + 1., kind="input")
        self.mask = Compartment(rest + 1., kind="input")
        if scalar:
            self.scale = Knob(float(Scale[0, 0]), low=1e-6,
                              doc="scale used while Scale is not wired")

    @compilable
    def advance_state(self, dt=1.):  # dt unused: a fixed-point cell
        shift, target = self.shift.get(), self.target.get()
        modulator, mask = self.modulator.get(), self.mask.get()
        if "scale" in self.knobs and not self.Scale.targeted:
            self.Scale.set(jnp.full(self.scale_shape, self.scale.get()))
        Scale = self.Scale.get()
        e = target - shift
        dshift = jnp.sign(e) / Scale
        L = -jnp.sum(jnp.abs(e) / Scale)
        self.dshift.set(dshift * modulator * mask)
        self.dtarget.set(-dshift * modulator * mask)
        self.dScale.set(jnp.ones_like(Scale))
        self.L.set(jnp.squeeze(L))
        if not self.mask.targeted:  # the mask applies for this step only
            self.mask.set(jnp.ones_like(mask))

    @compilable
    def reset(self):
        reset_compartments([self.dshift, self.dtarget, self.dScale, self.target, self.shift,
                            self.L], [self.modulator, self.mask])

    def batched_reset(self, batch_size):
        """Reset to rest with a new batch size (a structure change: the model recompiles)."""
        self.batch_size = check_count(owner(type(self), self.name), "batch_size", batch_size)
        resize_batch([(self.shift, 0.), (self.dshift, 0.), (self.target, 0.),
                      (self.dtarget, 0.), (self.modulator, 1.), (self.mask, 1.)],
                     self.batch_size, self.dims)
        reset_compartments([self.dScale, self.L])

    @classmethod
    def help(cls):
        return {
            cls.__name__: {"cell_type": "LaplacianErrorCell - mismatch between a target and a "
                                        "predicted shift under a Laplacian with scale Scale"},
            "compartments": {
                "inputs": {"shift": "predicted shift (location)", "Scale": "predicted scale",
                           "target": "target value", "modulator": "multiplies the derivatives",
                           "mask": "gates the derivatives for one step"},
                "outputs": {"L": "local Laplacian log-likelihood (no constant)",
                            "dshift": "dL/dshift = sign(target - shift) / Scale",
                            "dScale": "placeholder ones (Scale is not learned)",
                            "dtarget": "-dshift"},
            },
            "dynamics": "e = target - shift; L = -sum |e| / Scale; dshift = sign(e) / Scale; "
                        "dtarget = -dshift",
            "hyperparameters": {"n_units": "number of units", "batch_size": "batch dimension",
                                "scale": "fixed scale (knob) or per-unit scales",
                                "shape": "None or (height, width, channels)"},
        }
