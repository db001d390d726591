"""A ring buffer of the last ``window`` steps: bounded memory whatever the length of a run."""
from __future__ import annotations

import numpy as np


class Ring:
    """Rows of named columns for the last ``window`` steps, with the step number of each row.

    ``columns`` maps a name to (width, dtype); ``push`` appends rows for consecutive steps and
    ``ordered`` returns them oldest first.
    """

    def __init__(self, window: int, columns: dict[str, tuple[int, str]]):
        if isinstance(window, bool) or int(window) != window or window < 1:
            raise ValueError(f"window must be a positive number of steps, got {window!r}")
        self.window = int(window)
        self.data = {name: np.zeros((self.window, width), dtype=dtype)
                     for name, (width, dtype) in columns.items()}
        self.steps = np.zeros(self.window, dtype=np.int64)
        self.count = 0          # rows written so far (the next row goes to count % window)

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in self.data.values())

    def push(self, first_step: int, rows: dict[str, np.ndarray]) -> None:
        """Append rows (``rows[name]``: (k, width)) for steps first_step .. first_step + k - 1."""
        k = len(next(iter(rows.values())))
        skip = max(0, k - self.window)   # only the last `window` rows can be kept: copy those
        idx = (self.count + skip + np.arange(k - skip)) % self.window
        for name, values in rows.items():
            self.data[name][idx] = values[skip:]
        self.steps[idx] = first_step + np.arange(skip, k)
        self.count += k

    def ordered(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(steps, rows of ``name``), oldest first."""
        n = min(self.count, self.window)
        if self.count <= self.window:
            return self.steps[:n], self.data[name][:n]
        start = self.count % self.window
        order = np.r_[start:self.window, 0:start]
        return self.steps[order], self.data[name][order]

    def adopt(self, other: "Ring") -> None:
        """Take over another ring's rows (same window and columns), e.g. a rebuilt panel's."""
        if other.window != self.window or other.data.keys() != self.data.keys():
            raise ValueError("a ring can only adopt a ring of the same window and columns")
        self.data = {k: v.copy() for k, v in other.data.items()}
        self.steps, self.count = other.steps.copy(), other.count

    def clear(self) -> None:
        self.count = 0
