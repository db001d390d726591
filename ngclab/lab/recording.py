"""Recording: every step's values of chosen compartments during Lab runs, for export after.

The Scope keeps only its window of steps; a Recording (``lab.record([...])``) keeps all of
them, up to a memory bound (``max_bytes``). When the next chunk would not fit, the run stops
before it with an error that says what to do (export and clear, or record with a larger
bound): the recording is never silently cut. Steps are numbered as the Lab counts them (a reset
starts again from 0), and each row keeps its time ``t`` (the time the step ran at).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ngclab.lab import export
from ngclab.lab.runner import RunObserver, RunRefused

DEFAULT_MAX_BYTES = 256 * 2 ** 20


class Recording(RunObserver):
    """Every step of ``comps`` while attached to a Runner (see the module docstring).

    Args:
        ctx: the Context. comps: compartments (objects or paths) to keep.
        max_bytes: the most memory the recorded values may take (bytes).
    """

    def __init__(self, ctx, comps, max_bytes: int = DEFAULT_MAX_BYTES):
        if isinstance(max_bytes, bool) or int(max_bytes) != max_bytes or max_bytes < 1:
            raise ValueError(f"Recording: max_bytes must be a positive number of bytes, "
                             f"got {max_bytes!r}")
        self.ctx = ctx
        self.comps = [ctx.compartment(c) for c in comps]
        if not self.comps:
            raise ValueError("Recording: give at least one compartment to record")
        self.paths = list(dict.fromkeys(c.path for c in self.comps))
        self.max_bytes = int(max_bytes)
        self.bytes_per_step = sum(int(np.prod(c.shape)) * np.dtype(str(c.dtype)).itemsize
                                  for c in {c.path: c for c in self.comps}.values())
        self.max_steps = self.max_bytes // self.bytes_per_step
        if self.max_steps < 1:
            raise ValueError(f"Recording: one step of {', '.join(self.paths)} takes "
                             f"{self.bytes_per_step} bytes, more than max_bytes={max_bytes}")
        self.dt = 1.0
        self.clear()

    # -- what the runner asks -----------------------------------------------------------------
    def records_wanted(self) -> dict[str, int | None]:
        return {p: None for p in self.paths}

    def steps_allowed(self, runner, n: int) -> int:
        room = self.max_steps - self.steps_kept
        if room <= 0:
            raise RunRefused(
                f"Recording full: it keeps at most {self.max_steps:,} steps of "
                f"{', '.join(self.paths)} (max_bytes={self.max_bytes:,}) and holds "
                f"{self.steps_kept:,}. Export it (recording.export('run.npz')) and clear it "
                f"(recording.clear()), record with a larger max_bytes, or stop recording "
                f"(lab.record(None)); then press play again.")
        return min(n, room)

    def chunk_done(self, runner, records: dict, first_step: int, steps: int) -> None:
        self.dt = runner.dt
        t0 = runner.t - steps * runner.dt
        self._steps.append(first_step + np.arange(steps))
        self._times.append(t0 + np.arange(steps) * runner.dt)
        for p in self.paths:
            self._chunks[p].append(np.array(records[p]))
        self.steps_kept += steps

    # -- what it holds ----------------------------------------------------------------------------
    @property
    def steps(self) -> np.ndarray:
        return np.concatenate(self._steps) if self._steps else np.zeros(0, dtype=np.int64)

    @property
    def times(self) -> np.ndarray:
        return np.concatenate(self._times) if self._times else np.zeros(0)

    def arrays(self) -> dict[str, np.ndarray]:
        """{path: (steps, *shape)} of everything recorded so far."""
        out = {}
        for p in self.paths:
            chunks = self._chunks[p]
            shape = tuple(self.ctx.compartments[p].shape) if p in self.ctx.compartments else ()
            out[p] = np.concatenate(chunks) if chunks else np.zeros((0, *shape), np.float32)
        return out

    @property
    def nbytes(self) -> int:
        return self.steps_kept * self.bytes_per_step

    def clear(self) -> None:
        """Forget what was recorded (the recording goes on at the next chunk)."""
        self._chunks: dict[str, list[np.ndarray]] = {p: [] for p in self.paths}
        self._steps: list[np.ndarray] = []
        self._times: list[np.ndarray] = []
        self.steps_kept = 0

    def _series(self) -> list[dict]:
        out = []
        for p, values in self.arrays().items():
            comp = self.ctx.compartments.get(p)
            attrs = {"path": p, "units": (comp.units or "") if comp else "", "kind": "recording"}
            out.append({"name": p, "values": values, "labels": None, "attrs": attrs})
        return out

    def export(self, path: str | Path) -> Path:
        """Write everything recorded to ``.csv`` (one column per element) or ``.npz``
        (``step``, ``t`` and one array per compartment); returns the path."""
        fmt = export.format_of(path, export.TABLES, "Recording.export")
        series = self._series()
        data = export.table_bytes(fmt, self.steps, self.times, series,
                                  {"context": self.ctx.name, "dt": self.dt})
        return export.write(path, data)

    def to_xarray(self) -> Any:
        """Everything recorded as an ``xarray.Dataset`` (needs xarray)."""
        return export.to_dataset(self.steps, self.times, self._series(),
                                 {"context": self.ctx.name, "dt": self.dt})

    def __repr__(self) -> str:
        return (f"<Recording of {', '.join(self.paths)}: {self.steps_kept:,} of at most "
                f"{self.max_steps:,} steps ({self.nbytes:,} of {self.max_bytes:,} bytes)>")

