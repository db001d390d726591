"""Lab: a Context with its editor, scope, controls and knobs around one run loop.

The Lab composes: a ``Runner`` (the run loop, no widget code) that the Scope, the Controls and
any Recording observe; a ``CircuitEditor`` whose edits the Lab checks against the clamps and
follows (the scope, the knobs and the runner's clamps are brought up to date); and ``Knobs``.
See ``ngclab.lab.runner`` for how chunks run, fail and recover.
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as W

from ngclab.lab.controls import Controls
from ngclab.lab.editor import CircuitEditor, EditError
from ngclab.lab.knobs import Knobs
from ngclab.lab.recording import DEFAULT_MAX_BYTES, Recording
from ngclab.lab.runner import LabRunError, Runner, RunObserver  # noqa: F401 (re-exported)
from ngclab.lab.scope import Scope


class Lab(RunObserver):
    """Edit, run and watch a circuit from a notebook.

    Args:
        ctx: the Context.
        advance: the process one step of the model runs (scanned in chunks).
        reset: the process ``reset()`` runs (optional).
        clamp: ``{compartment: value}`` held at every step: an array of the compartment's shape
            (or broadcastable to it), an array with a leading time axis (it cycles when the run
            is longer), a function of ``t`` (traced into the scan) or a Knob (a slider drives
            the input).
        watch: compartments plotted by the scope (more can be added by clicking ports); a pair
            ``(x, y)`` plots y against x (a phase plane).
        dt: the step size; steps_per_frame: steps per compiled chunk.
        window: steps kept per trace; max_fps: scope redraws per second at most.
        scope_backend: how the scope draws: "auto" (default), "png" or "ipympl" (see Scope).
        after_chunk: called with no arguments between chunks (after each one), e.g. to
            renormalise weights the way a training loop does between presentations.
    """

    def __init__(self, ctx, advance, reset=None, clamp: dict | None = None, watch=(),
                 dt: float = 1.0, steps_per_frame: int = 100, window: int = 1000,
                 max_fps: float = 30.0, scope_backend: str = "auto",
                 after_chunk: Callable[[], None] | None = None):
        self.ctx, self.advance, self.reset_process = ctx, advance, reset
        self.runner = Runner(ctx, advance, reset, clamp=clamp, dt=dt,
                             steps_per_frame=steps_per_frame)
        self.editor = CircuitEditor(ctx, advance=advance, reset=reset)
        self.scope = Scope(ctx, watch=watch, window=window, max_fps=max_fps,
                           backend=scope_backend)
        self.scope.dt = self.runner.dt
        self.after_chunk = after_chunk
        self.recording: Recording | None = None
        self.runner.observers += [self, self.scope]
        self.controls = Controls(self)
        self.knobs = Knobs(ctx)
        self.editor.validators.append(self._check_edit)
        self.editor.on_edit.append(self._after_edit)
        self.editor.on_watch.append(self._watch_click)
        self.scope.on_change.append(self._show_watched)
        self._show_watched()
        self._widget = None
        self.runner.notify()          # every observer shows the state now (the first frame)

    # -- display ----------------------------------------------------------------------------
    @property
    def widget(self) -> W.Widget:
        if self._widget is None:
            self.scope.layout = W.Layout(flex="2 1 420px", min_width="320px")
            self.knobs.layout = W.Layout(flex="1 1 260px", min_width="240px")
            bottom = W.HBox([self.scope, self.knobs],
                            layout=W.Layout(width="100%", flex_flow="row wrap",
                                            align_items="flex-start", grid_gap="10px"))
            self._widget = W.VBox([self.controls, self.editor, bottom],
                                  layout=W.Layout(width="100%", grid_gap="8px"))
            self._widget.add_class("ngclab-lab")
        return self._widget

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    # -- the run loop (the Runner's) ----------------------------------------------------------
    dt = property(lambda self: self.runner.dt)
    t = property(lambda self: self.runner.t)
    step_count = property(lambda self: self.runner.step_count)
    error = property(lambda self: self.runner.error)
    error_detail = property(lambda self: self.runner.error_detail)
    running = property(lambda self: self.runner.running)
    clamp = property(lambda self: self.runner.clamp)
    _task = property(lambda self: self.runner._task)

    @property
    def steps_per_frame(self) -> int:
        return self.runner.steps_per_frame

    @steps_per_frame.setter
    def steps_per_frame(self, value: int) -> None:
        self.runner.steps_per_frame = value

    def set_clamp(self, comp, value) -> None:
        """Clamp a compartment (see the class docstring for the kinds of value)."""
        self.runner.set_clamp(comp, value)

    def unclamp(self, comp) -> None:
        self.runner.unclamp(comp)

    def play(self) -> None:
        """Run until paused, in a task on the kernel's event loop (play twice: one loop)."""
        self.runner.play()

    def pause(self) -> None:
        """Stop after the chunk in flight (none is cut in half)."""
        self.runner.pause()

    def step(self, n: int = 1) -> bool:
        """Take ``n`` steps now (one chunk) and redraw."""
        return self.runner.step(n)

    def run(self, steps: int, strict: bool = False) -> int:
        """Run ``steps`` steps synchronously through the same chunks as ``play``; returns the
        steps taken (fewer if a chunk failed: see ``error``; ``strict=True`` raises
        ``LabRunError`` instead)."""
        return self.runner.run(steps, strict=strict)

    def reset(self) -> None:
        """Pause, run the reset process, set t back to 0 and clear the traces."""
        self.runner.reset()

    def record(self, comps, max_bytes: int = DEFAULT_MAX_BYTES) -> Recording | None:
        """Keep every step of ``comps`` from now on (``lab.record(None)`` stops); returns the
        ``Recording`` (also ``lab.recording``): export it with ``.export(path)`` (CSV, NPZ)
        or ``.to_xarray()``. Memory is bounded by ``max_bytes``: a run that would pass it
        stops before the chunk that does, with an error saying so."""
        if self.recording is not None:
            self.runner.observers.remove(self.recording)
            self.recording = None
        if comps is not None:
            comps = [comps] if not isinstance(comps, (list, tuple)) else comps
            self.recording = Recording(self.ctx, comps, max_bytes=max_bytes)
            self.runner.observers.append(self.recording)
        return self.recording

    def sweep(self, sweep: dict, steps: int, metric, **kwargs):
        """A Sweep view of this model (``ngclab.lab.sweep.SweepView``): the members of ``sweep``
        (as ``scan(sweep=...)``) run ``steps`` steps each in the background, with the Lab's
        clamps and dt, and ``metric`` is drawn against the swept knob(s); a member clicked in
        the view becomes the model's state, and the Scope and knobs show it."""
        from ngclab.lab.sweep import SweepView
        return SweepView.for_lab(self, sweep, steps, metric, **kwargs)

    # -- observing the runner -----------------------------------------------------------------
    def chunk_done(self, runner, records, first_step, steps) -> None:
        if self.after_chunk is not None:
            self.after_chunk()

    def status_changed(self, runner) -> None:
        self.editor.clamped = list(runner.clamp)

    # -- editor hooks ---------------------------------------------------------------------------
    def _check_edit(self, kind: str, detail: dict) -> None:
        if kind == "connect" and detail["dst"] in self.runner.clamp:
            raise EditError(f"{detail['dst']} is clamped by the Lab (clamp=...); a clamped "
                            f"compartment cannot also be wired. Unclamp it first.")

    def _after_edit(self, kind: str, detail: dict) -> None:
        self.runner.drop_missing_clamps()
        self.scope.sync()
        self.knobs.refresh()
        self.runner.notify()

    def _watch_click(self, path: str, on: bool) -> None:
        if on:
            self.scope.add(path)
        else:
            self.scope.remove(path)

    def _show_watched(self) -> None:
        self.editor.watched = [p for key in self.scope.watched for p in key.split(" vs ")]

    def __repr__(self) -> str:
        return (f"<Lab {self.ctx.name!r}: t={self.t:g}, {self.step_count} steps, "
                f"{'running' if self.running else 'paused'}, watching {self.scope.watched}>")

