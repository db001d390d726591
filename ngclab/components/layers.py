"""Layer shapes and compartment resets shared by the cells and synapses."""
from __future__ import annotations

import numbers
from typing import Any, Iterable

import jax.numpy as jnp

from ngclab.components.validation import FLOAT32_MAX, POSITIVE_MIN, check_count

def layer_dims(who: str, n_units: Any, shape: Any) -> tuple[int, ...]:
    """Per-sample dimensions: ``(n_units,)``, or ``shape`` (height, width, channels) if given."""
    n = check_count(who, "n_units", n_units)
    if shape is None:
        return (n,)
    dims = tuple(shape) if isinstance(shape, (tuple, list)) else None
    if dims is None or len(dims) != 3 or not all(
            isinstance(d, numbers.Integral) and not isinstance(d, bool) and d > 0 for d in dims):
        raise ValueError(f"{who}: shape must be None or (height, width, channels) of positive "
                         f"integers, got {shape!r}")
    return tuple(int(d) for d in dims)


def resize_batch(items: Iterable[tuple[Any, float]], batch_size: int, dims: tuple) -> None:
    """Give each (compartment, fill value) a fresh value of shape (batch_size, *dims)."""
    for comp, fill in items:
        comp.resize(jnp.full((batch_size, *dims), fill, dtype=jnp.float32))


def scale_param(who: str, pname: str, value: Any, batch_size: int, dims: tuple,
                allow_square: bool = False) -> tuple[jnp.ndarray, bool, bool]:
    """An error cell's variance/scale argument.

    Returns (initial compartment value, is_scalar, is_full_matrix). A number becomes a (1, 1)
    array (ngc-learn's layout); an array must broadcast against (batch_size, *dims), or, when
    ``allow_square``, be an (n, n) matrix over n > 1 units (a full covariance).
    """
    try:
        arr = None if isinstance(value, bool) else jnp.asarray(value, dtype=jnp.float32)
    except (TypeError, ValueError):
        arr = None
    if arr is None or not bool(jnp.all(jnp.isfinite(arr))):
        raise TypeError(f"{who}: {pname} must be a finite number or array, got {value!r}")
    if arr.ndim == 0:
        if not POSITIVE_MIN <= float(arr) <= FLOAT32_MAX:  # the bounds of its knob
            raise ValueError(f"{who}: {pname} must be in [{POSITIVE_MIN}, {FLOAT32_MAX:.3g}], "
                             f"got {value!r}")
        return jnp.reshape(arr, (1, 1)), True, False
    if allow_square and len(dims) == 1 and dims[0] > 1 and arr.shape == (dims[0], dims[0]):
        if not bool(jnp.all(jnp.diag(arr) > 0.)):
            raise ValueError(f"{who}: the covariance {pname} needs a positive diagonal")
        return arr, False, True
    if bool(jnp.any(arr <= 0.)):
        raise ValueError(f"{who}: every entry of {pname} must be > 0")
    try:
        fits = jnp.broadcast_shapes(arr.shape, (batch_size, *dims)) == (batch_size, *dims)
    except ValueError:
        fits = False
    if not fits:
        extra = f" or ({dims[0]}, {dims[0]}) (a full covariance)" if allow_square and \
            len(dims) == 1 else ""
        raise ValueError(f"{who}: {pname} of shape {tuple(arr.shape)} does not broadcast against "
                         f"the layer shape {(batch_size, *dims)}{extra}")
    return arr, False, False


def rest_shape(c: Any) -> tuple:
    """A compartment's shape at rest: its component's ``batch_size`` on a batch axis (as
    ngc-learn's resets, whatever batch the data brought since), its current shape otherwise."""
    batch = getattr(c.owner, "batch_size", None)
    shape = tuple(c.shape)
    if c.batched and isinstance(batch, numbers.Integral) and shape:
        return (int(batch), *shape[1:])
    return shape


def reset_compartments(zeros: Iterable[Any], ones: Iterable[Any] = ()) -> None:
    """Set each unwired compartment to zeros / ones of its rest shape (see ``rest_shape``)."""
    for group, fill in ((zeros, 0.), (ones, 1.)):
        for c in group:
            if not c.wired:
                c.set(jnp.full(rest_shape(c), fill, dtype=c.dtype))


def rename_recorded(component: Any, old: str, new: str) -> None:
    """Record a deprecated constructor keyword under its new name (so to_code() uses it)."""
    recorded = component.__dict__.get("_init_args")
    if recorded is not None and old in recorded:
        recorded[new] = recorded.pop(old)
