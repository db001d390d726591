"""Saving, loading, snapshots: every state leaf round-trips exactly, and nothing is half-loaded.

On disk a model is a folder with ``state.npz`` (one array per state leaf, under neutral names
``leaf_0000``...) and ``manifest.json`` (format marker, ngclab version, Context name, each leaf's
path, shape and dtype, the graph and the editor layout). The manifest is also embedded in the npz
(as UTF-8 bytes), and the npz is written to a temporary file and renamed into place, so the npz
alone is always a complete save: a crash mid-save leaves the previous save intact. Arrays are
read with ``allow_pickle=False``; nothing is ever unpickled.

A load checks everything (format, leaves, shapes, dtypes) before it touches the model, so a load
that fails leaves the model as it was.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass

import jax.numpy as jnp
import numpy as np

from ngclab._version import __version__
from ngclab.core.state import State

FORMAT = "ngclab-state"
FORMAT_VERSION = 1
STATE_FILE, MANIFEST_FILE = "state.npz", "manifest.json"


class LoadError(ValueError):
    """A saved model that cannot be loaded into this Context (nothing was changed)."""


@dataclass(frozen=True)
class Snapshot:
    """An in-memory copy of a Context's state (JAX arrays are immutable: a dict copy suffices)."""

    context_name: str
    structure_version: int
    state: dict

    def __len__(self) -> int:
        return len(self.state)


def snapshot(ctx) -> Snapshot:
    return Snapshot(ctx.name, ctx.structure_version, State.of(ctx.state))


def restore(ctx, snap: Snapshot) -> None:
    if not isinstance(snap, Snapshot):
        raise TypeError(f"restore() takes a Snapshot from snapshot(), got {type(snap).__name__}")
    # the common case (a snapshot of this very model, same shapes) is checked without
    # formatting a dtype: str(dtype) costs microseconds per leaf, and the Lab restores a
    # snapshot every chunk
    state, saved = ctx.state, State.of(snap.state)
    if saved.keys() == state.keys() and saved.specs() == state.specs():
        _check_knobs(ctx, saved, f"snapshot of {snap.context_name!r}")
        ctx.state = saved
        return
    _check_leaves(ctx, {p: (tuple(v.shape), str(v.dtype)) for p, v in snap.state.items()},
                  what=f"snapshot of {snap.context_name!r}")
    _check_knobs(ctx, saved, f"snapshot of {snap.context_name!r}")
    ctx.state = {p: saved[p] for p in state}
    ctx.shapes_changed()


def _check_knobs(ctx, saved: State, what: str) -> None:
    """A knob takes from a snapshot only what its ``set`` would take (values the model holds
    now are not looked at again: a snapshot of this model passes without reading a value)."""
    for path, knob in ctx.knobs().items():
        value = saved.peek(path)
        if value is ctx.state.peek(path):
            continue
        try:
            knob.check(np.asarray(value))
        except (TypeError, ValueError) as err:
            raise LoadError(f"{what}: {err}") from None


def _leaf_specs(ctx) -> dict[str, tuple[tuple, str]]:
    return {p: (tuple(v.shape), str(v.dtype)) for p, v in ctx.state.items()}


def _fits(ctx, path: str, saved: tuple, mine: tuple) -> bool:
    """Shapes fit when equal, or, for a batched compartment, equal but for the batch axis."""
    if tuple(saved) == tuple(mine):
        return True
    comp = ctx.compartments.get(path)
    return comp is not None and comp.batched and len(saved) == len(mine) and \
        tuple(saved[1:]) == tuple(mine[1:])


def _check_leaves(ctx, specs: dict[str, tuple[tuple, str]], what: str) -> None:
    mine = _leaf_specs(ctx)
    missing = sorted(set(mine) - set(specs))
    extra = sorted(set(specs) - set(mine))
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"it lacks {', '.join(missing[:5])}" + (" ..." if len(missing) > 5 else ""))
        if extra:
            parts.append(f"it has {', '.join(extra[:5])} which this model does not"
                         + (" ..." if len(extra) > 5 else ""))
        raise LoadError(f"{what} does not match Context {ctx.name!r}: {'; '.join(parts)}")
    for p, (shape, dtype) in specs.items():
        if dtype != mine[p][1] or not _fits(ctx, p, tuple(shape), mine[p][0]):
            raise LoadError(f"{what} does not match Context {ctx.name!r}: {p} has shape "
                            f"{tuple(shape)} {dtype} there but {mine[p][0]} {mine[p][1]} here")


def _manifest(ctx, names: dict[str, str]) -> dict:
    return {
        "format": FORMAT, "format_version": FORMAT_VERSION, "ngclab_version": __version__,
        "context": ctx.name,
        "leaves": [{"path": p, "name": names[p], "shape": list(v.shape), "dtype": str(v.dtype)}
                   for p, v in ctx.state.items()],
        "layout": ctx.layout,
        "graph": ctx.graph(),
    }


def save(ctx, directory: str | os.PathLike) -> None:
    """Write the model's state to ``directory`` (created if needed)."""
    directory = os.fspath(directory)
    os.makedirs(directory, exist_ok=True)
    names = {p: f"leaf_{i:04d}" for i, p in enumerate(ctx.state)}
    manifest = _manifest(ctx, names)
    text = json.dumps(manifest, indent=1, default=str)
    arrays = {names[p]: np.asarray(v) for p, v in ctx.state.items()}
    arrays["__manifest__"] = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    _atomic_write(directory, STATE_FILE, lambda f: np.savez(f, **arrays))
    _atomic_write(directory, MANIFEST_FILE, lambda f: f.write(text.encode("utf-8")))


def _atomic_write(directory: str, name: str, write) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, os.path.join(directory, name))
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def read(directory: str | os.PathLike) -> tuple[dict, dict[str, np.ndarray]]:
    """Read and validate a save: (manifest, {path: array}); raises LoadError for anything off."""
    directory = os.fspath(directory)
    state_path = os.path.join(directory, STATE_FILE)
    if not os.path.isdir(directory):
        raise LoadError(f"{directory!r} is not a folder with a saved ngclab model")
    if not os.path.isfile(state_path):
        raise LoadError(f"{directory!r} has no {STATE_FILE}: not a saved ngclab model")
    try:
        with np.load(state_path, allow_pickle=False) as npz:
            data = {k: npz[k] for k in npz.files}
    except Exception as err:  # a damaged zip or array raises many kinds (zlib, zipfile, numpy)
        raise LoadError(f"{state_path} is not a readable npz file "
                        f"({type(err).__name__}: {err})") from None
    if "__manifest__" not in data:
        raise LoadError(f"{state_path} is not an ngclab save (it has no embedded manifest)")
    try:
        manifest = json.loads(bytes(data.pop("__manifest__")).decode("utf-8"))
    except (ValueError, UnicodeDecodeError, TypeError, RecursionError) as err:
        raise LoadError(f"{state_path}: its embedded manifest is not valid JSON ({err})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise LoadError(f"{state_path} is not an ngclab save (format marker missing)")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise LoadError(f"{state_path}: save format version {manifest.get('format_version')} "
                        f"is not supported (this ngclab reads version {FORMAT_VERSION})")
    side = os.path.join(directory, MANIFEST_FILE)
    if os.path.isfile(side):
        try:
            with open(side, encoding="utf-8") as f:
                side_manifest = json.load(f)
        except (ValueError, UnicodeDecodeError, OSError, RecursionError) as err:
            raise LoadError(f"{side} is not valid JSON ({err})") from None
        if not isinstance(side_manifest, dict) or \
                side_manifest.get("leaves") != manifest.get("leaves"):
            raise LoadError(f"{side} does not match {state_path}: the manifest lists other "
                            f"leaves than the saved arrays")
    leaves = manifest.get("leaves")
    if not isinstance(leaves, list) or not all(
            isinstance(leaf, dict) and isinstance(leaf.get("path"), str)
            and isinstance(leaf.get("name"), str) and isinstance(leaf.get("shape"), list)
            and isinstance(leaf.get("dtype"), str) for leaf in leaves):
        raise LoadError(f"{state_path}: its manifest's leaf list is malformed")
    arrays: dict[str, np.ndarray] = {}
    for leaf in leaves:
        if leaf["name"] not in data:
            raise LoadError(f"{state_path} lacks the array for {leaf['path']} (truncated save?)")
        arr = data[leaf["name"]]
        if list(arr.shape) != leaf["shape"] or str(arr.dtype) != leaf["dtype"]:
            raise LoadError(f"{state_path}: {leaf['path']} is {arr.shape} {arr.dtype} but the "
                            f"manifest says {tuple(leaf['shape'])} {leaf['dtype']}")
        arrays[leaf["path"]] = arr
    return manifest, arrays


def load(ctx, directory: str | os.PathLike) -> None:
    """Replace the model's state with a save; checks everything first, changes nothing on error."""
    manifest, arrays = read(directory)
    if manifest.get("context") != ctx.name:
        raise LoadError(f"{os.fspath(directory)!r} holds Context {manifest.get('context')!r}, "
                        f"not {ctx.name!r}")
    _check_leaves(ctx, {p: (tuple(a.shape), str(a.dtype)) for p, a in arrays.items()},
                  what=f"the save in {os.fspath(directory)!r}")
    for path, knob in ctx.knobs().items():   # a knob takes only what its set() would take
        try:
            knob.check(arrays[path])
        except (TypeError, ValueError) as err:
            raise LoadError(f"{os.path.join(os.fspath(directory), STATE_FILE)}: {err}") from None
    layout = manifest.get("layout") or {}
    if not isinstance(layout, dict):
        raise LoadError(f"{os.fspath(directory)!r}: its manifest's layout is not a JSON object")
    resized = any(tuple(arrays[p].shape) != tuple(v.shape) for p, v in ctx.state.items())
    ctx.state = {p: jnp.asarray(arrays[p]) for p in ctx.state}
    ctx.layout = dict(layout)
    if resized:
        ctx.shapes_changed()
