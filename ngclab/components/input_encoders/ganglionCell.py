"""RetinalGanglionCell: a module of retinal ganglion cells, each filtering its own patch of the
input area with a centre-surround receptive field (ngc-learn 3.2.3's RetinalGanglionCell).

Cell c reads the (px, py) patch at (c_x sx, c_y sy) of the (ix, iy) input area and weighs it by
the filter F (``filter``); the module's responses are centred over all cells of a sample:

| r[c, i, j] = x[c_x sx + i, c_y sy + j] F[i, j]
| outputs = r - mean(r)                         (r flattened to n_cells * px * py per sample)
| G_sigma[i, j] = exp(-((i - px//2)^2 + (j - py//2)^2) / (2 sigma^2)) / sum(...)
| F = 1 ("identity") | G_sigma ("gaussian") | G_sigma - G_1.6sigma ("difference_of_gaussian",
|     "DoG") | G_sigma / (G_1.6sigma + 1e-8) ("ratio_of_gaussian", "RoG")

The grid has (ix - px) // sx + 1 by (iy - py) // sy + 1 cells, in row-major order; a step of 0
along an axis stacks ix // px (iy // py) cells on the same place (ngc-learn's "full overlap").
n_cells must equal the grid's size.

Compartments: inputs (input, (batch, ix, iy)); filter (parameter, (px, py)); outputs (output,
(batch, n_cells * px * py)).

Differences from ngc-learn 3.2.3, where it is broken: the Gaussian filters of a non-square
patch have the patch's shape (ngc-learn's are transposed and fail to broadcast); an n_cells
that does not match the grid, and an unknown filter_type, are errors (ngc-learn reshapes the
responses into another batch size, and falls back to the identity filter).
"""
from __future__ import annotations

import numbers

import jax.numpy as jnp

from ngclab.components.layers import reset_compartments
from ngclab.components.validation import check_choice, check_count, check_positive, owner
from ngclab.core import Compartment, Component, compilable

SURROUND = 1.6   # width of the surround relative to the centre
FILTERS = ("identity", "gaussian", "difference_of_gaussian", "DoG", "ratio_of_gaussian", "RoG")


def gaussian_filter(patch_shape: tuple[int, int], sigma: float) -> jnp.ndarray:
    """A normalised 2-D Gaussian over the patch, centred at (px // 2, py // 2)."""
    px, py = patch_shape
    i = jnp.arange(px, dtype=jnp.float32)[:, None] - px // 2
    j = jnp.arange(py, dtype=jnp.float32)[None, :] - py // 2
    g = jnp.exp(-(i ** 2 + j ** 2) / (2. * sigma ** 2))
    return g / jnp.sum(g)


def receptive_field(filter_type: str, patch_shape: tuple[int, int], sigma: float):
    if filter_type == "identity":
        return jnp.ones(patch_shape)
    centre = gaussian_filter(patch_shape, sigma)
    if filter_type == "gaussian":
        return centre
    surround = gaussian_filter(patch_shape, sigma * SURROUND)
    if filter_type in ("difference_of_gaussian", "DoG"):
        return centre - surround
    return centre / (surround + 1e-8)


def _pair(who: str, pname: str, value, low: int) -> tuple[int, int]:
    if not isinstance(value, (tuple, list)) or len(value) != 2 or not all(
            isinstance(d, numbers.Integral) and not isinstance(d, bool) and d >= low
            for d in value):
        raise ValueError(f"{who}: {pname} must be a pair of integers >= {low}, got {value!r}")
    return int(value[0]), int(value[1])


def grid(area, patch, step) -> list[tuple[int, int]]:
    """Top-left corners of the cells' patches, row-major."""
    def starts(i, p, s):
        return [0] * (i // p) if s == 0 else [k * s for k in range((i - p) // s + 1)]
    return [(a, b) for a in starts(area[0], patch[0], step[0])
            for b in starts(area[1], patch[1], step[1])]


class RetinalGanglionCell(Component):
    """Retinal ganglion cells: filtered, centred patches of the input area.

    Args:
        name: the module's name
        filter_type: "identity", "gaussian", "difference_of_gaussian" ("DoG") or
            "ratio_of_gaussian" ("RoG")
        area_shape: (ix, iy) of the input area
        n_cells: number of cells (the size of the patch grid)
        patch_shape: (px, py) of each cell's receptive field
        step_shape: (sx, sy) between neighbouring cells (0: cells stacked on one place)
        batch_size: batch size (Default: 1)
        sigma: width of the Gaussian centre (Default: 1.)
        **kwargs: key
    """

    inputs: Compartment   # the input area (batch, ix, iy)
    filter: Compartment   # receptive field weights (px, py)
    outputs: Compartment  # centred responses (batch, n_cells * px * py)

    def __init__(self, name, filter_type, area_shape, n_cells, patch_shape, step_shape,
                 batch_size=1, sigma=1.0, **kwargs):
        super().__init__(name, **kwargs)
        who = owner(type(self), name)
        self.filter_type = check_choice(who, "filter_type", filter_type, FILTERS)
        self.area_shape = _pair(who, "area_shape", area_shape, 1)
        self.patch_shape = _pair(who, "patch_shape", patch_shape, 1)
        self.step_shape = _pair(who, "step_shape", step_shape, 0)
        self.n_cells = check_count(who, "n_cells", n_cells)
        self.batch_size = check_count(who, "batch_size", batch_size)
        self.sigma = check_positive(who, "sigma", sigma)
        if any(p > a for p, a in zip(self.patch_shape, self.area_shape)):
            raise ValueError(f"{who}: patch_shape {self.patch_shape} does not fit in "
                             f"area_shape {self.area_shape}")
        self.corners = grid(self.area_shape, self.patch_shape, self.step_shape)
        if len(self.corners) != self.n_cells:
            raise ValueError(f"{who}: n_cells = {self.n_cells}, but area_shape "
                             f"{self.area_shape}, patch_shape {self.patch_shape} and step_shape "
                             f"{self.step_shape} give a grid of {len(self.corners)} cells")
        px, py = self.patch_shape
        self.inputs = Compartment(jnp.zeros((self.batch_size, *self.area_shape)), kind="input",
                                  display_name="Input Stimulus")
        self.filter = Compartment(receptive_field(self.filter_type, self.patch_shape,
                                                  self.sigma), kind="parameter",
                                  display_name="Filter")
        self.outputs = Compartment(jnp.zeros((self.batch_size, self.n_cells * px * py)),
                                   kind="output", display_name="Output Signal")

    @compilable
    def advance_state(self, t):
        x = self.inputs.get()
        px, py = self.patch_shape
        patches = jnp.stack([x[:, a:a + px, b:b + py] for a, b in self.corners], axis=1)
        r = jnp.reshape(patches * self.filter.get(), (x.shape[0], -1))
        self.outputs.set(r - jnp.mean(r, axis=1, keepdims=True))

    @compilable
    def reset(self):
        reset_compartments([self.inputs, self.outputs])  # zeros; a wired input keeps its wire

    @classmethod
    def help(cls) -> dict:
        return {
            cls.__name__: {"cell_type": "RetinalGanglionCell - filters patches of the input "
                                        "with centre-surround receptive fields"},
            "compartments": {"inputs": {"inputs": "Input area (batch, ix, iy)"},
                             "states": {"filter": "Receptive field weights (px, py)"},
                             "outputs": {"outputs": "Filtered, centred responses emitted at "
                                                    "time t"}},
            "dynamics": "outputs = r - mean(r), r = patches(x) * filter",
            "hyperparameters": {
                "filter_type": "identity, gaussian, difference_of_gaussian (DoG) or "
                               "ratio_of_gaussian (RoG)",
                "sigma": "Width of the Gaussian centre",
                "area_shape": "Input area shape (ix, iy)",
                "n_cells": "Number of ganglion cells (size of the patch grid)",
                "patch_shape": "Receptive field shape of each cell (px, py)",
                "step_shape": "Step between neighbouring cells (0: stacked)",
                "batch_size": "Batch size"}}
