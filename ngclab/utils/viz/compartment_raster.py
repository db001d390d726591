"""A raster of a recorded spike compartment for interactive use (ngc-learn 3.2.3's
``ngclearn.utils.viz.compartment_raster``): ``history`` is (T, N), neuron n's ticks at the steps
t with history[t, n] != 0, rows labelled N0, N1, ... Draws into ``ax`` or a new pyplot figure
(nothing is saved) and returns the figure."""
from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from ngclab.utils.viz._figures import as_numpy


def create_raster_plot(spike_train, ax: plt.Axes | None = None,
                       indices: Sequence[int] | None = None, s=0.5, c="black"):
    """Raster of ``spike_train`` (T, N) into ``ax`` (or a new pyplot figure)."""
    st = as_numpy(spike_train)
    steps, n_count = st.shape
    shown = n_count if indices is None else len(indices)
    if ax is None:
        size = 5 if shown < 25 else int(shown / 5)
        ax = plt.figure(figsize=(size, size)).add_subplot(111)
        ax.set_xticks(list(range(0, steps + 1, max(int(steps / 5), 1))))
    events = [np.nonzero(st[:, n])[0] for n in range(n_count) if indices is None or n in indices]
    ax.eventplot(events, linelengths=s, colors=c)
    labels = range(n_count) if indices is None else indices
    ax.set_yticks(list(range(shown)), labels=[f"N{i}" for i in labels])
    return ax.figure


__all__ = ["create_raster_plot"]
