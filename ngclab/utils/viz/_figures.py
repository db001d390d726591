"""Figures the viz functions draw on and save: a matplotlib Figure with an Agg canvas, outside
pyplot (so no global backend switch and nothing left open in pyplot's figure list)."""
from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def new_figure(figsize=None, dpi=None, **kwargs) -> Figure:
    """A Figure with an Agg canvas attached (savefig works for png, jpg, pdf, svg, gif)."""
    fig = Figure(figsize=figsize, dpi=dpi, **kwargs)
    FigureCanvasAgg(fig)
    return fig


def as_numpy(x) -> np.ndarray:
    """A numpy copy of an array-like (JAX arrays included)."""
    return np.asarray(x)


def save(fig: Figure, fname: str, **kwargs) -> Figure:
    """Write ``fig`` to ``fname`` (the format from its suffix) and return it."""
    fig.savefig(fname, **kwargs)
    return fig
