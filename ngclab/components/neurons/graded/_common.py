"""Small helpers shared by the graded cells (argument checks, layer shapes, batch resizing)."""
from __future__ import annotations

import math
import numbers
from typing import Any, Iterable

import jax.numpy as jnp
import numpy as np

#: the smallest time constant / resistance / scale a knob accepts (0 would divide by zero)
POSITIVE_MIN = 1e-6
FLOAT32_MAX = float(np.finfo(np.float32).max)


def owner(cls: type, name: Any) -> str:
    """How errors name a component: ``RateCell 'z1'``."""
    return f"{cls.__name__} {name!r}"


def check_kwargs(who: str, kwargs: dict, allowed: Iterable[str] = ("key",)) -> None:
    """Refuse keyword arguments a constructor does not know (typos would pass silently)."""
    extra = sorted(set(kwargs) - set(allowed))
    if extra:
        raise TypeError(f"{who}: unexpected keyword argument(s) {extra}")


def check_number(who: str, pname: str, value: Any, low: float | None = None,
                 strict: bool = False) -> float:
    """A finite real number (optionally >= low, or > low when strict)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or \
            not math.isfinite(float(value)):
        raise TypeError(f"{who}: {pname} must be a finite number, got {value!r}")
    v = float(value)
    if abs(v) > FLOAT32_MAX:  # state is float32: it would silently become inf
        raise ValueError(f"{who}: {pname} = {v} does not fit in float32 "
                         f"(|x| <= {FLOAT32_MAX:.3g})")
    if low is not None and (v <= low if strict else v < low):
        raise ValueError(f"{who}: {pname} must be {'>' if strict else '>='} {low}, got {v}")
    return v


def check_positive(who: str, pname: str, value: Any) -> float:
    """A time constant, resistance or scale: a finite number >= POSITIVE_MIN (the lower bound of
    its knob, so the constructor and the knob agree)."""
    return check_number(who, pname, value, low=POSITIVE_MIN)


def check_count(who: str, pname: str, value: Any) -> int:
    """A positive integer (n_units, batch_size)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"{who}: {pname} must be a positive integer, got {value!r}")
    return int(value)


def check_flag(who: str, pname: str, value: Any) -> bool:
    """True or False (a truthy string such as "no" would otherwise pass silently)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{who}: {pname} must be True or False, got {value!r}")
    return bool(value)


def check_choice(who: str, pname: str, value: Any, valid: Iterable[str]) -> str:
    """One of the ``valid`` names (the message lists them)."""
    valid = tuple(valid)
    if not isinstance(value, str) or value not in valid:
        raise ValueError(f"{who}: unknown {pname} {value!r}; valid: {', '.join(valid)}")
    return value


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


def reset_compartments(zeros: Iterable[Any], ones: Iterable[Any] = ()) -> None:
    """Set each unwired compartment to zeros / ones of its own shape."""
    for group, fill in ((zeros, 0.), (ones, 1.)):
        for c in group:
            if not c.targeted:
                c.set(jnp.full(c.shape, fill))


def rename_recorded(component: Any, old: str, new: str) -> None:
    """Record a deprecated constructor keyword under its new name (so to_code() uses it)."""
    recorded = component.__dict__.get("_init_args")
    if recorded is not None and old in recorded:
        recorded[new] = recorded.pop(old)
