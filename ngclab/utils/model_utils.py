"""Modelling utilities: activation functions (with derivatives), ``create_function``, and small
array operations used by components (clamping, normalisation, drop-out, one-hot, ...).

Every array function here is a pure ``jax.numpy`` expression and can be used inside ``jit``.
The activations themselves live in ``ngclab.utils._activations`` and the group operations
(block matrices, local k-WTA, ...) in ``ngclab.utils._group_ops``; both are re-exported here.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ngclab.utils._activations import (  # noqa: F401  (re-exported)
    bkwta, clip, d_clip, d_elu, d_gelu, d_heaviside, d_identity, d_lrelu, d_relu, d_relu6,
    d_sigmoid, d_silu, d_sine, d_softmax, d_softplus, d_swish, d_tanh, d_telu, d_threshold, elu,
    gelu, heaviside, identity, inverse_logistic, inverse_sigmoid, inverse_tanh, lrelu, relu,
    relu6, sigmoid, silu, sine, softmax, softplus, swish, tanh, telu, threshold, threshold_cauchy,
    threshold_soft)
from ngclab.utils._group_ops import (  # noqa: F401  (re-exported)
    chebyshev_norm, create_block_matrix, d_kwta, d_lkwta, d_quantile_lkwta, eye_wrapped,
    group_mean, kwta, lkwta, normalize_block_matrix, quantile_lkwta, sample_values_by_group)

Array = jax.Array


class UnknownFunctionError(ValueError, RuntimeError):
    """Unknown activation name. A ValueError (ngclab's contract) and also a RuntimeError (what
    ngc-learn 3.2.3 raises), so ported ``except RuntimeError`` code keeps working."""


# name -> (f, f', name of the single hyperparameter a scalar ``args`` binds, or None)
_FUNCTIONS: dict[str, tuple[Callable[..., Array], Callable[..., Array], str | None]] = {
    "tanh": (tanh, d_tanh, None),
    "bkwta": (bkwta, bkwta, "nWTA"),  # derivative proxy is bkwta itself (as in ngc-learn)
    "sine": (sine, d_sine, "omega_0"),
    "sigmoid": (sigmoid, d_sigmoid, None),
    "relu": (relu, d_relu, None),
    "lrelu": (lrelu, d_lrelu, None),
    "relu6": (relu6, d_relu6, None),
    "elu": (elu, d_elu, "alpha"),
    "silu": (silu, d_silu, None),
    "gelu": (gelu, d_gelu, None),
    "telu": (telu, d_telu, None),
    "softplus": (softplus, d_softplus, None),
    "softmax": (softmax, d_softmax, "tau"),  # derivative is the (B, D, D) Jacobian
    "unit_threshold": (threshold, d_threshold, "thr"),  # derivative: straight-through
    "heaviside": (heaviside, d_heaviside, None),  # derivative: straight-through
    "identity": (identity, d_identity, None),
}
FUNCTION_NAMES: tuple[str, ...] = tuple(_FUNCTIONS)


def create_function(fun_name: str, args: Any = None) -> tuple[Callable[..., Array],
                                                               Callable[..., Array]]:
    """Return ``(fx, dfx)``: an activation and its first derivative w.r.t. its input.

    Names: tanh, bkwta, sine, sigmoid, relu, lrelu, relu6, elu, silu, gelu, telu, softplus,
    softmax (dfx is the Jacobian), unit_threshold, heaviside, identity. As in ngc-learn, any name
    containing "heaviside" selects heaviside.

    Args:
        fun_name: the activation's name
        args: optional hyperparameters bound to both functions (ngc-learn 3.2.3 ignores this
            argument; ngclab uses it): a dict of keyword arguments, or a single number for the
            function's one hyperparameter (bkwta: nWTA, sine: omega_0, elu: alpha, softmax: tau,
            unit_threshold: thr). None keeps the defaults.

    Raises:
        UnknownFunctionError (a ValueError) listing the valid names.
    """
    key = "heaviside" if isinstance(fun_name, str) and "heaviside" in fun_name else fun_name
    if key not in _FUNCTIONS:
        raise UnknownFunctionError(f"activation function {fun_name!r} is not supported; valid "
                                   f"names are {list(FUNCTION_NAMES)}")
    fx, dfx, hyper = _FUNCTIONS[key]
    if args is None:
        return fx, dfx
    if not isinstance(args, Mapping):
        if hyper is None:
            raise ValueError(f"activation {key!r} takes no hyperparameter, got args={args!r}")
        args = {hyper: int(args) if hyper == "nWTA" else args}
    return functools.partial(fx, **args), functools.partial(dfx, **args)


@jax.jit
def binarize(data: Array, threshold: float = 0.5) -> Array:
    """b(x) = 1 if x > threshold else 0"""
    return (data > threshold).astype(jnp.float32)


@jax.jit
def clamp_min(x: Array, min_val: float) -> Array:
    """c(x) = x if x > min_val else min_val (i.e. max(x, min_val))"""
    return jnp.where(x > min_val, x, min_val)


@jax.jit
def clamp_max(x: Array, max_val: float) -> Array:
    """c(x) = x if x < max_val else max_val (i.e. min(x, max_val))"""
    return jnp.where(x < max_val, x, max_val)


@jax.jit
def one_hot(P: Array) -> Array:
    """Row-wise one-hot of the argmax: O[n, c] = 1 if c = argmax_k P[n, k] else 0."""
    return jax.nn.one_hot(jnp.argmax(P, axis=1), P.shape[1], dtype=jnp.float32)


@functools.partial(jax.jit, static_argnames=("order", "axis"))
def normalize_matrix(data: Array, wnorm: float, order: int = 1, axis: int = 0,
                     scale: float = 1.0) -> Array:
    """Rescale each column (axis=0) or row (axis=1) of ``data`` to have norm ``wnorm``:

    | W' = W * wnorm / max(||W||_p, 1e-8),  p = 2 if order == 2 else 1 (L1)

    ``scale`` is accepted for compatibility and unused (as in ngc-learn).
    """
    if order == 2:
        norm = jnp.sqrt(jnp.sum(jnp.square(data), axis=axis, keepdims=True))
    else:
        norm = jnp.sum(jnp.abs(data), axis=axis, keepdims=True)
    return data * (wnorm / jnp.maximum(norm, 1e-8))


@jax.jit
def layer_normalize(x: Array, shift: float = 0.0, scale: float = 1.0) -> Array:
    """Layer normalisation of each row (sample) n of x:

    | mu_n = mean_d x[n, d],  sigma_n = max(sqrt(max(mean_d (x[n, d] - mu_n)^2, 1e-6)), 1e-6)
    | y[n, d] = scale * (x[n, d] - mu_n) / sigma_n + shift

    ngc-learn 3.2.3 takes the row means but one standard deviation over the whole batch; for a
    single row the two agree. ngclab normalises each row by its own deviation (layer norm).
    """
    mu = jnp.mean(x, axis=-1, keepdims=True)
    var = jnp.mean(jnp.square(x - mu), axis=-1, keepdims=True)
    sigma = jnp.maximum(jnp.sqrt(jnp.maximum(var, 1e-6)), 1e-6)
    return (x - mu) / sigma * scale + shift


@jax.jit
def drop_out(dkey: Array, data: Array, rate: float = 0.0) -> tuple[Array, Array]:
    """Inverted drop-out. With u ~ U[0, 1) per element (drawn with ``dkey``):

    | m = [u <= 1 - rate] / (1 - rate),  y = x * m

    Returns (y, m); E[y] = x.
    """
    u = jax.random.uniform(dkey, data.shape, minval=0.0, maxval=1.0)
    mask = (u <= 1.0 - rate).astype(jnp.float32) * (1.0 / (1.0 - rate))
    return data * mask, mask


def tensorstats(tensor: Any) -> dict[str, Any] | None:
    """Debugging summary {mean, std, mag = max|x|, min, max} of an array, or of all leaves of a
    list/tuple/dict of arrays taken together; None for anything else."""
    if isinstance(tensor, (np.ndarray, jax.Array)):
        vals = np.asarray(tensor)
    elif isinstance(tensor, (list, tuple, dict)):
        leaves = jax.tree_util.tree_leaves(tensor)
        try:
            vals = np.concatenate([np.asarray(v).ravel() for v in leaves])
        except (TypeError, ValueError):
            return None
    else:
        return None
    return {"mean": vals.mean(), "std": vals.std(), "mag": np.abs(vals).max(),
            "min": vals.min(), "max": vals.max()}


def pull_equations(controller: Any) -> str:
    """The dynamics equations of a model: one line ``"<name>:  <equation>"`` for each component
    of ``controller.components`` (a name -> component mapping, or an iterable of components with
    a ``name``) that has an ``equation`` attribute. ngc-learn 3.2.3's version raises an
    IndexError whenever a component has an equation; this one returns the text."""
    comps = getattr(controller, "components", {})
    items = comps.items() if isinstance(comps, Mapping) else ((getattr(c, "name", repr(c)), c)
                                                             for c in comps)
    lines = []
    for name, comp in items:
        eqn = getattr(comp, "equation", None)
        if eqn is not None and not callable(eqn):
            lines.append(f"{name}:  {eqn}")
    return "\n".join(lines)


__all__ = ["create_function", "FUNCTION_NAMES", "UnknownFunctionError", "binarize", "clamp_min",
           "clamp_max", "one_hot", "normalize_matrix", "layer_normalize", "drop_out",
           "tensorstats", "pull_equations", "identity", "d_identity", "relu", "d_relu", "lrelu",
           "d_lrelu", "relu6", "d_relu6", "tanh", "d_tanh", "inverse_tanh", "sigmoid",
           "d_sigmoid", "inverse_logistic", "inverse_sigmoid", "softplus", "d_softplus", "swish",
           "d_swish", "silu", "d_silu", "gelu", "d_gelu", "elu", "d_elu", "telu", "d_telu",
           "sine", "d_sine", "softmax", "d_softmax", "heaviside", "d_heaviside", "threshold",
           "d_threshold", "bkwta", "threshold_soft", "threshold_cauchy", "clip", "d_clip",
           "chebyshev_norm", "sample_values_by_group", "create_block_matrix", "eye_wrapped",
           "normalize_block_matrix", "group_mean", "lkwta", "d_lkwta", "kwta", "d_kwta",
           "quantile_lkwta", "d_quantile_lkwta"]
