"""The ensemble a Sweep view runs: its members, their metric and what each is plotted against.

``SweepRunner`` checks the sweep spec (through ``ngclab.core.sweep``), splits the members into
chunks of one compiled program each (the last chunk padded with copies of its last member, the
copies dropped), runs one chunk per ``run_chunk()`` and keeps each member's metric: a recorded
compartment reduced over the steps with ``how`` (one of ``REDUCTIONS``), averaged over its cells
and multiplied by ``scale``, or ``metric(result)`` for a function.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ngclab.core import Compartment, Knob
from ngclab.core.sweep import Grid, _members   # the core's checks of a sweep spec

REDUCTIONS = ("mean", "sum", "max", "min", "last")


def _short(path: str) -> str:
    """``"model/lif:j"`` -> ``"lif:j"``: the context's name says nothing on an axis."""
    return path.split("/", 1)[-1]


class SweepRunner:
    """A sweep's members run chunk by chunk, with one metric value per member (no widgets).

    Args:
        ctx, process: the Context and the process one step runs.
        sweep: as ``scan(sweep=...)``: ``{knob: values, compartment: per-member clamps,
            "seed": n}`` or ``ngclab.grid({...})``.
        steps: steps per member; t0, dt, clamp, devices, **kwargs: as ``scan``.
        metric: a compartment (with ``how`` and ``scale``) or ``f(result) -> values``.
        record: what ``f`` reads (``scan``'s record); chunk: members per compiled chunk.
        x: ``(label, values)`` for the curve's axis. keep_final: keep every member's final
            state (``member(i)``).
    """

    def __init__(self, ctx, process, sweep, steps: int, metric, how: str = "mean",
                 scale: float = 1.0, record=None, clamp: dict | None = None, t0: float = 0.0,
                 dt: float = 1.0, chunk: int = 8, devices=None, x: tuple | None = None,
                 keep_final: bool = True, **kwargs):
        self.ctx, self.process, self.steps = ctx, process, steps
        self.t0, self.dt, self.devices, self.kwargs = t0, dt, devices, kwargs
        self.clamp, self.keep_final = dict(clamp or {}), bool(keep_final)
        n, knobs, clamps, seeds = _members(ctx, sweep, steps)   # refused here, before running
        self.n = n
        self.columns: list[tuple[Any, Any]] = [(ctx.compartment(p), v) for p, v in knobs.items()]
        self.columns += list(clamps.items())
        if seeds is not None:
            self.columns.append(("seed", np.asarray(seeds)))
        for comp, _ in self.columns:
            if isinstance(comp, Compartment) and not isinstance(comp, Knob):
                self.clamp = {c: v for c, v in self.clamp.items()
                              if ctx.compartment(c) is not comp}   # the sweep clamps it
        self._metric(metric, how, scale, record)
        self._axes(sweep, x)
        self.chunk = self._chunk_size(chunk)
        self.values = np.full(n, np.nan)
        self.done = 0
        self.results: list[tuple[int, int, Any]] = []   # (first member, end, SweepResult)

    def _metric(self, metric, how: str, scale: float, record) -> None:
        if callable(metric) and not isinstance(metric, Compartment):
            if record is None:
                raise ValueError("SweepView: metric=f needs record=... (what f reads)")
            self.record, self.metric_fn, self.metric_label = record, metric, \
                getattr(metric, "__name__", "metric")
            return
        if how not in REDUCTIONS:
            raise ValueError(f"SweepView: how must be one of {', '.join(REDUCTIONS)}; "
                             f"got {how!r}")
        comp = self.ctx.compartment(metric)
        self.record = {comp: how}
        self.metric_label = f"{how} of {_short(comp.path)}" + \
            (f" x {scale:g}" if scale != 1.0 else "")

        def mean_of_cells(result) -> np.ndarray:
            v = np.asarray(result[comp.path], dtype=np.float64)
            return v.reshape(v.shape[0], -1).mean(axis=1) * scale
        self.metric_fn = mean_of_cells

    def _axes(self, sweep, x) -> None:
        """What the plot's axes are: [(label, values)] (one: a curve, two: a heat map)."""
        if isinstance(sweep, Grid):
            if len(sweep.axes) > 2:
                raise ValueError(f"SweepView: draws one or two swept knobs; this grid has "
                                 f"{len(sweep.axes)}")
            self.axes = [(_short(p), np.asarray(v)) for p, v in sweep.axes]
            self.shape = tuple(sweep.shape)
        else:
            comp, values = self.columns[0]
            if comp == "seed":
                self.axes = [("seed", values)]
            elif isinstance(comp, Knob):
                self.axes = [(_short(comp.path), np.asarray(values))]
            else:   # a clamp: each member's value, averaged over its cells (and steps)
                v = np.asarray(values, dtype=np.float64)
                self.axes = [(f"mean of {_short(comp.path)}", v.reshape(self.n, -1).mean(1))]
            self.shape = (self.n,)
        if x is not None:
            label, values = x
            values = np.asarray(values, dtype=np.float64).ravel()
            if values.size != self.n or len(self.axes) != 1:
                raise ValueError(f"SweepView: x= takes one value per member ({self.n}) for a "
                                 f"curve; got {values.size}")
            self.axes = [(str(label), values)]

    def _chunk_size(self, chunk: int) -> int:
        if isinstance(chunk, bool) or int(chunk) != chunk or chunk < 1:
            raise ValueError(f"SweepView: chunk must be a positive number of members, got "
                             f"{chunk!r}")
        import jax
        count = len(jax.devices() if self.devices is None else list(self.devices))
        size = min(int(chunk), self.n)
        return -(-size // count) * count          # the core splits a chunk over the devices

    @property
    def finished(self) -> bool:
        return self.done >= self.n

    def run_chunk(self) -> int:
        """Run the next chunk of members; returns how many members it added."""
        start = self.done
        end = min(start + self.chunk, self.n)
        rows = np.minimum(np.arange(start, start + self.chunk), self.n - 1)   # padded
        spec = {comp: (list(np.asarray(v)[rows]) if comp == "seed" else np.asarray(v)[rows])
                for comp, v in self.columns}
        result = self.process.scan(self.steps, t0=self.t0, dt=self.dt, clamp=self.clamp,
                                   record=self.record, sweep=spec, final=self.keep_final,
                                   devices=self.devices, **self.kwargs)
        got = np.asarray(self.metric_fn(result), dtype=np.float64).ravel()
        if got.size != self.chunk:
            raise ValueError(f"SweepView: the metric gave {got.size} values for a chunk of "
                             f"{self.chunk} members (one per member)")
        self.values[start:end] = got[:end - start]
        self.results.append((start, end, result))
        self.done = end
        return end - start

    def member(self, i: int):
        """Member ``i``'s final state as a Snapshot (``ctx.restore(...)``)."""
        for start, end, result in self.results:
            if start <= i < end:
                return result.member(i - start)
        raise ValueError(f"SweepView: member {i} has not run yet ({self.done} of {self.n} done)")

    def member_values(self, i: int) -> dict:
        """{knob or clamp path or "seed": member i's value} (a clamp's full array)."""
        return {(c if c == "seed" else c.path): np.asarray(v)[i] for c, v in self.columns}
