"""Recording a notebook's key results so tools can read them back from the executed notebook.

Inside a notebook, ``ngclab.record("final_error", err)`` displays an output with the MIME type
``application/vnd.ngclab.record+json`` (holding ``{"name": ..., "value": ...}``) and a
``text/plain`` fallback, so the value travels with the executed ``.ipynb`` (as papermill writes
it). ``read_records(path)`` collects them again: the regression suite compares them with golden
values. Outside IPython the value is only kept in :data:`RECORDS`.

Values are made JSON-friendly: JAX/NumPy scalars become Python numbers, arrays become (nested)
lists, tuples become lists. Anything else must already be JSON-serialisable.
"""
from __future__ import annotations

import json
import math
import numbers
from pathlib import Path
from typing import Any

#: MIME type of a recorded value in a notebook output.
MIME = "application/vnd.ngclab.record+json"

#: Values recorded in this process (name -> value), also outside IPython.
RECORDS: dict[str, Any] = {}


def _jsonable(value: Any, name: str) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        v = float(value)
        if not math.isfinite(v):
            return repr(v)  # "nan" / "inf": JSON has no literal for them
        return v
    if isinstance(value, dict):
        return {str(k): _jsonable(v, name) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v, name) for v in value]
    if hasattr(value, "__array__") or hasattr(value, "tolist"):
        import numpy as np
        arr = np.asarray(value)
        if arr.dtype.kind in "biuf":
            return _jsonable(arr.item() if arr.ndim == 0 else arr.tolist(), name)
        if arr.dtype.kind == "b":
            return _jsonable(arr.tolist(), name)
    raise TypeError(f"ngclab.record({name!r}): cannot record a value of type "
                    f"{type(value).__name__}; record numbers, strings, lists, dicts or arrays")


def record(name: str, value: Any) -> Any:
    """Record ``value`` under ``name`` in the executing notebook; returns the stored value."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"ngclab.record: the name must be a non-empty string, got {name!r}")
    stored = _jsonable(value, name)
    RECORDS[name] = stored
    try:
        from IPython import get_ipython
        shell = get_ipython()
    except ImportError:  # pragma: no cover - IPython is a dependency of jupyterlab
        shell = None
    if shell is not None:
        from IPython.display import display
        text = json.dumps(stored)
        if len(text) > 200:
            text = text[:197] + "..."
        display({MIME: {"name": name, "value": stored},
                 "text/plain": f"recorded {name} = {text}"}, raw=True)
    return stored


def records_from_notebook(nb: Any) -> dict[str, Any]:
    """The recorded values of a notebook object (nbformat or plain dict), in order; the last
    record of a name wins."""
    out: dict[str, Any] = {}
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) or []:
            data = output.get("data") or {}
            rec = data.get(MIME)
            if rec is None:
                continue
            if isinstance(rec, str):  # some writers store JSON payloads as text
                rec = json.loads(rec)
            out[rec["name"]] = rec["value"]
    return out


def read_records(notebook_path: str | Path) -> dict[str, Any]:
    """The values recorded with :func:`record` in an executed notebook file."""
    path = Path(notebook_path)
    if not path.is_file():
        raise FileNotFoundError(f"read_records: no notebook at {path}")
    with open(path, encoding="utf-8") as fh:
        nb = json.load(fh)
    return records_from_notebook(nb)
