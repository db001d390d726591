"""RateCell's lateral synapses (ngc-learn 3.2.3's ``use_lateral`` / ``adaptive_lateral``).

A block-diagonal (patched) matrix W_l of n_patch blocks joins the cell's units to each other:

| j_lat = (zF_lat @ W_l) * f_lat'(z) * R          zF_lat of the previous step, z before the step
| tau_m dz/dt = -gamma prior'(z) + (R j f'(z) + j_lat) + j_td
| zF_lat = output_scale * f_lat(z)                 f_lat = fx_lat, or act_fx when None
| W_l starts at exc on the diagonal and inh elsewhere inside each block (exc_inh = (exc, inh))

With ``adaptive_lateral`` W_l learns as ngc-learn's HebbianPatchedSynapse with pre = post =
zF_lat, w_bound 1, sign 1 and the optimizer ``Wl_opt_type`` at rate Wl_eta (which subtracts the
Hebbian term: an anti-Hebbian, decorrelating rule), kept inside the blocks:

| dW_l = [zF_lat^T zF_lat * (1 - |W_l|) + reg(W_l)] * M ;  W_l <- clip(W_l - Wl_eta dW_l, -1, 1)

A stateless cell (tau_m = 0) computes zF_lat but no lateral current, as in ngc-learn.
In ngc-learn W_l lives in a separate component ``Wl_<name>``; here its state lives in the cell
(``Wl_weights``, ``Wl_dWeights``, ``Wl_opt_params``), reachable as ``cell.Wl.weights`` etc.

Differences from ngc-learn 3.2.3, where it is broken: a stateless cell keeps j_lat at 0
(ngc-learn fails there with an unbound j_lat); adaptive_lateral without use_lateral, map
shapes and an n_patch that does not divide n_units are refused (ngc-learn silently ignores the
first and fails later on the others); the learning rule keeps updates inside the blocks by the
block structure rather than by W_l != 0 (see HebbianPatchedSynapse: with ngc-learn's default
exc_inh = (0, 0) its lateral synapses can never learn). The lateral arguments are validated
even when use_lateral is off.
"""
from __future__ import annotations

import types

import jax
import jax.numpy as jnp

from ngclab.components.activations import make_activation
from ngclab.components.synapses.hebbian.hebbianSynapse import HebbianSynapse, parse_prior
from ngclab.components.synapses.patched._patches import (constrain, hebbian_update,
                                                         init_patches, patch_layout)
from ngclab.components.validation import check_choice, check_count, check_number
from ngclab.core import Compartment, Knob
from ngclab.utils.distribution_generator import DistributionGenerator
from ngclab.utils.optim import OPTIMIZER_NAMES, get_opt_init_fn, get_opt_step_fn

W_BOUND = 1.   # HebbianPatchedSynapse's default bound, which ngc-learn's lateral cable keeps


def check_lateral(who: str, n_units: int, exc_inh, n_patch, fx_lat, Wl_eta, Wl_opt_type,
                  Wl_prior, fallback_fx: tuple) -> dict:
    """The lateral arguments, validated (also when use_lateral is off: a bad value is refused
    wherever it is given)."""
    if not isinstance(exc_inh, (tuple, list)) or len(exc_inh) != 2:
        raise ValueError(f"{who}: exc_inh must be an (exc, inh) pair, got {exc_inh!r}")
    exc, inh = (check_number(who, "exc_inh", v) for v in exc_inh)
    patches = check_count(who, "n_patch", n_patch)
    if n_units % patches:
        raise ValueError(f"{who}: n_patch={patches} does not divide n_units={n_units} into "
                         f"equal lateral blocks")
    fx = fallback_fx
    if fx_lat is not None:
        try:
            fx = make_activation(who, fx_lat)
        except ValueError as err:
            raise ValueError(f"{err} (fx_lat)") from None
    eta = check_number(who, "Wl_eta", Wl_eta)
    check_choice(who, "Wl_opt_type", Wl_opt_type, OPTIMIZER_NAMES)
    try:
        prior, lmbda, l1_ratio = parse_prior(who, Wl_prior, 0.)
    except (TypeError, ValueError) as err:
        raise type(err)(f"{err} (Wl_prior)") from None
    return {"exc": exc, "inh": inh, "n_patch": patches, "fx": fx, "eta": eta,
            "opt_type": Wl_opt_type, "prior": prior, "lmbda": lmbda, "l1_ratio": l1_ratio}


class Lateral:
    """The lateral cable of one RateCell: it declares its compartments on the cell and
    computes the lateral current and the learning step (module docstring)."""

    _unflatten = HebbianSynapse._unflatten     # optimizer statistics flattened as HebbianSynapse

    def __init__(self, cell, adaptive: bool, spec: dict):
        n = cell.dims[0]
        self.adaptive = adaptive
        self.fx, self.dfx = spec["fx"]
        self.prior, self.l1_ratio = spec["prior"], spec["l1_ratio"]
        self.layout = patch_layout((n, n), spec["n_patch"], (0, 0))
        k_blocks = jax.random.split(cell.key.get(), 4)[0]
        W = init_patches(k_blocks, self.layout,
                         DistributionGenerator.diag_offdiag(spec["exc"], spec["inh"]))
        rest = jnp.zeros((cell.batch_size, n))
        cell.j_lat = Compartment(rest, display_name="Lateral Stimulus Current", units="mA")
        cell.zF_lat = Compartment(rest, kind="output", display_name="Lateral Rate Activity")
        cell.Wl_weights = Compartment(W, kind="parameter", display_name="Lateral synapses")
        cell.Wl = types.SimpleNamespace(weights=cell.Wl_weights)   # ngc-learn's cell.Wl.weights
        if self.adaptive:
            self.opt = get_opt_step_fn(spec["opt_type"])
            state = get_opt_init_fn(spec["opt_type"])([W])
            leaves, self._opt_tree = jax.tree_util.tree_flatten(state)
            self._opt_shapes = [tuple(jnp.shape(x)) for x in leaves]
            cell.Wl_dWeights = Compartment(jnp.zeros_like(W), kind="output",
                                           display_name="Lateral synaptic update")
            cell.Wl_opt_params = Compartment(HebbianSynapse._flatten(state),
                                             display_name="lateral optimizer statistics")
            cell.Wl_eta = Knob(spec["eta"], doc="learning rate of the lateral synapses")
            cell.Wl.dWeights, cell.Wl.opt_params = cell.Wl_dWeights, cell.Wl_opt_params
            if self.prior != "constant":
                cell.Wl_prior_lmbda = Knob(spec["lmbda"], low=0., doc=f"strength of the lateral "
                                                                      f"{self.prior} prior")

    def current(self, cell, z: jax.Array, modulate) -> jax.Array:
        """j_lat from last step's zF_lat through W_l, modulated by f_lat'(z) and R."""
        raw = self.layout.forward(cell.zF_lat.get(), cell.Wl_weights.get())
        return modulate(raw, self.dfx(z)) * cell.resist_scale.get()

    def evolve(self, cell) -> None:
        """One anti-Hebbian step of W_l from pre = post = zF_lat (module docstring)."""
        zF, W = cell.zF_lat.get(), cell.Wl_weights.get()
        lmbda = cell.Wl_prior_lmbda.get() if self.prior != "constant" else 0.
        dW, _ = hebbian_update(zF, zF, W, self.layout.mask, W_BOUND, self.prior, lmbda,
                               self.l1_ratio, 1.)
        state, (W,) = self.opt(self._unflatten(cell.Wl_opt_params.get()), [W], [dW],
                               eta=cell.Wl_eta.get())
        cell.Wl_weights.set(constrain(W, W_BOUND, False, self.layout.mask))
        cell.Wl_opt_params.set(HebbianSynapse._flatten(state))
        cell.Wl_dWeights.set(dW)
