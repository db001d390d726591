"""Line plots of a recorded compartment for interactive use (ngc-learn 3.2.3's
``ngclearn.utils.viz.compartment_plot``): ``history`` is (T, N); one line per unit k (its
values history[:, k] over the T steps), ``indices`` keeps some units only. Draws into ``ax`` or a
new pyplot figure (nothing is saved) and returns the figure.

Difference from ngc-learn 3.2.3: a new figure is sized by the number of units drawn (5 inches
below 25 units, units / 5 above), as in its rasters; ngc-learn sizes it by the number of time
steps, so a 1000-step recording asks for a 200 x 200 inch figure."""
from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt

from ngclab.utils.viz._figures import as_numpy


def create_plot(history, ax: plt.Axes | None = None, indices: Sequence[int] | None = None):
    """One line per unit of ``history`` (T, N) into ``ax`` (or a new pyplot figure)."""
    h = as_numpy(history)
    if ax is None:
        shown = h.shape[1] if indices is None else len(indices)
        size = 5 if shown < 25 else int(shown / 5)
        ax = plt.figure(figsize=(size, size)).add_subplot(111)
    for k in range(h.shape[1]):
        if indices is None or k in indices:
            ax.plot(h[:, k])
    return ax.figure


__all__ = ["create_plot"]
