"""The lab's run loop: compiled scan chunks of a model, with no widget code.

A ``Runner`` advances a Context by chunks of ``steps_per_frame`` steps, each one compiled scan
(``advance.scan(steps=K, t0=t, dt=dt, clamp=..., record=...)``). The clamps are the core's (the
dict goes to ``scan``, which validates and applies it); the Runner only adds two conveniences
of the lab: a constant that broadcasts to the compartment's shape, and an array with a leading
time axis that cycles when the run is longer than it (each chunk gets its window of it).

``play()`` runs chunks in an asyncio task on the kernel's event loop, yielding between chunks,
so the kernel keeps answering widget messages: edits and knob changes land between chunks,
never inside one. ``run(steps)`` drives the very same chunk synchronously (scripts, tests).
A playing run pauses by itself (``note``: "no view open") once every browser view of the lab
that was seen is gone: closed, or silent too long (``views``, ``ngclab.lab.liveness``).

Failures. Before each chunk the state is snapshotted. An exception inside a step restores it,
pauses the run and keeps a one-line summary naming the failing component (``error``) with a
short traceback (``error_detail``). After a chunk one reduction checks that every
floating-point leaf is finite (``ngclab.core.checks.finite_flags``); if one is not, the chunk is
run again from the snapshot with ``scan(check_finite=True)``, whose ``NonFiniteError`` names
the first compartment that went NaN/Inf and the step, and the state is the snapshot's again.
(Checking every step of every chunk costs about four times a small model's step.)

Observers (``RunObserver``: the Scope, the Controls, a Recording) are told what happened after
each chunk and whenever the status changes; the widgets observe the Runner, it never calls them
by name.
"""
from __future__ import annotations

import asyncio
import time
import traceback
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ngclab.core import Knob
from ngclab.core.checks import NonFiniteError, finite_flags
from ngclab.core.clamps import Clamp
from ngclab.core.store import holding_lock
from ngclab.runchecks import (  # noqa: F401 (re-exported: the lab's modules import them here)
    MAX_CHUNK, _is_sequence, positive_number, summarize, whole_number)

STATUSES = ("ready", "running", "paused", "error")


class LabRunError(RuntimeError):
    """Raised by ``run(..., strict=True)`` when a chunk failed (the state was restored)."""


class RunRefused(RuntimeError):
    """Raised by an observer's ``steps_allowed`` to stop the run before a chunk (with why)."""


class RunObserver:
    """What a Runner tells the objects watching it; override the methods you need."""

    def records_wanted(self) -> dict[str, int | None]:
        """Compartments to record every step: {path: how many of a chunk's last steps are
        needed (None: all of them)}."""
        return {}

    def steps_allowed(self, runner: "Runner", n: int) -> int:
        """How many of the next ``n`` steps may run (default all); raise RunRefused to stop."""
        return n

    def chunk_done(self, runner: "Runner", records: dict[str, np.ndarray], first_step: int,
                   steps: int) -> None:
        """A chunk of ``steps`` steps from ``first_step`` ran. ``records[path]`` holds the last
        rows of that chunk (as many as ``records_wanted`` asked for, or fewer)."""

    def status_changed(self, runner: "Runner") -> None:
        """The status, the error, a clamp or a setting changed, or a run stopped: show it."""

    def was_reset(self, runner: "Runner") -> None:
        """The model was reset and time went back to 0."""


@jax.jit
def _all_finite(leaves: list) -> jax.Array:
    return jnp.all(finite_flags(dict(enumerate(leaves)), list(range(len(leaves)))))


def _event_loop() -> asyncio.AbstractEventLoop:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.get_event_loop_policy().get_event_loop()


class Runner:
    """Runs a Context's ``advance`` process in compiled chunks (see the module docstring).

    Args:
        ctx: the Context. advance: the process one step runs. reset: the process ``reset()``
            runs (optional). clamp: ``{compartment: value}`` (see ``set_clamp``).
        dt: the step size. steps_per_frame: steps per compiled chunk.

    ``views``: the browser views of the run (``ngclab.lab.liveness.ViewLiveness``), set by the
    widget that counts them (the Controls); None (a Runner never shown) never pauses by itself.
    """

    def __init__(self, ctx, advance, reset=None, clamp: dict | None = None, dt: float = 1.0,
                 steps_per_frame: int = 100):
        self.ctx, self.advance, self.reset_process = ctx, advance, reset
        self.dt = positive_number("Runner: dt", dt)
        self.observers: list[RunObserver] = []
        self._clamps: dict[str, tuple[str, Any]] = {}   # path -> (core clamp mode, value)
        for comp, value in (clamp or {}).items():
            self.set_clamp(comp, value)
        self.steps_per_frame = steps_per_frame
        self.t, self.step_count = 0.0, 0
        self.status = "ready"
        self.error, self.error_detail = "", ""
        self.note = ""                # why the run last paused by itself (not an error)
        self.views = None
        self._running, self._task = False, None
        self._rate_mark: tuple[float, int] | None = None
        self.steps_per_s = 0.0
        self._float_paths: tuple[int, list[str]] = (-1, [])

    # -- settings ---------------------------------------------------------------------------
    @property
    def steps_per_frame(self) -> int:
        return self._steps_per_frame

    @steps_per_frame.setter
    def steps_per_frame(self, value: int) -> None:
        self._steps_per_frame = whole_number("steps_per_frame", value, high=MAX_CHUNK)
        self._notify("status_changed")

    @property
    def running(self) -> bool:
        return self._running

    @property
    def clamp(self) -> dict[str, Any]:
        """{path: value} of every clamp (constants broadcast to the compartment's shape)."""
        return {p: v for p, (_, v) in self._clamps.items()}

    def set_clamp(self, comp, value) -> None:
        """Hold a compartment at ``value`` every step: an array of its shape (or one that
        broadcasts to it), an array with a leading time axis (it cycles when the run is
        longer), a function of ``t`` (traced into the scan) or a Knob (a slider drives it).
        The core's clamp checks it (a wired compartment or a wrong shape raise ValueError)."""
        target = self.ctx.compartment(comp)
        shape = tuple(target.shape)
        steps = 1
        if not isinstance(value, Knob) and not callable(value):
            vshape = tuple(np.shape(value))
            if _is_sequence(vshape, shape):
                steps = vshape[0]
            elif vshape != shape:
                try:
                    value = np.broadcast_to(np.asarray(value), shape)
                except ValueError:
                    pass          # the core's clamp names both shapes
        clamp = Clamp(target, value, steps)
        # a constant is kept as the core made it (a device array of the compartment's dtype)
        self._clamps[target.path] = (clamp.mode, clamp.value if clamp.mode == "const" else value)
        self._notify("status_changed")

    def unclamp(self, comp) -> None:
        self._clamps.pop(self.ctx.compartment(comp).path, None)
        self._notify("status_changed")

    def drop_missing_clamps(self) -> None:
        """Forget clamps of compartments that no longer exist (their component was removed)."""
        for path in [p for p in self._clamps if p not in self.ctx.compartments]:
            del self._clamps[path]

    # -- running ----------------------------------------------------------------------------
    def play(self) -> None:
        """Run until paused, in a task on the kernel's event loop (play twice: one loop).

        Pauses by itself when the last open view of the lab is gone (``views``). Started while
        no view is open (from code, after the views closed), the run is headless: the views
        seen before are forgotten and only views that show up from now on count.
        """
        if self.views is not None and self.views.none_left():
            self.views.forget()
        self.note = ""
        self._running = True
        self._set_status("running")
        if self._task is None or self._task.done():
            self._rate_mark = (time.perf_counter(), self.step_count)
            self._task = _event_loop().create_task(self._loop())

    def pause(self, reason: str = "") -> None:
        """Stop after the chunk in flight (none is cut in half); ``reason`` is shown."""
        self._running = False
        noted, self.note = reason != self.note, reason
        if self.status == "running":
            self._set_status("paused")
        elif noted:
            self._notify("status_changed")

    def step(self, n: int = 1) -> bool:
        """Take ``n`` steps now (one chunk); True if they ran."""
        n = whole_number("step: n", n, high=MAX_CHUNK)
        self.pause()
        ok = self._chunk(n)
        self._notify("status_changed")
        return ok

    def run(self, steps: int, strict: bool = False) -> int:
        """Run ``steps`` steps synchronously through the same chunks as ``play``.

        Returns the number of steps taken (fewer if a chunk failed; see ``error``). With
        ``strict=True`` a failure raises ``LabRunError`` instead.
        """
        try:
            steps = whole_number("run: steps", steps)
        except ValueError:
            raise ValueError(f"run: steps must be a positive integer, got {steps!r}") from None
        self.pause()
        self.status = "running"
        done = 0
        self._rate_mark = (time.perf_counter(), self.step_count)
        while done < steps:
            before = self.step_count
            if not self._chunk(min(self.steps_per_frame, steps - done)):
                break
            done += self.step_count - before
        if self.status == "running":
            self.status = "paused"
        self._notify("status_changed")
        if strict and self.error:
            raise LabRunError(self.error)
        return done

    def reset(self) -> None:
        """Pause, run the reset process, set t back to 0 (on failure the state is kept)."""
        self.pause()
        if self.reset_process is not None:
            snap = self.ctx.snapshot()
            try:
                self.reset_process.run()
            except Exception as err:  # shown, state kept
                self.ctx.restore(snap)
                self._fail(*summarize(err, "reset"))
                return
        self.t, self.step_count = 0.0, 0
        self.error = self.error_detail = self.note = ""
        self.status = "ready"
        self._notify("was_reset")
        self._notify("status_changed")

    def dismiss(self) -> None:
        """Forget the error message or note (the status stays until the next run)."""
        self.error = self.error_detail = self.note = ""
        self._notify("status_changed")

    async def _loop(self) -> None:
        try:
            if self.views is not None:
                self.views.loop_started()
            while self._running:
                views = self.views
                if views is not None and views.none_left_this_turn():   # nobody can see it
                    self.pause(views.reason())
                    break
                if not self._chunk(self.steps_per_frame):
                    break
                await asyncio.sleep(0)            # the kernel handles the views' messages
        finally:
            self._running = False
            if self.status == "running":
                self.status = "paused"
            self._notify("status_changed")

    # -- one chunk --------------------------------------------------------------------------
    @holding_lock(lambda runner: runner.ctx)
    def _chunk(self, n: int) -> bool:
        """Run ``n`` steps as one compiled scan; restore the state and pause on failure. Holds
        the Context's lock: a knob or edit from another thread lands before or after a chunk."""
        try:
            for obs in self.observers:
                n = min(n, int(obs.steps_allowed(self, n)))
        except RunRefused as err:
            self._fail(str(err))
            return False
        if n < 1:
            self._fail("an observer of the run allowed no steps")
            return False
        wanted = self._records_wanted()
        snap = self.ctx.snapshot()
        first = self.step_count
        when = f"steps {first}-{first + n - 1}"
        clamp = self._clamp_window(n)
        try:
            rec = self.advance.scan(steps=n, t0=self.t, dt=self.dt, clamp=clamp,
                                    record=list(wanted))
            host = {p: np.asarray(v if wanted[p] is None or v.shape[0] <= wanted[p]
                                  else v[-wanted[p]:]) for p, v in rec.items()}
            finite = bool(_all_finite(self._float_leaves()))
        except Exception as err:
            self.ctx.restore(snap)
            self._fail(*summarize(err, when))
            return False
        if not finite:
            self._fail(*self._explain_nonfinite(snap, n, clamp, when))
            return False
        self.step_count += n
        self.t += n * self.dt
        if self.error:
            self.error = self.error_detail = ""
        for obs in self.observers:
            try:
                obs.chunk_done(self, host, first, n)
            except Exception as err:   # a widget's bug: the model's state is fine, stop anyway
                self._fail(f"{type(obs).__name__} failed after {when}: {type(err).__name__}: "
                           f"{err}", traceback.format_exc(limit=-6))
                return False
        return True

    def _records_wanted(self) -> dict[str, int | None]:
        wanted: dict[str, int | None] = {}
        for obs in self.observers:
            for path, rows in obs.records_wanted().items():
                if path not in wanted:
                    wanted[path] = rows
                elif wanted[path] is None or rows is None:
                    wanted[path] = None
                else:
                    wanted[path] = max(wanted[path], rows)
        return wanted

    def _clamp_window(self, n: int) -> dict:
        """The clamp dict for a chunk of ``n`` steps: a sequence gives its window (cycled)."""
        out = {}
        for path, (mode, value) in self._clamps.items():
            if mode == "knob":
                out[path] = self.ctx.compartment(value.path)   # the knob as the model has it now
            elif mode == "seq":
                out[path] = value[(self.step_count + np.arange(n)) % value.shape[0]]
            else:
                out[path] = value
        return out

    def _float_leaves(self) -> list:
        version, paths = self._float_paths
        if version != self.ctx.structure_version or not all(p in self.ctx.state for p in paths):
            paths = [p for p, v in self.ctx.state.items() if jnp.issubdtype(v.dtype, jnp.floating)]
            self._float_paths = (self.ctx.structure_version, paths)
        return [self.ctx.state[p] for p in paths]

    def _explain_nonfinite(self, snap, n: int, clamp: dict, when: str) -> tuple[str, str]:
        """Run the chunk again with the core's per-step check to name where it went NaN/Inf."""
        bad = self.ctx.nonfinite()
        self.ctx.restore(snap)
        path, step = (bad[0] if bad else "?"), None
        try:
            self.advance.scan(steps=n, t0=self.t, dt=self.dt, clamp=clamp, check_finite=True)
        except NonFiniteError as err:
            path, step = err.path, self.step_count + err.step
        except Exception:       # the chunk fails differently the second time: keep the first
            pass
        self.ctx.restore(snap)
        comp = path.split("/", 1)[-1].split(":")[0]
        at = f"at step {step} " if step is not None else ""
        others = [p for p in bad if p != path]
        also = f" (then also {', '.join(others[:5])}{' ...' if len(others) > 5 else ''})" \
            if others else ""
        return (f"NaN/Inf in {path} (component {comp}) {at}during {when}{also}; the state is "
                f"as it was before those steps. Fix the cause (a smaller dt, learning rate or "
                f"input) and press play again.", "\n".join(bad))

    # -- status -----------------------------------------------------------------------------
    def _fail(self, message: str, detail: str = "") -> None:
        self._running = False
        self.error, self.error_detail = message, detail
        self._set_status("error")

    def _set_status(self, status: str) -> None:
        self.status = status
        self._notify("status_changed")

    def notify(self) -> None:
        """Tell every observer to show the state as it is now (e.g. after an edit)."""
        self._notify("status_changed")

    def _notify(self, event: str) -> None:
        for obs in list(self.observers):
            getattr(obs, event)(self)

    def measure_rate(self) -> float:
        """Steps per second over the last ~2 s of running (a rolling measurement)."""
        if self._rate_mark is not None:
            now = time.perf_counter()
            t0, s0 = self._rate_mark
            if now - t0 > 1e-3 and self.step_count > s0:
                self.steps_per_s = (self.step_count - s0) / (now - t0)
            if now - t0 > 2.0:
                self._rate_mark = (now, self.step_count)
        return self.steps_per_s

    def __repr__(self) -> str:
        return (f"<Runner {self.ctx.name!r}: t={self.t:g}, {self.step_count} steps, "
                f"{self.status}>")
