"""One component's compartments in one ``.npz`` file, as ngc-learn's ``save(dir)`` / ``load(dir)``.

``save_component`` writes ``<directory>/<name>.npz`` with one array per unwired compartment
(knobs and PRNG keys included), named by compartment. ``load_component`` reads such a file with
``allow_pickle=False``, checks every array against its compartment first (dtype cast without loss,
shape equal, or broadcastable as ngc-learn's scalar biases and masks are, a batched compartment
any batch size) and only then sets them, so a bad file changes nothing. Names the component does
not have are skipped (ngc-learn writes some bookkeeping ngclab keeps elsewhere).
"""
from __future__ import annotations

import os
import zipfile
from typing import Any

import jax.numpy as jnp
import numpy as np


class ComponentFileError(ValueError):
    """A component file that cannot be loaded (the component was not changed)."""


def component_file(directory: str, name: str) -> str:
    return os.path.join(os.fspath(directory), f"{name}.npz")


def save_component(comp: Any, directory: str) -> str:
    """Write the unwired compartments of ``comp`` to ``<directory>/<name>.npz``."""
    os.makedirs(directory, exist_ok=True)
    arrays = {n: np.asarray(c.get()) for n, c in comp.compartments.items()
              if not c.wired and getattr(c, "auto_save", True)}
    path = component_file(directory, comp.name)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        np.savez(f, **arrays)
    os.replace(tmp, path)
    return path


def read_arrays(path: str) -> dict[str, np.ndarray]:
    """Every array of an npz file, read without pickle; ComponentFileError if unreadable."""
    if not os.path.isfile(path):
        raise ComponentFileError(f"{path} does not exist")
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {k: np.asarray(npz[k]) for k in npz.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError) as err:
        raise ComponentFileError(f"{path} is not a readable npz file "
                                 f"({type(err).__name__}: {err})") from None
    except Exception as err:  # zlib and other decoders raise their own kinds
        raise ComponentFileError(f"{path} is not a readable npz file "
                                 f"({type(err).__name__}: {err})") from None


def fitted(comp: Any, cname: str, arr: np.ndarray, path: str) -> jnp.ndarray:
    """``arr`` as compartment ``cname`` of ``comp`` would hold it, or ComponentFileError."""
    c = comp.compartments[cname]
    have = tuple(c.shape)
    if arr.dtype.kind in "OUSV" or not np.can_cast(arr.dtype, c.dtype, casting="same_kind"):
        raise ComponentFileError(f"{path}: {cname} is {arr.dtype}, which cannot be cast "
                                 f"safely into {c.path} ({c.dtype})")
    value = jnp.asarray(arr, dtype=c.dtype)
    if tuple(arr.shape) == have:
        return value
    if c.batched and arr.ndim == len(have) and tuple(arr.shape[1:]) == have[1:]:
        return value
    try:
        if np.broadcast_shapes(arr.shape, have) == have:
            return jnp.broadcast_to(value, have)
    except ValueError:
        pass
    raise ComponentFileError(f"{path}: {cname} has shape {tuple(arr.shape)}, which does not fit "
                             f"{c.path} of shape {have}")


def load_component(comp: Any, directory: str) -> list[str]:
    """Set the compartments of ``comp`` from ``<directory>/<name>.npz``; returns the names set.

    Everything is checked before anything is set: a file that does not fit changes nothing.
    """
    path = component_file(directory, comp.name)
    arrays = read_arrays(path)
    new: dict[str, jnp.ndarray] = {}
    for cname, arr in arrays.items():
        c = comp.compartments.get(cname)
        if c is None or c.wired:
            continue
        if c.kind == "knob":
            if arr.shape != () or not np.issubdtype(arr.dtype, np.number) or \
                    np.iscomplexobj(arr):
                raise ComponentFileError(f"{path}: knob {cname} must be a real scalar, got "
                                         f"shape {arr.shape} {arr.dtype}")
            try:
                c.check(float(arr))
            except (TypeError, ValueError) as err:
                raise ComponentFileError(f"{path}: {err}") from None
        new[cname] = fitted(comp, cname, arr, path)
    ctx = comp.context
    resized = False
    for cname, value in new.items():
        c = comp.compartments[cname]
        resized |= tuple(ctx.state[c.path].shape) != tuple(value.shape)
        ctx.state[c.path] = value
    if resized:
        ctx.shapes_changed()
    return list(new)
