"""The circuit editor's node geometry (the one place it is set) and its automatic layout.

The editor's front end takes ``GEOMETRY`` from the widget (its ``geometry`` trait) and sets
it as CSS variables (``--ngl-node-w`` ...) that lab.css sizes the nodes with, so Python's
layout and the drawn nodes always agree.
"""
from __future__ import annotations

from ngclab.core.compartment import Operation

#: node geometry (px): node width, header height, port row height, padding around the ports;
#: gaps of the auto layout
NODE_W, HEAD_H, ROW_H, PORTS_PAD, GAP_X, GAP_Y, PAD = 190, 40, 20, 4, 64, 30, 20
#: what the front end sizes nodes with (published by the CircuitEditor)
GEOMETRY = {"node_w": NODE_W, "head_h": HEAD_H, "row_h": ROW_H, "ports_pad": PORTS_PAD}


def _ports(comp) -> tuple[list, list]:
    left = [c for c in comp.compartments.values() if c.kind == "input"]
    right = [c for c in comp.compartments.values()
             if c.kind in ("output", "state", "parameter") and c.name != "key"]
    return left, right


def node_height(comp) -> int:
    left, right = _ports(comp)
    return HEAD_H + ROW_H * max(len(left), len(right), 1) + 2 * PORTS_PAD


def auto_layout(ctx) -> dict[str, list[float]]:
    """Left-to-right layout: a component's column is the longest wire path reaching it."""
    preds: dict[str, set] = {n: set() for n in ctx.components}
    for src, dst in ctx.wires():
        for s in (src.sources() if isinstance(src, Operation) else [src]):
            if s.owner.name != dst.owner.name:
                preds[dst.owner.name].add(s.owner.name)
    column: dict[str, int] = {}

    def depth(n: str, seen: frozenset) -> int:
        if n in column:
            return column[n]
        ps = [p for p in preds[n] if p not in seen]  # a cycle's back edge is ignored
        d = 0 if not ps else 1 + max(depth(p, seen | {n}) for p in ps)
        if not (preds[n] - set(ps)):
            column[n] = d
        return d

    cols: dict[int, list[str]] = {}
    for n in ctx.components:
        cols.setdefault(depth(n, frozenset()), []).append(n)
    pos = {}
    for c, names in sorted(cols.items()):
        y = PAD
        for n in names:
            pos[n] = [PAD + c * (NODE_W + GAP_X), y]
            y += node_height(ctx.components[n]) + GAP_Y
    return pos

