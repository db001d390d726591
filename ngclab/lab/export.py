"""Writing what the lab recorded: tables as CSV or NPZ, an xarray Dataset, figures as PNG/SVG.

A *series* is one recorded compartment (or a value derived from it) over steps:
``{"name": path, "values": (steps, cells) array, "labels": cell indices, "attrs": {...}}``.
Tables join the series of several panels on their step numbers (a cell missing at a step is
NaN in CSV). xarray is optional: ``to_dataset`` says how to get it when it is not installed.
"""
from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np

TABLES = ("csv", "npz")
FIGURES = ("png", "svg")
MIME = {"csv": "text/csv", "npz": "application/zip", "png": "image/png", "svg": "image/svg+xml"}


def format_of(path: str | Path, allowed: tuple[str, ...], who: str) -> str:
    """The format a file name asks for (its suffix), refused unless in ``allowed``."""
    fmt = Path(path).suffix.lower().lstrip(".") if "." in str(path) else str(path).lower()
    if fmt not in allowed:
        raise ValueError(f"{who}: cannot write {str(path)!r}; the file name must end in "
                         f"{', '.join('.' + f for f in allowed)}")
    return fmt


def join_steps(tables: list[tuple[np.ndarray, list[dict]]]) -> tuple[np.ndarray, list[dict]]:
    """Series of several tables on the union of their steps (NaN where a table has none)."""
    if len(tables) == 1:
        return tables[0]
    steps = np.unique(np.concatenate([s for s, _ in tables])) if tables else np.zeros(0, int)
    out = []
    for s, series in tables:
        rows = np.searchsorted(steps, s)
        for one in series:
            v = np.asarray(one["values"], dtype=np.float32)
            full = np.full((len(steps), *v.shape[1:]), np.nan, dtype=np.float32)
            full[rows] = v
            out.append({**one, "values": full})
    return steps, out


def table_bytes(fmt: str, steps: np.ndarray, times: np.ndarray, series: list[dict],
                attrs: dict | None = None) -> bytes:
    """CSV (one row per step: step, t, then one column per cell) or NPZ (``step``, ``t`` and
    one array per series, with the attributes as JSON in ``attrs``)."""
    times = np.asarray(times, dtype=np.float64)
    if fmt == "npz":
        buf = io.BytesIO()
        arrays = {"step": np.asarray(steps), "t": times}
        meta = {**(attrs or {}), "series": {}}
        for one in series:
            arrays[one["name"]] = np.asarray(one["values"])
            meta["series"][one["name"]] = {**one["attrs"], "cells": _jsonable(one["labels"])}
        arrays["attrs"] = np.asarray(json.dumps(meta))
        np.savez_compressed(buf, **arrays)
        return buf.getvalue()
    header = ["step", "t"]
    cols = [np.asarray(steps)[:, None].astype(np.float64), times[:, None]]
    for one in series:
        v = np.asarray(one["values"], dtype=np.float64).reshape(len(steps), -1)
        labels = one["labels"] if one["labels"] is not None else range(v.shape[1])
        header += [f"{one['name']}[{lab}]" for lab in labels]
        cols.append(v)
    buf = io.StringIO()
    buf.write(",".join(_csv_field(h) for h in header) + "\n")
    np.savetxt(buf, np.hstack(cols), delimiter=",", fmt="%.10g")   # float32 values exactly
    return buf.getvalue().encode()


def image_bytes(fmt: str, series: list[dict]) -> bytes:
    """A value now (weights, filters): NPZ of the arrays, or CSV of a matrix (rows as rows)."""
    if fmt == "npz":
        buf = io.BytesIO()
        np.savez_compressed(buf, **{s["name"]: np.asarray(s["values"]) for s in series},
                            attrs=np.asarray(json.dumps({s["name"]: s["attrs"] for s in series})))
        return buf.getvalue()
    (one,) = series
    v = np.asarray(one["values"], dtype=np.float64)
    v = v.reshape(v.shape[0], -1) if v.ndim != 1 else v[None]
    buf = io.StringIO()
    np.savetxt(buf, v, delimiter=",", fmt="%.10g")
    return buf.getvalue().encode()


def to_dataset(steps: np.ndarray, times: np.ndarray, series: list[dict],
               attrs: dict | None = None):
    """An ``xarray.Dataset``: a ``time`` coordinate (with ``step`` beside it), one variable per
    series (named after the compartment inside its context) with its path, units and kind as
    attributes, and a cell-index coordinate per variable."""
    try:
        import xarray as xr
    except ImportError:
        raise ImportError("exporting to an xarray Dataset needs xarray, which ngclab does not "
                          "install (pip install xarray); CSV and NPZ files need nothing more: "
                          "export('run.csv') or export('run.npz')") from None
    times = np.asarray(times, dtype=np.float64)
    data = {}
    coords = {"time": ("time", times), "step": ("time", np.asarray(steps))}
    for one in series:
        name = one["name"].split("/", 1)[-1]
        values = np.asarray(one["values"])
        dims = ["time"] + [f"{name}_{i}" if values.ndim > 2 else f"{name}_cell"
                           for i in range(values.ndim - 1)]
        if values.ndim == 2 and one["labels"] is not None:
            coords[dims[1]] = (dims[1], np.asarray(one["labels"]))
        data[name] = (dims, values, dict(one["attrs"]))
    return xr.Dataset(data, coords=coords, attrs=dict(attrs or {}))


def figure_bytes(fig, fmt: str) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt)
    return buf.getvalue()


def write(path: str | Path, data: bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _csv_field(text: str) -> str:
    return f'"{text}"' if any(ch in text for ch in ',"\n') else text


def _jsonable(labels):
    return None if labels is None else [int(u) if isinstance(u, (int, np.integer)) else str(u)
                                        for u in labels]
