"""Activation functions by name for the cells (``act_fx="tanh"``), with a constructor error that
names the cell and lists the valid names."""
from __future__ import annotations

from ngclab.utils.model_utils import FUNCTION_NAMES, UnknownFunctionError, create_function


def make_activation(who: str, act_fx, omega_0=None):
    """(f, f') from ``create_function``; ValueError naming the cell for an unknown name."""
    try:
        if not isinstance(act_fx, str):  # (a list would fail unhashable in the name lookup)
            raise UnknownFunctionError(act_fx)
        return create_function(act_fx, omega_0 if act_fx == "sine" else None)
    except UnknownFunctionError:
        raise ValueError(f"{who}: unknown act_fx {act_fx!r}; valid: "
                         f"{', '.join(FUNCTION_NAMES)}") from None
