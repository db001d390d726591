"""Two-dimensional views of code vectors (ngc-learn 3.2.3's ``ngclearn.utils.viz.dim_reduce``):
principal components, t-SNE, and a label-coloured scatter plot.

| pca(X, k): the rows of X (K, D) centred and projected on the k leading right singular
|   vectors of the centred X (each vector's largest-magnitude entry made positive, the sign
|   convention of scikit-learn's PCA)
| extract_pca_latents(X) = pca(X, 2)  (X returned as is when D = 2)
| extract_tsne_latents(X) = t-SNE of pca(X, n) (n = n_pca_comp, or max(2, D - 2) if D is
|   smaller), perplexity ``perplexity``  (X returned as is when D = 2)

Differences from ngc-learn 3.2.3 (which calls scikit-learn's IncrementalPCA and TSNE):
ngclab's PCA is the exact one (incremental PCA approximates it batch by batch; the two agree
up to that approximation) and its t-SNE is exact t-SNE in JAX (ngclab/utils/viz/_tsne.py) with
scikit-learn's default schedule rather than its Barnes-Hut approximation, deterministic (no
seed is passed in ngc-learn, so its embeddings change from run to run); ``batch_size`` is
accepted and unused. ``plot_latents`` draws on its own Agg figure instead of switching
matplotlib's global backend, and returns the figure.
"""
from __future__ import annotations

import numpy as np
from matplotlib import cm

from ngclab.utils.viz._figures import as_numpy, new_figure, save

default_cmap = cm.jet


def pca(vectors, n_components: int) -> np.ndarray:
    """The first ``n_components`` principal-component scores of the rows of ``vectors``."""
    X = as_numpy(vectors).astype(np.float64)
    n_max = min(X.shape)
    if not 1 <= n_components <= n_max:
        raise ValueError(f"pca: n_components must be in [1, {n_max}] for data of shape "
                         f"{X.shape}, got {n_components}")
    centred = X - X.mean(axis=0, keepdims=True)
    _, _, Vt = np.linalg.svd(centred, full_matrices=False)
    comps = Vt[:n_components]
    signs = np.sign(comps[np.arange(n_components), np.argmax(np.abs(comps), axis=1)])
    return centred @ (comps * signs[:, None]).T


def extract_pca_latents(vectors) -> np.ndarray:
    """(K, D) vectors -> (K, 2) principal-component scores (unchanged if D = 2)."""
    if as_numpy(vectors).shape[1] == 2:
        return vectors
    return pca(vectors, 2)


def extract_tsne_latents(vectors, perplexity=30, n_pca_comp=32, batch_size=500, verbose=1):
    """(K, D) vectors -> (K, 2) t-SNE embedding of their leading principal components
    (unchanged if D = 2); ``verbose`` prints the stages."""
    X = as_numpy(vectors)
    if X.shape[1] == 2:
        return vectors
    from ngclab.utils.viz._tsne import tsne

    n_comp = n_pca_comp if X.shape[1] >= n_pca_comp else max(2, X.shape[1] - 2)
    n_comp = min(n_comp, min(X.shape))
    if verbose:
        print(" > Projecting latents via PCA...")
    codes = pca(X, n_comp)
    if verbose:
        print(" PCA.lat.shape = ", codes.shape)
        print(" > Finishing projection via t-SNE...")
    return tsne(codes, perplexity=float(perplexity))


def plot_latents(code_vectors, labels, plot_fname="2Dcode_plot.jpg", alpha=1.0, cmap=None,
                 xaxis_title=None, yaxis_title=None):
    """Scatter plot of (K, 2) codes coloured by label (``labels``: (K, 1) integers or (K, C)
    one-hot rows), with a colour bar, saved to ``plot_fname`` at 300 dpi; returns the figure."""
    print(" > Plotting 2D latent encodings...")
    lab = as_numpy(labels)
    if lab.ndim == 2 and lab.shape[1] > 1:
        lab = np.argmax(lab, 1)
    codes = as_numpy(code_vectors)
    fig = new_figure(figsize=(8, 6))
    ax = fig.add_subplot(111)
    points = ax.scatter(codes[:, 0], codes[:, 1], c=np.ravel(lab),
                        cmap=default_cmap if cmap is None else cmap, alpha=alpha)
    fig.colorbar(points, ax=ax)
    if xaxis_title is not None:
        ax.set_xlabel(xaxis_title, fontsize=16, fontweight="bold")
    if yaxis_title is not None:
        ax.set_ylabel(yaxis_title, fontsize=16, fontweight="bold")
    ax.grid()
    return save(fig, str(plot_fname), dpi=300)


__all__ = ["extract_pca_latents", "extract_tsne_latents", "plot_latents", "pca"]
