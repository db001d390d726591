"""The trajectory of one spiking neuron (ngc-learn 3.2.3's ``plot_spiking_neuron``): input
current on top, membrane potential below with a dashed tick for each spike, saved to ``fname``
(default "lif_plot.png").

| shown spikes = spike * (1 - [ref >= dt])   (spikes during a refractory period are hidden)
| ticks at x = t - 1 for each step t with a shown spike, from spike_loc - spike_spr to
|   spike_loc + spike_spr;  current axis: y in [0, max(curr) + 0.2], x in [0, T]

Returns the figure. Differences from ngc-learn 3.2.3: it switches matplotlib's global backend to
Agg (which breaks inline plots in a notebook) and fails for an array ``ref`` (``ref != None`` on
an array); ngclab draws on its own Agg figure and takes ``ref`` as None or an array.
"""
from __future__ import annotations

import numpy as np

from ngclab.utils.viz._figures import as_numpy, new_figure, save


def plot_spiking_neuron(curr, mem, spike, ref, dt, thr_line=False, title=False,
                        min_mem_val=0.0, max_mem_val=1.25, spike_loc=1.0, spike_spr=0.05,
                        fname=None):
    """Plot a recorded neuron: ``curr``, ``mem``, ``spike`` (and ``ref``, its refractory
    variable, or None) over T steps of size ``dt``; ``thr_line``: a threshold line on the
    voltage axis, or False; ``title``: a title, or False."""
    curr, mem = as_numpy(curr).ravel(), as_numpy(mem).ravel()
    shown = as_numpy(spike).astype(np.float32).ravel()
    if ref is not None:
        shown = shown * (1.0 - (as_numpy(ref).ravel() >= dt).astype(np.float32))
    ticks = (np.nonzero(shown > 0.0)[0] - 1.0).tolist()

    fig = new_figure(figsize=(8, 6))
    top, bottom = fig.subplots(2, sharex=True, gridspec_kw={"height_ratios": [1, 1]})
    top.plot(curr, c="tab:blue")
    top.set_ylim([0, float(np.amax(curr)) + 0.2])
    top.set_xlim([0, curr.shape[0]])
    top.set_ylabel("Input Current ($J_t$)")
    if title:
        top.set_title(title)
    bottom.plot(mem, c="tab:red")
    bottom.vlines(x=ticks, ymin=spike_loc - spike_spr, ymax=spike_loc + spike_spr,
                  colors="black", ls="--", lw=5)
    bottom.set_ylim([min_mem_val, max_mem_val])
    bottom.set_ylabel("Membrane Potential ($V_t$)")
    if thr_line:
        bottom.axhline(y=thr_line, alpha=0.25, linestyle="dashed", c="black", linewidth=2)
    bottom.set_xlabel("Time Step $t$")
    fig.tight_layout()
    return save(fig, "lif_plot.png" if fname is None else fname)


__all__ = ["plot_spiking_neuron"]
