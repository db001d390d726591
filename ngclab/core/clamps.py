"""Clamps and recordings: what a scan holds fixed at every step, and what it gives back.

A clamp sets a compartment at the start of every step to a constant, a sequence (one value per
step), a function of ``t`` (traced into the program) or a knob's value. Batch size follows the
data: a constant or sequence may carry another batch size than the compartment has (an array of
the compartment's number of axes is a constant, one more axis is a sequence).

A recording returns a compartment's value after each step (``record=[b.zF]``), or a reduction
over the steps that keeps memory independent of their number (``record={b.s: "mean"}``: one of
``REDUCTIONS``), or a function of each step's value (``record={b.s: lambda s: s.sum(-1)}``).
"""
from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ngclab.core.compartment import Compartment, Knob

REDUCTIONS = ("mean", "sum", "max", "min", "last")


class Clamp:
    """One clamped compartment: ``mode`` is const, seq (leading time axis), fn (of t) or knob."""

    def __init__(self, target: Compartment, value: Any, steps: int):
        self.target, self.path = target, target.path
        if target.wired:
            raise ValueError(f"cannot clamp {target.path}: it is wired from "
                             f"{target.source!r}; clamp the source instead")
        if isinstance(value, Knob):
            if value.context is not target.context:
                raise ValueError(f"clamp for {target.path}: knob {value.path or repr(value)} "
                                 f"belongs to another Context; clamp it with a knob of "
                                 f"{target.context.name!r}")
            if not np.can_cast(np.float32, target.dtype, casting="same_kind"):
                raise TypeError(f"clamp for {target.path}: a knob (float32) cannot be cast "
                                f"safely into this {target.dtype} compartment")
            self.mode, self.value = "knob", value
            return
        if callable(value):
            self.mode, self.value = "fn", value
            return
        try:
            arr = value if isinstance(value, jax.Array) else jnp.asarray(value)
        except (TypeError, ValueError) as err:
            raise ValueError(f"clamp for {target.path}: {value!r} is not a numeric array "
                             f"({err})") from None
        shape = tuple(target.shape)
        got = tuple(arr.shape)
        if _fits(target, got, shape):
            self.mode = "const"
        elif len(got) == len(shape) + 1 and got[0] == steps and _fits(target, got[1:], shape):
            self.mode = "seq"
        else:
            batch = "; the leading (batch) axis may differ" if target.batched else ""
            raise ValueError(f"clamp for {target.path}: got shape {got}, expected {shape} (a "
                             f"constant) or {(steps, *shape)} (one value per step for "
                             f"{steps} steps){batch}")
        if not np.can_cast(arr.dtype, target.dtype, casting="same_kind"):
            raise TypeError(f"clamp for {target.path}: a {arr.dtype} value cannot be cast "
                            f"safely into this {target.dtype} compartment")
        self.value = arr if arr.dtype == target.dtype else arr.astype(target.dtype)

    def key(self) -> tuple:
        if self.mode in ("const", "seq"):
            return (self.path, self.mode, self.value.shape, self.value.dtype)
        if self.mode == "knob":
            return (self.path, "knob", self.value.path)
        return (self.path, "fn", id(self.value))

    def at(self, slots: dict, t, seqs: dict, consts: dict):
        """The clamped value at one step (inside the program)."""
        if self.mode == "const":
            v = consts[self.path]
        elif self.mode == "seq":
            v = seqs[self.path]
        elif self.mode == "knob":
            v = slots[self.value.path]
        else:
            v = self.value(t)
        old = slots[self.path]
        if self.mode == "fn":   # (checked while tracing: shapes and dtypes are static)
            self._check_result(v, old)
        v = jnp.asarray(v, dtype=old.dtype)
        if self.target.batched and v.ndim == old.ndim and v.shape[1:] == old.shape[1:]:
            return v            # the data's batch size
        return jnp.broadcast_to(v, old.shape)


    def _check_result(self, v, old) -> None:
        """A function clamp's value must fit the compartment as a constant clamp must."""
        try:
            dtype = jnp.result_type(v)
        except TypeError:
            raise TypeError(f"clamp for {self.path}: the function returned {v!r}, which is "
                            f"not a numeric array") from None
        if not np.can_cast(dtype, old.dtype, casting="same_kind"):
            raise TypeError(f"clamp for {self.path}: the function returned a {dtype} value, "
                            f"which cannot be cast safely into this {old.dtype} compartment")
        got = tuple(jnp.shape(v))
        if not _fits(self.target, got, tuple(old.shape)):
            try:
                broadcasts = np.broadcast_shapes(got, tuple(old.shape)) == tuple(old.shape)
            except ValueError:
                broadcasts = False
            if not broadcasts:
                raise ValueError(f"clamp for {self.path}: the function returned shape {got}, "
                                 f"which does not fit the compartment's {tuple(old.shape)}")


def _fits(target: Compartment, got: tuple, shape: tuple) -> bool:
    if tuple(got) == tuple(shape):
        return True
    return target.batched and len(got) == len(shape) and tuple(got[1:]) == tuple(shape[1:])


class Recording:
    """One recorded compartment and how: ``None`` (every step), a reduction name, a function."""

    def __init__(self, target: Compartment, how: Any = None):
        if how is not None and not callable(how) and how not in REDUCTIONS:
            raise ValueError(f"record {target.path}: unknown reduction {how!r}; valid: "
                             f"{', '.join(REDUCTIONS)}, a function of the value, or None")
        self.target, self.path, self.how = target, target.path, how

    @property
    def reduces(self) -> bool:
        return isinstance(self.how, str)

    def key(self) -> tuple:
        return (self.path, self.how if not callable(self.how) else ("fn", id(self.how)))

    def value(self, v):
        """The per-step value recorded (a function's result, or the value)."""
        return self.how(v) if callable(self.how) else v


def recordings(ctx, record: Any) -> list[Recording]:
    """``record`` as a list of Recordings: a list of compartments, or ``{compartment: how}``."""
    if isinstance(record, dict):
        return [Recording(ctx.compartment(c), how) for c, how in record.items()]
    return [Recording(ctx.compartment(c)) for c in record]


def combine(how: str, acc, value, i):
    """Fold one step's value into a reduction's accumulator (``i`` counts from 0)."""
    if how in ("sum", "mean"):
        return acc + value
    if how == "max":
        return jnp.maximum(acc, value)
    if how == "min":
        return jnp.minimum(acc, value)
    return value   # last


def start(how: str, value):
    """A reduction's accumulator before any step, shaped like one step's value."""
    if how == "max":
        return jnp.full(value.shape, -jnp.inf, value.dtype) if \
            jnp.issubdtype(value.dtype, jnp.floating) else jnp.full(value.shape,
                                                                    jnp.iinfo(value.dtype).min)
    if how == "min":
        return jnp.full(value.shape, jnp.inf, value.dtype) if \
            jnp.issubdtype(value.dtype, jnp.floating) else jnp.full(value.shape,
                                                                    jnp.iinfo(value.dtype).max)
    return jnp.zeros(value.shape, value.dtype)


def merge_chunks(how: str, parts: list, counts: list) -> np.ndarray:
    """Reduce per-chunk results (each already reduced over its chunk) into one."""
    if how == "sum":
        return np.sum(parts, axis=0)
    if how == "mean":
        return np.sum([p * c for p, c in zip(parts, counts)], axis=0) / float(sum(counts))
    if how == "max":
        return np.max(parts, axis=0)
    if how == "min":
        return np.min(parts, axis=0)
    return parts[-1]

