"""The lab: widget controllers that edit, run and watch a Context from a notebook.

    from ngclab.lab import Lab
    lab = Lab(ctx, advance=advance, reset=reset, clamp={a.j: x}, watch=[b.zF, W.weights])
    lab            # editor + scope + controls + knobs

Data flows one way per concern: the browser sends requests, the controllers here change the
Python ``Context`` (which validates every edit), and the browser re-renders from what the
controllers publish. The run loop is a ``Runner`` (``ngclab.lab.runner``, no widget code) that
the widgets observe; ``lab.run(steps)`` drives it synchronously (scripts, tests).

The widget classes are imported when first used, so ``ngclab.lab.runner`` works without
ipywidgets or anywidget being imported.
"""
from __future__ import annotations

import importlib

_CLASSES = {"Lab": "lab", "CircuitEditor": "editor", "Scope": "scope", "Controls": "controls",
            "Knobs": "knobs", "Runner": "runner", "Recording": "recording",
            "SweepView": "sweep"}

__all__ = ["Lab", "CircuitEditor", "Scope", "Controls", "Knobs", "Runner", "Recording",
           "SweepView"]


def __getattr__(name: str):
    if name in _CLASSES:
        return getattr(importlib.import_module(f"ngclab.lab.{_CLASSES[name]}"), name)
    raise AttributeError(f"module 'ngclab.lab' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
