"""The lab's checks of counts and rates, and the one-line summary of a failed step.

``whole_number`` and ``positive_number`` check the numbers a user gives the lab (steps, steps
per frame, windows, rates) and name the setting in their ValueError; ``summarize`` turns an
exception raised inside a compiled chunk into a one-line message naming the failing component
and a short traceback (the Controls show both).

They live outside ``ngclab.lab`` so that the run loop (``ngclab.lab.runner``) imports nothing
from the widget package; ``ngclab.lab.runner`` re-exports them.
"""
from __future__ import annotations

import math
import numbers
import traceback
from typing import Any

import numpy as np

#: the most steps one compiled chunk may take (a scan's loop counter is an int32)
MAX_CHUNK = 2 ** 31 - 1


def whole_number(what: str, value: Any, low: int = 1, high: int | None = None) -> int:
    """``value`` as an int if it is a whole number in [low, high] (not a bool, NaN or inf)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or \
            not math.isfinite(value) or int(value) != value:
        raise ValueError(f"{what} must be a whole number, got {value!r}")
    if int(value) < low:
        raise ValueError(f"{what} must be at least {low}, got {int(value)}")
    if high is not None and int(value) > high:
        raise ValueError(f"{what} must be at most {high:,}, got {value!r}")
    return int(value)


def positive_number(what: str, value: Any) -> float:
    """``value`` as a float if it is a finite number > 0 within float32's range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or \
            not math.isfinite(value) or not 0 < value <= float(np.finfo(np.float32).max):
        raise ValueError(f"{what} must be a finite positive number, got {value!r}")
    return float(value)


def _is_sequence(vshape: tuple, shape: tuple) -> bool:
    """An array with one leading (time) axis more than the compartment (the core's rule; its
    batch axis may differ from the compartment's, as batch size follows the data)."""
    return len(vshape) == len(shape) + 1 and vshape[0] > 0


def summarize(err: BaseException, when: str) -> tuple[str, str]:
    """(one-line message naming the failing component, short traceback)."""
    from ngclab.core import Component
    where = ""
    tb = err.__traceback__
    while tb is not None:
        obj = tb.tb_frame.f_locals.get("self")
        if isinstance(obj, Component):
            where = (f" in component {obj.name!r} ({type(obj).__name__}."
                     f"{tb.tb_frame.f_code.co_name}, line {tb.tb_lineno})")
        tb = tb.tb_next
    frames = traceback.extract_tb(err.__traceback__)
    ours = [f for f in frames if "/jax/" not in f.filename and "/jaxlib/" not in f.filename]
    detail = "".join(traceback.format_list(ours[-6:])) + f"{type(err).__name__}: {err}"
    msg = (f"{type(err).__name__}{where} during {when}: {err}. The state is as it was "
           f"before those steps; fix the cause and press play again.")
    return msg, detail
