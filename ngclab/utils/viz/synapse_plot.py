"""Receptive-field (synapse) pictures and image/GIF writers (ngc-learn 3.2.3's
``ngclearn.utils.viz.synapse_plot``).

A filter bank is a weight matrix theta of shape (D, K): column k is filter k, a picture of
``size`` = (h, w) pixels (h w = D), unravelled in ``order`` ("C": rows first, "F": columns first).

| visualize: each bank on a ceil(sqrt K) x ceil(K / cols) grid of small pictures (bone colour
|   map), banks side by side with one empty column between them; saved to prefix + suffix
| visualize_labels: the same with lettered columns (A, B, ...) and numbered rows
| visualize_macro_grid: every bank tiled (each filter scaled by its max |value|) into one
|   image, banks on a macro_grid_shape grid separated by 2 white pixels
| viz_block: each bank tiled into one image with ``padding`` pixels between filters
|   (sizes here are (w, h), as in ngc-learn), banks side by side
| visualize_frame / visualize_gif / make_video: uint8 pixel arrays to an image file / a GIF

Image files are written with Pillow (matplotlib's own image dependency; ngc-learn uses
imageio, which ngclab does not require): ``visualize_frame`` to any format Pillow knows from
the suffix, GIFs with every frame (Pillow's ``duration`` in ms and ``loop`` keywords pass
through). The picture functions return their figure.
"""
from __future__ import annotations

import math
import os

import numpy as np
from matplotlib import cm
from matplotlib.gridspec import GridSpec
from PIL import Image

from ngclab.utils.viz._figures import as_numpy, new_figure, save


def _bank_grid(theta) -> tuple[np.ndarray, int, int]:
    """(filters as rows (K, D), grid columns, grid rows) of one bank (D, K)."""
    filters = as_numpy(theta).T
    cols = math.ceil(math.sqrt(filters.shape[0]))
    return filters, cols, math.ceil(filters.shape[0] / cols)


def visualize(thetas, sizes, prefix, order=None, suffix=".jpg", contrast_by_data=False):
    """Every filter of every bank as a small picture; saved to ``prefix + suffix``.

    Args:
        thetas: list of banks (D_b, K_b)
        sizes: list of (h, w) picture sizes, one per bank
        prefix: output file name without the suffix
        order: list of "C"/"F" unravel orders, one per bank (Default: all "C")
        suffix: (Default: ".jpg")
        contrast_by_data: colour range [min |f|, max |f|] per filter (Default: matplotlib's)
    """
    order = ["C"] * len(thetas) if order is None else order
    banks = [_bank_grid(t) for t in thetas]
    starts = [sum(b[1] for b in banks[:i]) + i for i in range(len(banks))]  # + spacer columns
    n_cols = sum(b[1] for b in banks) + len(banks) - 1
    n_rows = max(b[2] for b in banks)
    fig = new_figure(figsize=(n_cols, n_rows))
    fig.subplots_adjust(hspace=0.1, wspace=0.1)
    for b, (filters, cols, _) in enumerate(banks):
        for i, f in enumerate(filters):
            row = i // cols
            ax = fig.add_subplot(n_rows, n_cols, starts[b] + 1 + i + row * (n_cols - cols))
            lims = (float(np.min(np.abs(f))), float(np.max(np.abs(f)))) if contrast_by_data \
                else (None, None)
            ax.imshow(np.reshape(f, tuple(sizes[b]), order=order[b]), cmap=cm.bone,
                      interpolation="nearest", vmin=lims[0], vmax=lims[1])
            ax.axis("off")
    fig.subplots_adjust(top=0.9)
    return save(fig, prefix + suffix, bbox_inches="tight")


def visualize_labels(thetas, sizes, prefix, space_width=None, widths=None, suffix=".jpg"):
    """``visualize`` with lettered grid columns and numbered rows, banks separated by a
    spacer column of ``space_width`` (Default: half the widest picture); ``widths``: the
    column width of each bank (Default: the picture widths)."""
    banks = [_bank_grid(t) for t in thetas]
    starts = [sum(b[1] for b in banks[:i]) + i for i in range(len(banks))]
    n_cols = sum(b[1] for b in banks) + len(banks) - 1
    n_rows = max(b[2] for b in banks)
    max_h = max(s[0] for s in sizes)
    max_w = max(s[1] for s in sizes)
    col_w = [s[1] for s in sizes] if widths is None else list(widths)
    spacer = (math.ceil(max(col_w if widths is not None else [max_w]) / 2)
              if space_width is None else space_width)
    ratios = [col_w[0]] * banks[0][1]
    for b in range(1, len(banks)):
        ratios += [spacer] + [col_w[b]] * banks[b][1]
    fig = new_figure()
    fig.set_figheight(max_h)
    fig.set_figwidth(max_w)
    spec = GridSpec(ncols=n_cols, nrows=n_rows, figure=fig, width_ratios=ratios, wspace=0.1,
                    hspace=0.1)
    for b, (filters, cols, _) in enumerate(banks):
        for i, f in enumerate(filters):
            row = i // cols
            ax = fig.add_subplot(spec[starts[b] + i + row * (n_cols - cols)])
            if row == 0:
                ax.set_title(chr(i + 65), weight="bold")
            if i % cols == 0:
                ax.set_ylabel(str(row + 1), rotation=0, labelpad=15, size=max_h, weight="bold")
            ax.imshow(np.reshape(f, tuple(sizes[b])), cmap=cm.bone, interpolation="nearest")
            ax.xaxis.set_ticks([])
            ax.yaxis.set_ticks([])
    fig.subplots_adjust(top=0.9)
    return save(fig, prefix + suffix, bbox_inches="tight")


def macro_grid_canvas(thetas, sizes, macro_grid_shape, order=None) -> np.ndarray:
    """The image ``visualize_macro_grid`` shows: banks tiled on a white (1.0) sheet."""
    order = ["C"] * len(thetas) if order is None else order
    rows_m, cols_m = macro_grid_shape
    _, f_cols, f_rows = _bank_grid(thetas[0])
    p_h, p_w = sizes[0]
    bank_h, bank_w, pad = f_rows * p_h, f_cols * p_w, 2
    canvas = np.ones((rows_m * bank_h + (rows_m + 1) * pad, cols_m * bank_w + (cols_m + 1) * pad))
    for b, theta in enumerate(thetas[:rows_m * cols_m]):
        y0 = (b // cols_m) * bank_h + (b // cols_m + 1) * pad
        x0 = (b % cols_m) * bank_w + (b % cols_m + 1) * pad
        for i, f in enumerate(as_numpy(theta).T[:f_cols * f_rows]):
            pic = np.reshape(f, (p_h, p_w), order=order[b])
            peak = float(np.max(np.abs(pic)))
            y, x = y0 + (i // f_cols) * p_h, x0 + (i % f_cols) * p_w
            canvas[y:y + p_h, x:x + p_w] = pic / peak if peak > 0 else pic
    return canvas


def visualize_macro_grid(thetas, sizes, macro_grid_shape, prefix, order=None, suffix=".jpg",
                         contrast_by_data=True):
    """All banks in one picture (see ``macro_grid_canvas``), 10 x 10 inches at 300 dpi;
    ``contrast_by_data``: colour range [min |canvas|, max |canvas|]."""
    canvas = macro_grid_canvas(thetas, sizes, macro_grid_shape, order)
    lims = (float(np.min(np.abs(canvas))), float(np.max(np.abs(canvas)))) if contrast_by_data \
        else (None, None)
    fig = new_figure(figsize=(10, 10), dpi=300)
    ax = fig.add_subplot(111)
    ax.imshow(canvas, cmap=cm.bone, interpolation="nearest", vmin=lims[0], vmax=lims[1])
    ax.axis("off")
    return save(fig, prefix + suffix, bbox_inches="tight", pad_inches=0.0)


def viz_block(thetas, sizes, prefix, suffix=".jpg", padding=1, low_rez=True):
    """Each bank tiled into one image (filters (w, h) = sizes[b], ``padding`` pixels of the
    bank's max value between them), banks side by side; ``low_rez=False`` makes the figure as
    many inches as the images have pixels."""
    tiles = []
    for theta, (t_c, t_r) in zip(thetas, sizes):
        theta = as_numpy(theta)
        k = theta.shape[1]
        cols = math.ceil(math.sqrt(k))
        rows = math.ceil(k / cols)
        tile = np.full((t_r * rows + padding * (rows - 1), t_c * cols + padding * (cols - 1)),
                       np.amax(theta), dtype=np.float64)
        for i in range(k):
            r, c = divmod(i, cols)
            y, x = r * (t_r + padding), c * (t_c + padding)
            tile[y:y + t_r, x:x + t_c] = np.reshape(theta[:, i], (t_r, t_c))
        tiles.append(tile)
    size = None if low_rez else (sum(t.shape[1] for t in tiles), sum(t.shape[0] for t in tiles))
    fig = new_figure(figsize=size)
    for b, tile in enumerate(tiles):
        ax = fig.add_subplot(1, len(tiles), b + 1)
        ax.imshow(tile, cmap=cm.bone, interpolation="nearest")
        ax.axis("off")
    return save(fig, prefix + suffix, bbox_inches="tight")


def _image(frame) -> Image.Image:
    return Image.fromarray(as_numpy(frame).astype(np.uint8))


def visualize_frame(frame, path=".", name="tmp", suffix=".jpg", **kwargs) -> None:
    """Write the pixel array ``frame`` (H, W) or (H, W, 3|4), cast to uint8, to
    ``path/name + suffix``; ``kwargs`` go to Pillow's save (e.g. quality=95)."""
    _image(frame).save(os.path.join(path, name + suffix), **kwargs)


def _write_gif(images: list[Image.Image], fname: str, **kwargs) -> None:
    if not images:
        raise ValueError(f"cannot write the GIF {fname!r}: no frames given")
    images[0].save(fname, save_all=True, append_images=images[1:], **kwargs)


def visualize_gif(frames, path=".", name="tmp", suffix=".jpg", **kwargs) -> None:
    """Write the pixel arrays ``frames`` (cast to uint8) as the animated GIF
    ``path/name.gif`` (``suffix`` is unused, as in ngc-learn); ``kwargs``: Pillow's GIF options
    (duration in ms per frame, loop)."""
    _write_gif([_image(f) for f in frames], os.path.join(path, name + ".gif"), **kwargs)


def make_video(f_start, f_end, path, prefix, suffix=".jpg", skip=1, **kwargs) -> None:
    """Read ``path/prefix<i>suffix`` for i = f_start, f_start + skip, ..., <= f_end and write
    them as ``path/training.gif``."""
    images = []
    for i in range(f_start, f_end + 1, skip):
        print("Reading frame " + str(i))
        with Image.open(os.path.join(path, f"{prefix}{i}{suffix}")) as img:
            images.append(img.convert("RGB"))
    print("writing gif")
    _write_gif(images, os.path.join(path, "training.gif"), **kwargs)


__all__ = ["visualize", "visualize_labels", "visualize_macro_grid", "macro_grid_canvas",
           "viz_block", "visualize_frame", "visualize_gif", "make_video"]
