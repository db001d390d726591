"""Comparing a notebook's recorded values with its golden values (``ngclab regress``).

A golden value is ``{"value": v, "atol": a, "rtol": r}``; a recorded number ``x`` matches when
every element satisfies ``|x - v| <= a + r * |v|`` and the shapes agree; strings, booleans and
``None`` must be equal. ``compare_records`` turns one notebook's records into table rows (missing
values and values without a golden fail), ``print_table`` prints them.
"""
from __future__ import annotations

import json
import math
import sys
from typing import Any

import numpy as np

#: tolerances given to a value that has no golden yet (``--update`` keeps existing ones).
DEFAULT_ATOL, DEFAULT_RTOL = 1e-4, 1e-3


def format_value(v: Any) -> str:
    text = json.dumps(v) if not isinstance(v, float) else f"{v:.6g}"
    return text if len(text) <= 28 else text[:25] + "..."


# -- comparing ---------------------------------------------------------------------------------
def compare_value(got: Any, golden: Any, atol: float, rtol: float) -> tuple[bool, float | None]:
    """(ok, max absolute difference or None for non-numbers)."""
    if isinstance(golden, bool) or isinstance(golden, str) or golden is None:
        return got == golden, None
    try:
        a = np.asarray(got, dtype=np.float64)
        b = np.asarray(golden, dtype=np.float64)
    except (TypeError, ValueError):
        return got == golden, None
    if a.shape != b.shape:
        return False, math.inf
    if a.size == 0:
        return True, 0.0
    diff = float(np.max(np.abs(a - b)))
    ok = bool(np.all(np.abs(a - b) <= atol + rtol * np.abs(b)))
    return ok, diff


def compare_records(notebook: str, records: dict, spec: dict) -> list[dict]:
    """Rows (notebook, value, golden, got, diff, tolerance, ok, message) for one notebook."""
    rows = []
    values = spec.get("values", {})
    for name, g in values.items():
        row = {"notebook": notebook, "value": name, "golden": g["value"],
               "atol": g.get("atol", DEFAULT_ATOL), "rtol": g.get("rtol", DEFAULT_RTOL)}
        if name not in records:
            row.update(got=None, diff=None, ok=False, message="not recorded")
        else:
            ok, diff = compare_value(records[name], g["value"], row["atol"], row["rtol"])
            row.update(got=records[name], diff=diff, ok=ok, message="" if ok else "differs")
        rows.append(row)
    for name in records:
        if name not in values:
            rows.append({"notebook": notebook, "value": name, "golden": None,
                         "got": records[name], "diff": None, "atol": None, "rtol": None,
                         "ok": False, "message": "no golden (ngclab regress --update)"})
    return rows


def describe_failure(row: dict) -> str:
    return (f"{row['notebook']}: {row['value']}: {row['message']}; golden={row['golden']!r} "
            f"got={row['got']!r} difference={row['diff']!r} (atol={row['atol']}, "
            f"rtol={row['rtol']})")


def print_table(rows: list[dict], out=sys.stdout) -> None:
    head = ("notebook", "value", "golden", "got", "diff", "status")
    table = [head] + [(r["notebook"], r["value"], format_value(r["golden"]), format_value(r["got"]),
                       "" if r["diff"] is None else f"{r['diff']:.3g}",
                       "ok" if r["ok"] else r["message"]) for r in rows]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(head))]
    for i, row in enumerate(table):
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip(), file=out)
        if i == 0:
            print("  ".join("-" * w for w in widths), file=out)
