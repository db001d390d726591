"""Lab: a Context with its editor, scope, controls and knobs, and the loop that runs it.

The loop runs compiled scan chunks of ``steps_per_frame`` steps
(``advance.scan(steps=K, t0=t, dt=dt, clamp=..., record=watched)``). ``play()`` runs them in an
asyncio task on the kernel's event loop, yielding (``await asyncio.sleep(0)``) between chunks so
the kernel keeps answering widget messages: edits and knob changes therefore land between
chunks, never inside one. ``run(steps)`` drives the very same chunk function synchronously.

Before each chunk the state is snapshotted; an exception inside a step or a NaN/Inf in the
state afterwards restores it, pauses the run and shows what failed.
"""
from __future__ import annotations

import asyncio
import time
import traceback
from typing import Any

import ipywidgets as W
import jax
import jax.numpy as jnp
import numpy as np

from ngclab.core import Knob
from ngclab.lab.controls import Controls
from ngclab.lab.editor import CircuitEditor, EditError
from ngclab.lab.knobs import Knobs
from ngclab.lab.scope import Scope


class LabRunError(RuntimeError):
    """Raised by ``run(..., strict=True)`` when a chunk failed (the state was restored)."""


@jax.jit
def _all_finite(leaves: list) -> jnp.ndarray:
    return jnp.all(jnp.stack([jnp.all(jnp.isfinite(v)) for v in leaves]))


def _event_loop() -> asyncio.AbstractEventLoop:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.get_event_loop_policy().get_event_loop()


class Lab:
    """Edit, run and watch a circuit from a notebook.

    Args:
        ctx: the Context.
        advance: the process one step of the model runs (scanned in chunks).
        reset: the process ``reset()`` runs (optional).
        clamp: ``{compartment: value}`` held at every step: an array of the compartment's shape
            (or broadcastable to it), an array with a leading time axis (it cycles when the run
            is longer), a function of ``t`` (traced into the scan) or a Knob (a slider drives
            the input).
        watch: compartments plotted by the scope (more can be added by clicking ports).
        dt: the step size; steps_per_frame: steps per compiled chunk.
        window: steps kept per trace; max_fps: scope redraws per second at most.
        scope_backend: how the scope draws: "auto" (default), "png" or "ipympl" (see Scope).
    """

    def __init__(self, ctx, advance, reset=None, clamp: dict | None = None, watch=(),
                 dt: float = 1.0, steps_per_frame: int = 100, window: int = 1000,
                 max_fps: float = 30.0, scope_backend: str = "auto"):
        self.ctx, self.advance, self.reset_process = ctx, advance, reset
        self.dt = float(dt)
        self._clamps: dict[str, tuple[str, Any]] = {}
        for comp, value in (clamp or {}).items():
            self.set_clamp(comp, value)
        self.editor = CircuitEditor(ctx, advance=advance, reset=reset)
        self.scope = Scope(ctx, watch=watch, window=window, max_fps=max_fps,
                           backend=scope_backend)
        self.scope.dt = self.dt
        self.controls = Controls(self, steps_per_frame=steps_per_frame)
        self.knobs = Knobs(ctx)
        self.t, self.step_count = 0.0, 0
        self.error, self.error_detail = "", ""
        self._running, self._task = False, None
        self._rate_mark: tuple[float, int] | None = None
        self._last_readout = 0.0
        self.editor.validators.append(self._check_edit)
        self.editor.on_edit.append(self._after_edit)
        self.editor.on_watch.append(self._watch_click)
        self.scope.on_change.append(self._sync_watched)
        self._sync_watched()
        self._publish()
        self.scope.draw(force=True)
        self._widget = None

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

    # -- properties ---------------------------------------------------------------------------
    @property
    def steps_per_frame(self) -> int:
        return self.controls.steps_per_frame

    @steps_per_frame.setter
    def steps_per_frame(self, value: int) -> None:
        self.controls.steps_per_frame = int(value)

    @property
    def running(self) -> bool:
        return self._running

    @property
    def clamp(self) -> dict[str, Any]:
        return {p: v for p, (_, v) in self._clamps.items()}

    def set_clamp(self, comp, value) -> None:
        """Clamp a compartment (see the class docstring for the kinds of value)."""
        target = self.ctx.compartment(comp)
        if target.targeted:
            raise ValueError(f"cannot clamp {target.path}: it is wired from {target.source!r}")
        shape = tuple(target.shape)
        if isinstance(value, Knob):
            entry = ("knob", value.path)
        elif callable(value):
            entry = ("fn", value)
        else:
            arr = np.asarray(value, dtype=np.dtype(str(target.dtype)))
            if arr.shape == shape:
                entry = ("const", arr)
            elif arr.ndim == len(shape) + 1 and arr.shape[1:] == shape and arr.shape[0] > 0:
                entry = ("seq", arr)
            else:
                try:
                    entry = ("const", np.broadcast_to(arr, shape).copy())
                except ValueError:
                    raise ValueError(f"clamp for {target.path}: got shape {arr.shape}, expected "
                                     f"{shape} or (steps, *{shape})") from None
        self._clamps[target.path] = entry
        if hasattr(self, "editor"):
            self._sync_watched()

    def unclamp(self, comp) -> None:
        self._clamps.pop(self.ctx.compartment(comp).path, None)
        self._sync_watched()

    # -- running -----------------------------------------------------------------------------
    def play(self) -> None:
        """Run until paused, in a task on the kernel's event loop (play twice: one loop)."""
        self._running = True
        self.controls.running, self.controls.status = True, "running"
        if self._task is None or self._task.done():
            self._rate_mark = (time.perf_counter(), self.step_count)
            self._task = _event_loop().create_task(self._loop())

    def pause(self) -> None:
        """Stop after the chunk in flight (none is cut in half)."""
        self._running = False
        self.controls.running = False
        if self.controls.status == "running":
            self.controls.status = "paused"
        self._readouts(force=True)

    def step(self, n: int = 1) -> bool:
        """Take ``n`` steps now (one chunk) and redraw."""
        self.pause()
        ok = self._chunk(int(n))
        self.scope.draw(force=True)
        self._readouts(force=True)
        return ok

    def run(self, steps: int, strict: bool = False) -> int:
        """Run ``steps`` steps synchronously through the same chunk path as ``play``.

        Returns the number of steps taken (fewer if a chunk failed; see ``error``). With
        ``strict=True`` a failure raises ``LabRunError`` instead.
        """
        if isinstance(steps, bool) or int(steps) != steps or steps < 1:
            raise ValueError(f"run: steps must be a positive integer, got {steps!r}")
        self.pause()
        self.controls.status = "running"
        done, start = 0, time.perf_counter()
        self._rate_mark = (start, self.step_count)
        while done < steps:
            n = min(self.steps_per_frame, steps - done)
            if not self._chunk(n):
                break
            done += n
            if self.scope.due():
                self.scope.draw()
                self._readouts()
        if self.controls.status == "running":
            self.controls.status = "paused"
        self.scope.draw(force=True)
        self._readouts(force=True)
        if strict and self.error:
            raise LabRunError(self.error)
        return done

    def reset(self) -> None:
        """Pause, run the reset process, set t back to 0 and clear the traces."""
        self.pause()
        if self.reset_process is not None:
            snap = self.ctx.snapshot()
            try:
                self.reset_process.run()
            except Exception as err:  # shown, state kept
                self.ctx.restore(snap)
                self._fail(*_summarize(err, "reset"))
                return
        self.t, self.step_count = 0.0, 0
        self.error = self.error_detail = ""
        self.controls.error = self.controls.error_detail = ""
        self.controls.status = "ready"
        self.scope.clear()
        self.scope.draw(force=True)
        self._readouts(force=True)

    async def _loop(self) -> None:
        try:
            while self._running:
                if not self._chunk(self.steps_per_frame):
                    break
                if self.scope.due():
                    self.scope.draw()
                    self._readouts()
                await asyncio.sleep(0)
        finally:
            self._running = False
            self.controls.running = False
            self.scope.draw(force=True)
            self._readouts(force=True)

    def _clamp_args(self, n: int) -> dict:
        out = {}
        for path, (mode, value) in self._clamps.items():
            if mode == "knob":
                out[path] = self.ctx.compartment(value)
            elif mode == "seq":
                idx = (self.step_count + np.arange(n)) % value.shape[0]
                out[path] = value[idx]
            else:
                out[path] = value
        return out

    def _chunk(self, n: int) -> bool:
        """Run ``n`` steps as one compiled scan; restore the state and pause on failure."""
        snap = self.ctx.snapshot()
        first = self.step_count
        try:
            rec = self.advance.scan(steps=n, t0=self.t, dt=self.dt, clamp=self._clamp_args(n),
                                    record=self.scope.recorded())
            keep = self.scope.window  # the scope shows the last `window` steps: move only those
            host = {p: np.asarray(v[-keep:] if v.shape[0] > keep else v) for p, v in rec.items()}
            leaves = [v for v in self.ctx.state.values() if jnp.issubdtype(v.dtype, jnp.floating)]
            finite = bool(_all_finite(leaves)) if leaves else True
        except Exception as err:
            self.ctx.restore(snap)
            self._fail(*_summarize(err, f"steps {first}-{first + n - 1}"))
            return False
        if not finite:
            bad = self.ctx.nonfinite()
            self.ctx.restore(snap)
            comps = sorted({p.split("/", 1)[1].split(":")[0] for p in bad})
            self._fail(f"NaN/Inf in {', '.join(bad[:6])}{' ...' if len(bad) > 6 else ''} "
                       f"(component {', '.join(comps)}) during steps {first}-{first + n - 1}; "
                       f"the state is as it was before those steps. Fix the cause (a smaller "
                       f"dt, learning rate or input) and press play again.",
                       "\n".join(bad))
            return False
        kept = next(iter(host.values())).shape[0] if host else n
        self.scope.push(host, first + n - kept)
        self.step_count += n
        self.t += n * self.dt
        if self.error:
            self.error = self.error_detail = ""
            self.controls.error = self.controls.error_detail = ""
        return True

    def _fail(self, message: str, detail: str = "") -> None:
        self._running = False
        self.error, self.error_detail = message, detail
        self.controls.error, self.controls.error_detail = message, detail
        self.controls.running = False
        self.controls.status = "error"

    def _readouts(self, force: bool = False) -> None:
        now = time.perf_counter()
        if not force and now - self._last_readout < 0.1:
            return
        self._last_readout = now
        c = self.controls
        if self._rate_mark is not None:
            t0, s0 = self._rate_mark
            if now - t0 > 1e-3 and self.step_count > s0:
                c.steps_per_s = (self.step_count - s0) / (now - t0)
            if now - t0 > 2.0:  # a rolling rate: restart the measurement every 2 s
                self._rate_mark = (now, self.step_count)
        c.t, c.steps = self.t, self.step_count
        c.compile_count = self.advance.compile_count

    # -- editor hooks ---------------------------------------------------------------------------
    def _check_edit(self, kind: str, detail: dict) -> None:
        if kind == "connect" and detail["dst"] in self._clamps:
            raise EditError(f"{detail['dst']} is clamped by the Lab (clamp=...); a clamped "
                            f"compartment cannot also be wired. Unclamp it first.")

    def _after_edit(self, kind: str, detail: dict) -> None:
        for path in list(self._clamps):
            if path not in self.ctx.compartments:
                del self._clamps[path]  # its component is gone
        self.scope.sync()
        self.knobs.refresh()
        self._sync_watched()
        self._readouts(force=True)

    def _watch_click(self, path: str, on: bool) -> None:
        if on:
            self.scope.add(path)
        else:
            self.scope.remove(path)
        self.scope.draw(force=True)

    def _sync_watched(self) -> None:
        self.editor.watched = self.scope.watched
        self.editor.clamped = list(self._clamps)

    def _publish(self) -> None:
        self._readouts(force=True)

    def __repr__(self) -> str:
        return (f"<Lab {self.ctx.name!r}: t={self.t:g}, {self.step_count} steps, "
                f"{'running' if self._running else 'paused'}, watching {self.scope.watched}>")


def _summarize(err: BaseException, when: str) -> tuple[str, str]:
    """(one-line message naming the failing component, short traceback)."""
    from ngclab.core import Component
    where = ""
    tb = err.__traceback__
    while tb is not None:
        obj = tb.tb_frame.f_locals.get("self")
        if isinstance(obj, Component):
            where = (f" in component {obj.name!r} ({type(obj).__name__}."
                     f"{tb.tb_frame.f_code.co_name}, line {tb.tb_lineno})")
        tb = tb.tb_next
    frames = traceback.extract_tb(err.__traceback__)
    ours = [f for f in frames if "/jax/" not in f.filename and "/jaxlib/" not in f.filename]
    detail = "".join(traceback.format_list(ours[-6:])) + f"{type(err).__name__}: {err}"
    msg = (f"{type(err).__name__}{where} during {when}: {err}. The state is as it was "
           f"before those steps; fix the cause and press play again.")
    return msg, detail
