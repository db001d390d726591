"""ngclab.utils.viz: the files are written, decode, have the expected pixel size / frames, and
the drawn data read back from the figures' artists equal the inputs."""
from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from PIL import Image

from ngclab.utils.viz import (classification_analysis, compartment_plot, compartment_raster,
                              dim_reduce, raster, spike_plot, synapse_plot)

RS = np.random.RandomState(3)
SPIKES = (RS.rand(30, 6) > 0.7).astype(np.float32)  # (T, N)


def _events(ax):
    """The spike times of each row of an eventplot, from its EventCollections."""
    return [np.sort(c.get_positions()) for c in ax.collections]


def test_raster_file_size_and_events(tmp_path):
    fname = str(tmp_path / "r.jpg")
    fig = raster.create_raster_plot(SPIKES[:, None, :], plot_fname=fname, tag="x")
    with Image.open(fname) as img:  # 5 x 5 inches at matplotlib's default 100 dpi
        assert img.format == "JPEG" and img.size == (500, 500)
    ax = fig.axes[0]
    for n, times in enumerate(_events(ax)):
        np.testing.assert_array_equal(times, np.nonzero(SPIKES[:, n])[0])
    assert [t.get_text() for t in ax.get_yticklabels()] == [f"N{i}" for i in range(6)]
    assert ax.get_title() == "Spike Train Raster Plot, x"
    assert not matplotlib.pyplot.get_fignums()  # nothing left open in pyplot


def test_raster_indices_into_given_axes_and_default_name(tmp_path, monkeypatch):
    fig = matplotlib.figure.Figure()
    ax = fig.add_subplot(111)
    assert raster.create_raster_plot(SPIKES, ax=ax, indices=[1, 4]) is fig
    got = _events(ax)
    np.testing.assert_array_equal(got[0], np.nonzero(SPIKES[:, 1])[0])
    np.testing.assert_array_equal(got[1], np.nonzero(SPIKES[:, 4])[0])
    monkeypatch.chdir(tmp_path)
    raster.create_raster_plot(SPIKES, suffix=".png")
    assert Image.open(tmp_path / "raster_plot.png").size == (500, 500)
    with pytest.raises(ValueError, match="create_raster_plot: spike_train must be"):
        raster.create_raster_plot(np.ones((2, 3, 4)))


def test_overlay_raster_colours(tmp_path):
    out = [(RS.rand(2, 4) > 0.5).astype(np.float32) for _ in range(12)]
    target = [(RS.rand(2, 4) > 0.5).astype(np.float32) for _ in range(12)]
    Y = np.eye(3)[[2, 0]]
    figs = raster.create_overlay_raster_plot(out, target, Y, [0, 1],
                                             plot_fname=str(tmp_path / "ov"))
    for idx, fig in enumerate(figs):
        assert (tmp_path / f"ov_{idx}.jpg").exists()
        spk = np.stack([o[idx] for o in out])
        trg = np.stack([t[idx] for t in target])
        both, missed, extra = fig.axes[0].collections
        for coll, where in ((both, spk + trg == 2), (missed, spk < trg), (extra, spk > trg)):
            t, u = np.nonzero(where)
            np.testing.assert_array_equal(coll.get_offsets(), np.stack([t, u], 1))
        assert fig.axes[0].get_title().endswith(f"Label: {[2, 0][idx]}")


def test_compartment_plot_and_raster_draw_the_history():
    trace = RS.randn(20, 3)
    fig = compartment_plot.create_plot(trace, indices=[0, 2])
    lines = fig.axes[0].get_lines()
    assert len(lines) == 2
    np.testing.assert_allclose(lines[1].get_ydata(), trace[:, 2])
    fig2 = compartment_raster.create_raster_plot(SPIKES)
    for n, times in enumerate(_events(fig2.axes[0])):
        np.testing.assert_array_equal(times, np.nonzero(SPIKES[:, n])[0])
    assert tuple(fig.get_size_inches()) == (5.0, 5.0)  # 3 units drawn: 5 inches
    matplotlib.pyplot.close("all")


def test_spike_plot(tmp_path):
    T = 40
    curr = np.linspace(0, 1, T)
    mem = np.sin(np.arange(T) / 5.0)
    spike = np.zeros(T)
    spike[[5, 6, 20]] = 1
    ref = np.zeros(T)
    ref[6] = 1.0  # refractory at step 6: that spike is hidden
    fname = str(tmp_path / "lif.png")
    fig = spike_plot.plot_spiking_neuron(curr, mem, spike, ref, dt=1.0, thr_line=0.5,
                                         title="LIF", fname=fname)
    assert Image.open(fname).size == (800, 600)
    top, bottom = fig.axes
    np.testing.assert_allclose(top.get_lines()[0].get_ydata(), curr)
    np.testing.assert_allclose(bottom.get_lines()[0].get_ydata(), mem)
    segs = bottom.collections[0].get_segments()
    assert sorted(s[0][0] for s in segs) == [4.0, 19.0]  # ticks at t - 1 for shown spikes
    assert top.get_ylim() == (0.0, 1.2)  # [0, max(curr) + 0.2]
    assert bottom.get_lines()[1].get_ydata()[0] == 0.5  # the threshold line


def test_spike_plot_keeps_the_backend(tmp_path):
    before = matplotlib.get_backend()
    spike_plot.plot_spiking_neuron(np.ones(5), np.ones(5), np.zeros(5), None, 1.0,
                                   fname=str(tmp_path / "a.png"))
    assert matplotlib.get_backend() == before


def test_confusion_heatmap(tmp_path):
    C = np.array([[5, 1, 0], [2, 6, 2], [0, 0, 4]])
    fname = str(tmp_path / "conf.png")
    fig = classification_analysis.visualize_confusion_heatmap(C, ["a", "b", "c"], fname,
                                                              norm_by="recall")
    assert Image.open(fname).size == (600, 600)
    want = C / C.sum(1, keepdims=True) * 100  # recall: rows sum to 100
    np.testing.assert_allclose(fig.axes[0].get_images()[0].get_array(), want)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts[:3] == ["83.3", "16.7", "0.0"]


def test_visualize_filter_grid(tmp_path):
    thetas = [RS.randn(12, 5), RS.randn(6, 3)]  # banks (D, K): 5 pictures 3x4, 3 pictures 2x3
    fig = synapse_plot.visualize(thetas, [(3, 4), (2, 3)], str(tmp_path / "f"),
                                 order=["C", "F"], suffix=".png")
    with Image.open(tmp_path / "f.png") as img:
        assert img.format == "PNG" and min(img.size) > 50
    images = [ax.get_images()[0].get_array() for ax in fig.axes]
    assert len(images) == 8
    np.testing.assert_allclose(images[0], thetas[0][:, 0].reshape(3, 4))
    np.testing.assert_allclose(images[5], thetas[1][:, 0].reshape((2, 3), order="F"))


def test_visualize_labels_macro_grid_and_block(tmp_path):
    thetas = [RS.randn(4, 4), RS.randn(4, 4)]
    fig = synapse_plot.visualize_labels(thetas, [(2, 2), (2, 2)], str(tmp_path / "l"),
                                        suffix=".png")
    assert (tmp_path / "l.png").exists() and fig.axes[0].get_title() == "A"
    canvas = synapse_plot.macro_grid_canvas(thetas, [(2, 2), (2, 2)], (1, 2))
    # 2 white pixels around and between banks of 2 x 2 pictures of 2 x 2 pixels
    assert canvas.shape == (2 + 4 + 2, 2 + 4 + 2 + 4 + 2)
    first = thetas[0][:, 0].reshape(2, 2)
    np.testing.assert_allclose(canvas[2:4, 2:4], first / np.abs(first).max())
    synapse_plot.visualize_macro_grid(thetas, [(2, 2), (2, 2)], (1, 2), str(tmp_path / "m"),
                                      suffix=".png")
    with Image.open(tmp_path / "m.png") as img:
        assert img.size[0] > 1000  # 10 inches at 300 dpi, cropped to the image
    fig = synapse_plot.viz_block([RS.rand(6, 3)], [(3, 2)], str(tmp_path / "b"), padding=1)
    tile = fig.axes[0].get_images()[0].get_array()
    assert tile.shape == (2 * 2 + 1, 3 * 2 + 1)  # 2 x 2 grid of (h=2, w=3) tiles, 1-pixel pad


def test_frames_and_gifs(tmp_path):
    frames = [(RS.rand(8, 10) * 255).astype(np.uint8) for _ in range(4)]
    synapse_plot.visualize_frame(frames[0], path=str(tmp_path), name="one", suffix=".png")
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "one.png")), frames[0])
    synapse_plot.visualize_frame(frames[0].astype(np.float32), path=str(tmp_path), name="j")
    assert Image.open(tmp_path / "j.jpg").size == (10, 8)
    synapse_plot.visualize_gif(frames, path=str(tmp_path), name="anim", duration=50, loop=0)
    with Image.open(tmp_path / "anim.gif") as gif:
        assert gif.n_frames == 4 and gif.size == (10, 8)
        for k in range(4):  # grey frames survive the GIF palette exactly
            gif.seek(k)
            np.testing.assert_array_equal(np.asarray(gif.convert("L")), frames[k])
    for i in range(3):
        Image.fromarray(frames[i]).save(tmp_path / f"step{i}.png")
    synapse_plot.make_video(0, 2, str(tmp_path), "step", suffix=".png")
    with Image.open(tmp_path / "training.gif") as gif:
        assert gif.n_frames == 3
    with pytest.raises(ValueError, match="no frames"):
        synapse_plot.visualize_gif([], path=str(tmp_path))


def test_pca_latents_are_principal_components():
    X = RS.randn(40, 5) @ np.diag([5.0, 3.0, 1.0, 0.5, 0.1])
    Z = dim_reduce.extract_pca_latents(X)
    C = X - X.mean(0)
    # the scores' covariance is diagonal with the top-2 eigenvalues of cov(X)
    eig = np.sort(np.linalg.eigvalsh(C.T @ C))[::-1][:2]
    np.testing.assert_allclose(Z.T @ Z, np.diag(eig), atol=1e-8 * eig[0] + 1e-8)
    Y2 = RS.randn(7, 2)
    assert dim_reduce.extract_pca_latents(Y2) is Y2


def test_pca_matches_scikit_learn():
    from sklearn.decomposition import PCA  # a test dependency; the runtime does not need it
    X = RS.randn(30, 6)
    np.testing.assert_allclose(dim_reduce.pca(X, 3), PCA(3).fit_transform(X), atol=1e-10)


def test_tsne_keeps_clusters_apart_and_plot_latents(tmp_path):
    centres = np.eye(8)[:3] * 10.0
    X = np.concatenate([RS.randn(25, 8) * 0.5 + c for c in centres])
    labels = np.repeat(np.arange(3), 25)
    Z = dim_reduce.extract_tsne_latents(X, perplexity=10, verbose=0)
    assert Z.shape == (75, 2)
    # every point's nearest embedded neighbour is from its own cluster
    d = np.sum((Z[:, None] - Z[None]) ** 2, -1) + np.eye(75) * 1e9
    assert (labels[np.argmin(d, 1)] == labels).all()
    fname = str(tmp_path / "codes.jpg")
    fig = dim_reduce.plot_latents(Z, np.eye(3)[labels], plot_fname=fname, xaxis_title="z1")
    assert Image.open(fname).size == (2400, 1800)  # 8 x 6 inches at 300 dpi
    pts = fig.axes[0].collections[0]
    np.testing.assert_allclose(pts.get_offsets(), Z)
    np.testing.assert_array_equal(pts.get_array(), labels)
