"""Compartments and knobs (operations that combine compartments live in ``operation``).

A compartment is a named slot in its Context's state: one flat dict of JAX arrays keyed by
compartment path (``"model/b:zF"``). ``get()`` reads the slot and ``set(v)`` writes it. While a
process is being traced the slot lives in the dict bound by the tracer (see ``store``), so the
same component code runs eagerly and compiled.

Wiring is aliasing (pull semantics): after ``src >> dst`` (or ``dst << src``) reading ``dst``
reads ``src`` at that moment of the step. A wired compartment cannot be set.

Batch size follows the data, as in ngc-learn: a *batched* compartment (an input, state or output
whose leading axis is the component's batch axis) takes values of any batch size; every other
axis, and every axis of a parameter or knob, is fixed.

A knob is a scalar hyperparameter that lives in the state, so changing it between steps (a
slider) never recompiles: ``b.tau_m.set(10.)``.
"""
from __future__ import annotations

import math
import warnings
from typing import Any

import jax.numpy as jnp
import numpy as np

from ngclab.core import store
from ngclab.core.operation import OPERATIONS, Operation, Product, Summation  # noqa: F401
from ngclab.core.source import WiringError, _describe, _Source, _val  # noqa: F401
from ngclab.core.state import State

#: Kinds of compartment. Only ``output`` compartments refuse to be wired into.
KINDS = ("input", "state", "output", "parameter", "knob")
_raw = dict.__getitem__     # a state's raw value: an array, or a Slot of a packed vector
_ARRAY = type(jnp.zeros(()))  # jax's concrete array type

#: The largest float32: a finite Python number beyond it becomes inf in the (float32) state.
FLOAT32_MAX = float(np.finfo(np.float32).max)


class Compartment(_Source):
    """A named slot in the model state.

    Args:
        value: the initial value (anything ``jnp.asarray`` takes); it fixes dtype and shape.
        kind: one of ``input``, ``state``, ``output``, ``parameter``, ``knob``; an ``output``
            compartment may feed wires but may not be wired into.
        display_name, units, plot_method: descriptive metadata, shown by the lab.
        auto_save: whether ngc-learn style per-component saves include it (ngc-learn's flag).
        batched: whether the leading axis is a batch axis that follows the data. By default it
            is for inputs, states and outputs of two or more axes whose leading axis is the
            component's ``batch_size``.
    """

    def __init__(self, value: Any = 0.0, kind: str = "state", display_name: str | None = None,
                 units: str | None = None, plot_method: str | None = None, fixed: bool = False,
                 auto_save: bool = True, batched: bool | None = None):
        if kind not in KINDS:
            raise ValueError(f"unknown compartment kind {kind!r}; valid kinds: {', '.join(KINDS)}")
        value = jnp.asarray(value)
        self.default = jnp.asarray(value, dtype=value.dtype)  # never weak-typed
        self.kind = kind
        self.display_name = display_name
        self.units = units
        self.plot_method = plot_method
        self.fixed = fixed
        self.auto_save = auto_save
        self._batched = batched
        self.owner: Any = None   # the Component, once bound
        self.name: str | None = None
        self.path: str | None = None
        self.source: _Source | None = None

    # -- identity ---------------------------------------------------------------------------
    def _bind(self, owner: Any, name: str) -> None:
        self.owner, self.name = owner, name
        self.path = f"{owner.path}:{name}"
        if self._batched is None:
            batch = getattr(owner, "batch_size", None)
            self._batched = self.kind in ("input", "state", "output") and self.default.ndim >= 2 \
                and (not isinstance(batch, int) or self.default.shape[0] == batch)

    @property
    def batched(self) -> bool:
        """Whether the leading axis is a batch axis (it takes the batch size of the data)."""
        return bool(self._batched)

    @property
    def context(self):
        return None if self.owner is None else self.owner.context

    @property
    def wired(self) -> bool:
        """True when a wire feeds this compartment (it reads its source)."""
        return self.source is not None

    @property
    def targeted(self) -> bool:
        """ngc-learn's name for :attr:`wired`."""
        return self.source is not None

    def describe(self) -> str:
        return self.path or "an unbound compartment"

    def __repr__(self) -> str:
        where = self.path or "unbound"
        return f"<{type(self).__name__} {where} {self.kind} shape={tuple(self.shape)}>"

    # -- reading and writing ----------------------------------------------------------------
    def _store(self) -> dict:
        owner = self.owner
        if owner is None:
            raise RuntimeError("this compartment is not part of a component yet")
        if owner._registered:
            return store.current(owner.context)
        return owner._pending            # inside the component's __init__

    def get(self) -> jnp.ndarray:
        """The current value (the source's value if this compartment is wired).

        A wire lets in a source that broadcasts to this compartment's shape (a (1, 1) value
        into (1, n)); reading gives it broadcast to that shape, the batch axis the source's.
        """
        if self.source is not None:
            value = self.source.get()
            got, own = jnp.shape(value), _raw(self._store(), self.path).shape
            if got != tuple(own):
                wanted = self._wired_shape(got, tuple(own))
                if wanted != got:
                    value = jnp.broadcast_to(value, wanted)
            return value
        owner = self.owner
        if owner is not None and owner._registered and not store.tracing():
            owner.context.fuser.read()          # the end of a call sequence (see fusion)
        return self._store()[self.path]

    def _wired_shape(self, got: tuple, own: tuple) -> tuple:
        """The shape a wired compartment reads for a source of shape ``got``: its own, with
        the source's batch axis when it is batched (a source that does not broadcast to
        that, such as one whose batch grew into an unbatched compartment, is read as it is)."""
        want = (got[0], *own[1:]) if self.batched and len(got) == len(own) else own
        try:
            return want if np.broadcast_shapes(got, want) == want else got
        except ValueError:
            return got

    @property
    def value(self) -> jnp.ndarray:
        return self.get()

    def _raw(self):
        """The stored value without slicing it out of a packed vector (shape and dtype only)."""
        return _raw(self._store(), self.path)

    @property
    def shape(self) -> tuple:
        if self.owner is None:
            return tuple(self.default.shape)
        own = tuple(self._raw().shape)
        if self.source is not None:
            got = tuple(jnp.shape(self.source.get()))
            return got if got == own else self._wired_shape(got, own)
        return own

    @property
    def dtype(self):
        if self.owner is None:
            return self.default.dtype
        return self._raw().dtype

    def set(self, value: Any) -> None:
        """Write a value of the compartment's shape (a batched compartment: any batch size;
        a value with fewer axes that broadcasts to the shape, such as ``(n,)`` into ``(1, n)``,
        is broadcast).

        The value is cast to the compartment's dtype where that loses no kind of information
        (float64 into float32 is fine; complex into float, or float into an integer key, is
        refused).
        """
        owner = self.owner
        if owner is None or not owner._registered or store.tracing() or self.source is not None:
            return self._set_now(value)
        with owner.context.lock:   # the state changes (another thread may be changing it)
            self._set_from_outside(value)

    def _set_from_outside(self, value: Any) -> None:
        """``set`` from outside compiled code: a call the Context's fuser may record."""
        ctx = self.owner.context
        fuser = ctx.fuser
        old = _raw(ctx._state, self.path)     # (its dtype and ndim: no call changes those)
        if type(value) is not _ARRAY or value.weak_type or value.dtype != old.dtype or \
                value.ndim != len(old.shape):
            fuser.spoil()
            return self._set_now(value)
        sig = (self, value.shape)
        if fuser.offer(sig):
            fuser.record((sig, value))
            if self.kind == "input":
                ctx.set_inputs.add(self.path)
            return
        self._set_now(value)
        fuser.done(sig)

    def _set_now(self, value: Any) -> None:
        if self.source is not None:
            raise WiringError(f"{self.path} is wired from {_describe(self.source)}; a wired "
                              f"compartment takes its value from the wire and cannot be set")
        slots = self._store()
        old = _raw(slots, self.path)
        new = self._cast(value, old.dtype)
        if new.shape != old.shape and new.ndim < len(old.shape) and \
                _broadcasts(new.shape, tuple(old.shape)):
            new = jnp.broadcast_to(new, old.shape)   # ngc-learn code sets (n,) into (1, n)
        if new.shape != old.shape:
            self._check_shape(new.shape, old.shape)
            if not store.tracing() and self.owner._registered:
                self.owner.context.shapes_changed((self.path, tuple(new.shape)))
        slots[self.path] = new
        if self.kind == "input" and type(slots) is State:   # set from outside compiled code
            self.owner.context.set_inputs.add(self.path)

    def _cast(self, value: Any, dtype) -> jnp.ndarray:
        # A concrete jax array that already has the slot's dtype is stored as is: jnp.asarray
        # costs ~15 us a call, which was most of a per-step `a.j.set(x); adv.run(...)` loop.
        # Casting to the slot's dtype (never weak-typed) keeps jit caches and scan carries stable.
        if type(value) is _ARRAY and value.dtype == dtype and not value.weak_type:
            return value          # (the concrete array type: never a tracer)
        src = getattr(value, "dtype", None)
        if src is None:
            try:
                src = np.asarray(value).dtype
            except (TypeError, ValueError) as err:
                raise TypeError(f"{self.path}: cannot set {value!r}: not a numeric array "
                                f"({err})") from None
        if not np.can_cast(src, dtype, casting="same_kind"):
            what = "not a numeric array" if not np.issubdtype(src, np.number) and \
                src != np.bool_ else f"a {np.dtype(src)} value cannot be cast safely"
            raise TypeError(f"{self.path}: cannot set a value of dtype {np.dtype(src)} into a "
                            f"{np.dtype(dtype)} compartment ({what}); convert it explicitly")
        try:
            return jnp.asarray(value, dtype=dtype)
        except (TypeError, ValueError) as err:
            raise TypeError(f"{self.path}: cannot set {value!r}: not a numeric array "
                            f"({err})") from None

    def _check_shape(self, new: tuple, old: tuple) -> None:
        if self.batched and len(new) == len(old) and new[1:] == old[1:]:
            return
        if self.batched:
            want = f"(batch, {', '.join(map(str, old[1:]))})"
            hint = f"; only the leading (batch) axis may differ: {want}"
        else:
            hint = "" if self.kind in ("parameter", "knob") or len(old) < 2 else \
                " (this compartment has no batch axis)"
        raise ValueError(f"{self.path}: cannot set a value of shape {tuple(new)} into a "
                         f"compartment of shape {tuple(old)}{hint}")

    def resize(self, value: Any) -> None:
        """Replace the value with one of any shape (outside compiled code; recompiles).

        The dtype stays the compartment's: the value is cast as ``set`` casts it (a value that
        cannot be cast safely is refused).
        """
        if self.owner is None:
            self.default = jnp.asarray(value)
            return
        if store.tracing():
            raise RuntimeError(f"{self.path}: shapes cannot change inside a compiled process")
        slots = self.owner.context.state if self.owner._registered else self.owner._pending
        old = _raw(slots, self.path)
        value = self._cast(value, old.dtype)
        if not self.owner._registered:
            self.owner._pending[self.path] = value
            return
        with self.owner.context.lock:
            self.owner.context.state[self.path] = value
            self.owner.context.shapes_changed()

    # -- wiring -------------------------------------------------------------------------------
    def wire_from(self, src: _Source) -> None:
        """Make this compartment read ``src`` (a Compartment or an operation)."""
        ctx = self.context
        if ctx is None:
            raise WiringError("cannot wire a compartment that is not part of a component")
        if self.kind == "output":
            raise WiringError(f"cannot wire into {self.path}: it is an output compartment of "
                              f"{self.owner.name}; wire it into an input instead")
        if self.kind == "knob":
            raise WiringError(f"cannot wire into knob {self.path}; set it with .set(value)")
        sources = src.sources() if isinstance(src, Operation) else [src]
        for s in sources:
            if not isinstance(s, Compartment):
                raise WiringError(f"cannot wire {s!r} into {self.path}: not a compartment")
            if s.context is not ctx:
                raise WiringError(f"cannot wire {s.path} into {self.path}: they belong to "
                                  f"different Contexts")
            if s is self:
                raise WiringError(f"cannot wire {self.path} into itself")
        try:
            src_shape = src.shape
        except ValueError:
            shapes = ", ".join(f"{_describe(c)} {tuple(c.shape)}" for c in src.operands)
            raise WiringError(f"cannot wire {_describe(src)} into {self.path}: the operands' "
                              f"shapes do not broadcast together ({shapes})") from None
        # against this compartment's own shape (not what it reads through an older wire), the
        # batch axis free when both ends are batched (a batch size that flows in from another
        # batched compartment); an unbatched source such as a weight matrix must broadcast
        slots = self._store()
        own = tuple(_raw(slots, self.path).shape)
        got = tuple(src_shape)
        both_batched = self.batched and all(s.batched for s in sources)
        mine, theirs = (own[1:], got[1:]) if both_batched and len(got) == len(own) else (own, got)
        try:
            fits = np.broadcast_shapes(theirs, mine) == mine
        except ValueError:
            fits = False
        if not fits:
            raise WiringError(f"cannot wire {_describe(src)} (shape {got}) into "
                              f"{self.path} (shape {own}): shapes do not match")
        if self.source is not None:
            warnings.warn(f"{self.path} was wired from {_describe(self.source)}; rewiring it "
                          f"from {_describe(src)} replaces that wire", stacklevel=3)
        self.source = src
        ctx.structure_changed()

    def unwire(self) -> None:
        """Remove the wire into this compartment (it keeps its own value again)."""
        if self.source is not None:
            self.source = None
            self.context.structure_changed()

    def __lshift__(self, src: _Source) -> "Compartment":
        self.wire_from(src)
        return self


class Knob(Compartment):
    """A tunable scalar hyperparameter kept in the state (so changing it never recompiles).

    Component code may use ``self.tau_m.get()`` or the knob directly in arithmetic
    (``dt / self.tau_m``), which reads its current value.

    Args:
        value: initial value.
        low, high: the valid range (inclusive); ``set`` refuses values outside it, NaN and inf.
        doc: one line shown next to the slider.
        slider: optional (min, max) range for the lab's slider; defaults from value and range.
    """

    def __init__(self, value: float, low: float | None = None, high: float | None = None,
                 doc: str = "", slider: tuple[float, float] | None = None):
        super().__init__(jnp.asarray(value, dtype=jnp.float32), kind="knob", batched=False)
        self.low, self.high, self.doc, self._slider = low, high, doc, slider
        self._check(float(value), where="initial value")

    def _check(self, v: float, where: str = "value") -> None:
        name = self.path or "knob"
        if not math.isfinite(v):
            raise ValueError(f"{name}: {where} must be finite, got {v}")
        if abs(v) > FLOAT32_MAX:   # the state is float32: it would become inf there
            raise ValueError(f"{name}: {where} {v} overflows float32 (|x| <= "
                             f"{FLOAT32_MAX:.4g})")
        if self.low is not None and v < self.low:
            raise ValueError(f"{name}: {where} {v} is below its lower bound {self.low}")
        if self.high is not None and v > self.high:
            raise ValueError(f"{name}: {where} {v} is above its upper bound {self.high}")

    def check(self, value: Any) -> float:
        """The value as a float if this knob accepts it; else the error ``set`` would raise."""
        if np.iscomplexobj(value):
            raise TypeError(f"{self.path}: a knob takes a real number, got {value!r}")
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"{self.path}: a knob takes a number, got {value!r}") from None
        if arr.shape != ():
            raise ValueError(f"{self.path}: a knob takes a scalar, got shape {arr.shape}")
        self._check(float(arr))
        return float(arr)

    def set(self, value: Any) -> None:
        if not store.tracing():
            self.check(value)
        super().set(value)

    def resize(self, value: Any) -> None:
        raise TypeError(f"{self.path}: a knob is a scalar and keeps its shape; use "
                        f"set(value) to change it")

    @property
    def slider_range(self) -> tuple[float, float]:
        if self._slider is not None:
            return self._slider
        v = float(self.default)
        lo = self.low if self.low is not None else min(0.0, -4 * abs(v))
        hi = self.high if self.high is not None else max(4 * abs(v), lo + 1.0)
        return (float(lo), float(hi))


def _broadcasts(small: tuple, shape: tuple) -> bool:
    try:
        return np.broadcast_shapes(small, shape) == shape
    except ValueError:
        return False
