"""File and directory utilities, and pickle-free (de)serialisation of plain data and arrays.

``serialize(fname, obj)`` accepts nested ``dict`` / ``list`` / ``tuple`` containers whose leaves
are None, bool, int, float, str, numpy or JAX arrays, or numpy scalars. It never uses pickle, so
loading a file cannot run code:

* without arrays, the file is JSON: ``{"__ngclab__": "serialize", "version": 1, "data": ...}``;
* with arrays, the file is an ``.npz`` archive (written with numpy, read with
  ``allow_pickle=False``) holding the arrays as ``a0, a1, ...`` plus a ``__ngclab__`` entry: the
  same JSON header, whose ``data`` refers to the arrays by name.

Containers are tagged so they come back as they went in: tuples as ``{"__tuple__": [...]}``,
dicts as ``{"__dict__": [[key, value], ...]}`` (keys may be str, int, float, bool, None or tuples
of these), arrays as ``{"__array__": "a3", "jax": bool}`` (JAX arrays come back as JAX arrays).
``deserialize`` of any file without that header raises a ValueError naming the file.
Note: the archive is written to exactly ``fname`` (numpy's automatic ``.npz`` suffix is avoided).

``save_pkl(directory, name, value)`` / ``load_pkl(directory, name)`` keep ngc-learn 3.2.3's
names and its file name ``<directory>/<name>.pkl``, but the file is written by ``serialize``
(not a pickle): ngclab never unpickles, so ``load_pkl`` of a real pickle raises a ValueError
naming the file.
"""
from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Iterable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

MAGIC = "serialize"
VERSION = 1


def makedir(directory: str) -> None:
    """Create ``directory`` and any missing parents (no error if it exists)."""
    os.makedirs(directory, exist_ok=True)


def makedirs(directories: Iterable[str]) -> None:
    """``makedir`` for each directory of ``directories``."""
    for d in directories:
        makedir(d)


def _encode(obj: Any, arrays: list[np.ndarray]) -> Any:
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, (np.ndarray, jax.Array, np.generic)):
        arr = np.asarray(obj)
        if arr.dtype == object:
            raise TypeError("cannot serialize an object-dtype array without pickle")
        arrays.append(arr)
        return {"__array__": f"a{len(arrays) - 1}", "jax": isinstance(obj, jax.Array),
                "scalar": isinstance(obj, np.generic)}
    if isinstance(obj, list):
        return [_encode(v, arrays) for v in obj]
    if isinstance(obj, tuple):
        return {"__tuple__": [_encode(v, arrays) for v in obj]}
    if isinstance(obj, dict):
        return {"__dict__": [[_encode_key(k), _encode(v, arrays)] for k, v in obj.items()]}
    raise TypeError(f"serialize() cannot store an object of type {type(obj).__name__}; "
                    "supported: dict, list, tuple, None, bool, int, float, str, arrays")


def _encode_key(k: Any) -> Any:
    if k is None or isinstance(k, (bool, int, float, str)):
        return k
    if isinstance(k, tuple):
        return {"__tuple__": [_encode_key(v) for v in k]}
    raise TypeError(f"serialize() cannot store a dict key of type {type(k).__name__}")


def _decode(obj: Any, arrays: Any) -> Any:
    if isinstance(obj, list):
        return [_decode(v, arrays) for v in obj]
    if isinstance(obj, dict):
        if "__array__" in obj:
            arr = np.asarray(arrays[obj["__array__"]])
            if obj.get("scalar"):
                return arr[()]
            return jnp.asarray(arr) if obj.get("jax") else arr
        if "__tuple__" in obj:
            return tuple(_decode(v, arrays) for v in obj["__tuple__"])
        if "__dict__" in obj:
            return {_decode_key(k): _decode(v, arrays) for k, v in obj["__dict__"]}
    return obj


def _decode_key(k: Any) -> Any:
    if isinstance(k, dict) and "__tuple__" in k:
        return tuple(_decode_key(v) for v in k["__tuple__"])
    return k


def serialize(fname: str, obj: Any) -> None:
    """Save ``obj`` (see module docstring for what it may contain) to the file ``fname``."""
    arrays: list[np.ndarray] = []
    header = {"__ngclab__": MAGIC, "version": VERSION, "data": _encode(obj, arrays)}
    text = json.dumps(header)
    if not arrays:
        with open(fname, "w", encoding="utf-8") as fd:
            fd.write(text)
        return
    buf = io.BytesIO()
    np.savez(buf, __ngclab__=np.asarray(text), **{f"a{i}": a for i, a in enumerate(arrays)})
    with open(fname, "wb") as fd:
        fd.write(buf.getvalue())


def deserialize(fname: str) -> Any:
    """Load an object saved by :func:`serialize`.

    Raises:
        FileNotFoundError: if ``fname`` does not exist
        ValueError: if ``fname`` is not a file written by ngclab's ``serialize``
    """
    not_ours = ValueError(f"{fname!r} is not an ngclab serialized file (no ngclab header); "
                          "refusing to load it")
    if zipfile.is_zipfile(fname):
        try:
            with np.load(fname, allow_pickle=False) as npz:
                if "__ngclab__" not in npz.files:
                    raise not_ours
                header = json.loads(str(npz["__ngclab__"]))
                arrays = {k: npz[k] for k in npz.files if k != "__ngclab__"}
        except (ValueError, OSError, json.JSONDecodeError) as exc:
            raise not_ours from exc
    else:
        try:
            with open(fname, encoding="utf-8") as fd:
                header = json.load(fd)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise not_ours from exc
        arrays = {}
    if not isinstance(header, dict) or header.get("__ngclab__") != MAGIC:
        raise not_ours
    if header.get("version") != VERSION:
        raise ValueError(f"{fname!r} was written by serialize version {header.get('version')}; "
                         f"this ngclab reads version {VERSION}")
    return _decode(header.get("data"), arrays)


def _pkl_path(directory: str, name: str) -> str:
    return os.path.join(directory, f"{name}.pkl")


def save_pkl(directory: str, name: str, value: Any) -> None:
    """Save ``value`` (what ``serialize`` accepts) to ``<directory>/<name>.pkl``."""
    serialize(_pkl_path(directory, name), value)


def load_pkl(directory: str, name: str) -> Any:
    """Load the value ``save_pkl(directory, name, ...)`` saved."""
    return deserialize(_pkl_path(directory, name))


__all__ = ["makedir", "makedirs", "serialize", "deserialize", "save_pkl", "load_pkl"]
