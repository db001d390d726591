"""The lab: widget controllers that edit, run and watch a Context from a notebook.

    from ngclab.lab import Lab
    lab = Lab(ctx, advance=advance, reset=reset, clamp={a.j: x}, watch=[b.zF, W.weights])
    lab            # editor + scope + controls + knobs

Data flows one way per concern: the browser sends messages, the controllers here change the
Python ``Context`` (which validates every edit), and the browser re-renders from what the
controllers publish. ``lab.run(steps)`` drives the same loop synchronously (scripts, tests).
"""
from ngclab.lab.controls import Controls
from ngclab.lab.editor import CircuitEditor
from ngclab.lab.knobs import Knobs
from ngclab.lab.lab import Lab
from ngclab.lab.scope import Scope

__all__ = ["Lab", "CircuitEditor", "Scope", "Controls", "Knobs"]
