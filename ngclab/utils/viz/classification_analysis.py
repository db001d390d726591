"""A confusion-matrix heat map (ngc-learn 3.2.3's ``visualize_confusion_heatmap``), saved to
``out_fname`` and returned.

| norm_by "recall":    C'[i, j] = 100 C[i, j] / sum_j C[i, j]   (rows: true labels)
| norm_by "precision": C'[i, j] = 100 C[i, j] / sum_i C[i, j]   (columns: predictions)
| otherwise C' = C;  colour range [floor(min C'), ceil(max C')];  each cell shows C'[i, j]
| with one decimal, white on cells above max(C') / 2, black elsewhere
"""
from __future__ import annotations

import numpy as np

from ngclab.utils.viz._figures import as_numpy, new_figure, save


def visualize_confusion_heatmap(confuse_matrix, classes, out_fname,
                                figure_title="Confusion Matrix", color_map="Blues",
                                fontsize=10, norm_by="none"):
    """Heat map of ``confuse_matrix`` (C x C, rows = true labels) with ``classes`` as tick
    labels; ``norm_by``: "none", "recall" or "precision"."""
    conf = as_numpy(confuse_matrix).astype(np.float64)
    if "recall" in norm_by:
        conf = conf / np.sum(conf, axis=1, keepdims=True) * 100
    elif "precision" in norm_by:
        conf = conf / np.sum(conf, axis=0, keepdims=True) * 100
    fig = new_figure(figsize=(6, 6))
    ax = fig.add_subplot(111)
    image = ax.imshow(conf, interpolation="nearest", cmap=color_map,
                      vmin=np.floor(np.min(conf)), vmax=np.ceil(np.max(conf)))
    fig.colorbar(image, ax=ax, shrink=0.75)
    ticks = np.arange(len(classes))
    ax.set_xticks(ticks, labels=classes)
    ax.set_yticks(ticks, labels=classes)
    ax.set_xlabel("Predicted Label", fontsize=12, labelpad=10)
    ax.set_ylabel("True Label", fontsize=12, labelpad=10)
    ax.set_title(figure_title, fontsize=14, pad=15)
    half = conf.max() / 2.0  # dark cells get white text
    for i in range(conf.shape[0]):
        for j in range(conf.shape[1]):
            ax.text(j, i, f"{conf[i, j]:.1f}", ha="center", va="center", fontsize=fontsize,
                    color="white" if conf[i, j] > half else "black", weight="bold")
    fig.tight_layout()
    return save(fig, out_fname)


__all__ = ["visualize_confusion_heatmap"]
