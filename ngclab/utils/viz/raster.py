"""Raster plots of spike trains (ngc-learn 3.2.3's ``ngclearn.utils.viz.raster``).

``create_raster_plot`` draws one row of spike ticks per neuron over time: spike_train is time
major, (T, N) or (T, 1, N); neuron n's ticks are at the steps t with spike_train[t, n] != 0
(``indices`` keeps some neurons only). Without ``ax`` it draws a new figure and saves it to
``plot_fname`` (default "raster_plot" + suffix).

``create_overlay_raster_plot`` compares a produced and a target spike train per sample: black
where both spike, blue where only the target spikes (missed), red where only the produced
train spikes (extra); one file per sample index, ``<plot_fname>_<idx><suffix>``.

Both return the figure(s) they drew (ngc-learn returns None). Difference from ngc-learn 3.2.3:
without ``plot_fname`` the overlay files are "raster_plot_<idx>.jpg" (ngc-learn writes
"raster_plot.jpg_<idx>.jpg").
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ngclab.utils.viz._figures import as_numpy, new_figure, save


def _time_major(spike_train) -> np.ndarray:
    st = as_numpy(spike_train)
    if st.ndim == 3 and st.shape[1] == 1:
        st = st[:, 0, :]
    if st.ndim != 2:
        raise ValueError(f"create_raster_plot: spike_train must be (T, N) or (T, 1, N), got "
                         f"shape {st.shape}")
    return st


def create_raster_plot(spike_train, ax=None, s=0.5, c="black", plot_fname=None, indices=None,
                       tag="", suffix=".jpg", title_font_size=20):
    """Raster of ``spike_train`` (T, N) or (T, 1, N); returns the figure drawn on.

    Args:
        spike_train: spikes over time (nonzero = spike)
        ax: axes to draw into (then nothing is saved)
        s: tick length (Default: 0.5)
        c: tick colour (Default: "black")
        plot_fname: file to save to when ``ax`` is None (Default: "raster_plot" + suffix)
        indices: neurons to show (Default: all)
        tag: text appended to the title
        suffix: file suffix used for the default name (Default: ".jpg")
        title_font_size: title font size (Default: 20)
    """
    st = _time_major(spike_train)
    steps, n_count = st.shape
    keep = [n for n in range(n_count) if indices is None or n in indices]
    events = [np.nonzero(st[:, n])[0] for n in keep]
    if ax is not None:
        ax.eventplot(events, linelengths=s, colors=c)
        return ax.figure
    shown = n_count if indices is None else len(indices)
    size = 5 if shown < 25 else int(shown / 5)
    fig = new_figure(figsize=(size, size))
    axes = fig.add_subplot(111)
    axes.set_title(f"Spike Train Raster Plot, {tag}", fontsize=title_font_size)
    axes.set_xlabel("Time Step")
    axes.eventplot(events, linelengths=s, colors=c)
    labels = range(n_count) if indices is None else indices
    axes.set_yticks(list(range(shown)), labels=[f"N{i}" for i in labels])
    axes.set_xticks(list(range(0, steps + 1, max(int(steps / 5), 1))))
    return save(fig, plot_fname if plot_fname is not None else "raster_plot" + suffix)


def create_overlay_raster_plot(spike_train, targ_train, Y, idxs: Sequence[int], s=1.5,
                               c="black", marker="|", plot_fname=None, indices=None,
                               end_time=100, delay=10, suffix=".jpg"):
    """Overlay rasters of produced vs target spikes, one figure (and file) per sample.

    Args:
        spike_train: list over time of (B, N) produced spikes
        targ_train: list over time of (B, N) target spikes
        Y: (B, C) one-hot labels (the title shows argmax Y[idx])
        idxs: the samples to plot
        s, marker: scatter size and marker of a spike
        plot_fname: file name prefix (Default: "raster_plot")
        end_time, delay: x ticks at 0, delay, ..., < end_time + delay
        suffix: file suffix (Default: ".jpg")

    Returns:
        the list of figures, in the order of ``idxs``
    """
    prefix = "raster_plot" if plot_fname is None else plot_fname
    figures = []
    for idx in idxs:
        spk = np.stack([as_numpy(frame)[idx] for frame in spike_train])  # (T, N)
        trg = np.stack([as_numpy(frame)[idx] for frame in targ_train])
        fig = new_figure(figsize=(10, 5), facecolor="w")
        ax = fig.add_subplot(111)
        for where, colour in ((spk + trg == 2.0, "black"), (spk < trg, "blue"),
                              (spk > trg, "red")):
            times, units = np.nonzero(where)
            ax.scatter(times, units, s=s, c=colour, marker=marker)
        ax.set_yticks(range(spk.shape[1]), labels=[str(i) for i in range(spk.shape[1])],
                      fontsize=12)
        ax.xaxis.set_ticks(np.arange(0, end_time + delay, delay))
        ax.set_title(f"Overlay Raster Plot, Label: {int(np.argmax(as_numpy(Y)[idx]))}")
        ax.set_xlabel("Time Step")
        ax.set_ylabel("Neuron Index")
        figures.append(save(fig, f"{prefix}_{idx}{suffix}"))
    return figures


__all__ = ["create_raster_plot", "create_overlay_raster_plot"]
