"""Argument checks shared by every component's constructor.

Each check returns the validated value or raises ValueError/TypeError with a message that names
the component (``RateCell 'z1'``) and the parameter, so a bad argument is reported where it was
given and nothing is half-built.
"""
from __future__ import annotations

import math
import numbers
from typing import Any, Iterable

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

