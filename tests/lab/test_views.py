"""The Scope's views: a raster with the population rate, an XY (phase-plane) panel, and the
selection of cells that keeps a large population readable."""
from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

from ngclab import Context, MethodProcess
from ngclab.components import LIFCell, RateCell
from ngclab.lab import Lab, Scope
from ngclab.lab.panel import parse_selection, plot_kind, selection_text


def spiking(n=8, name="sp"):
    with Context(name) as ctx:
        z = LIFCell("z", n, tau_m=10.)
        a = RateCell("a", n_units=3, tau_m=0.)
        b = RateCell("b", n_units=3, tau_m=0.)
        adv = MethodProcess("adv") >> z.advance_state >> a.advance_state >> b.advance_state
    return ctx, z, a, b, adv


def test_raster_rate_counts_every_cell_of_the_population_not_only_the_drawn_ones():
    ctx, z, *_ = spiking(8, "r1")
    scope = Scope(ctx, watch=[z.s], window=100)
    panel = scope._panels["r1/z:s"]
    assert plot_kind(z.s) == "raster" and panel.kind == "raster"
    scope.select(z.s, [4, 5])                           # draw two cells that never fire
    panel = scope._panels["r1/z:s"]
    s = np.zeros((100, 1, 8), np.float32)
    s[:, 0, :4] = 1.0                                   # cells 0-3 fire at every step
    scope.push({"r1/z:s": s}, 0)
    scope.draw(force=True)
    x = (panel.ordered()[0] - 99) * 1.0
    # fraction active = 4/8 per step of dt = 1 ms: 0.5 * 1000 / 1 = 500 Hz in every bin
    np.testing.assert_allclose(panel.rates(x), 500.0)
    assert panel.summary()["spikes"] == 0               # the drawn cells are silent
    assert len(panel.artists[0].get_offsets()) == 0
    lo, hi = panel.artists[1].axes.get_ylim()
    assert lo == 0.0 and hi >= 500.0                    # the rate axis shows the rate


def test_raster_dots_sit_at_the_cells_and_the_y_axis_spans_the_selection():
    ctx, z, *_ = spiking(8, "r2")
    scope = Scope(ctx, watch=[z.s], window=10)
    scope.dt = 0.5
    s = np.zeros((10, 1, 8), np.float32)
    s[9, 0, 6] = s[3, 0, 1] = 1.0                       # cell 6 at the last step, 1 at step 3
    scope.push({"r2/z:s": s}, 0)
    scope.draw(force=True)
    panel = scope._panels["r2/z:s"]
    dots = sorted(map(tuple, panel.artists[0].get_offsets().tolist()))
    # x = (step - last step) * dt: step 3 -> -3, step 9 -> 0
    assert dots == [(-3.0, 1.0), (0.0, 6.0)]
    assert panel.ylim() == (-0.5, 7.5)                  # cells 0..7
    # a spike count over the window, from the rates: sum(rate * steps * dt / 1000) * n
    x = (panel.ordered()[0] - 9) * 0.5
    rates = panel.rates(x)
    edges = np.linspace(-10 * 0.5, 0, panel.BINS + 1)
    per_bin = np.bincount(np.clip(np.searchsorted(edges, x, "right") - 1, 0, panel.BINS - 1),
                          minlength=panel.BINS)
    assert np.isclose((rates * per_bin * 0.5 / 1000).sum() * 8, 2.0)


def test_a_4000_cell_raster_draws_a_readable_subset():
    ctx, z, *_ = spiking(4000, "r3")
    scope = Scope(ctx, watch=[z.s], window=50)
    panel = scope._panels["r3/z:s"]
    # default: every 32nd cell (4000 / 128 rounded up), so at most 128 rows are drawn
    assert panel.selection == list(range(0, 4000, 32)) and len(panel.selection) == 125
    assert scope.panels[0]["selection"] == "0:3969:32"
    assert panel.ring.nbytes == 50 * 125 * 1 + 50 * 4   # uint8 spikes + the rate column
    scope.draw(force=True)
    assert panel.ylim() == (-0.5, 3968.5)
    assert scope._handle({"type": "select", "path": "r3/z:s", "selection": "100:200"})["ok"]
    panel = scope._panels["r3/z:s"]
    scope.draw(force=True)
    assert panel.selection == list(range(100, 200)) and panel.ylim() == (99.5, 199.5)
    r = scope._handle({"type": "select", "path": "r3/z:s", "selection": "3990:4010"})
    assert not r["ok"] and "cells 0..3999" in r["message"] and "4000" in r["message"]


def test_selection_text_reads_back():
    for sel in ([0, 1, 2, 3], [5], [1, 4, 7, 10], [2, 9, 3], list(range(0, 4000, 40))):
        assert parse_selection(selection_text(sel), 4000) == sel
    assert parse_selection("2-5", 10) == [2, 3, 4] and parse_selection(slice(None, None, 3), 7) \
        == [0, 3, 6]
    with pytest.raises(ValueError, match="cannot read the selection 'a:b'"):
        parse_selection("a:b", 10)
    with pytest.raises(ValueError, match="no cells"):
        parse_selection("5:5", 10)


def test_xy_panel_draws_y_against_x_for_the_same_cells():
    ctx, z, a, b, adv = spiking(4, "xy")
    lab = Lab(ctx, adv, clamp={a.j: lambda t: t * jnp.ones((1, 3)),
                               b.j: lambda t: t * t * jnp.ones((1, 3))},
              watch=[(a.zF, b.zF)], steps_per_frame=5, window=20)
    key = "xy/a:zF vs xy/b:zF"
    assert lab.scope.watched == [key] and lab.scope.recorded() == ["xy/a:zF", "xy/b:zF"]
    assert sorted(lab.editor.watched) == ["xy/a:zF", "xy/b:zF"]   # both ports show watched
    lab.run(12)
    panel = lab.scope._panels[key]
    assert panel.kind == "xy" and panel.selection == [0, 1, 2]
    line, dot = panel.artists[0], panel.artists[1]
    t = np.arange(12.0)                                 # step i runs at t = i (dt = 1)
    np.testing.assert_allclose(line.get_xdata(), t)     # x = z_a = t
    np.testing.assert_allclose(line.get_ydata(), t * t)  # y = z_b = t^2
    assert (dot.get_xdata()[0], dot.get_ydata()[0]) == (11.0, 121.0)   # where it is now
    x0, x1 = line.axes.get_xlim()
    y0, y1 = line.axes.get_ylim()
    assert x0 <= 0 and x1 >= 11 and y0 <= 0 and y1 >= 121
    assert panel.title == "b:zF against a:zF"
    lab.scope.remove(key)
    assert lab.scope.watched == [] and lab.editor.watched == []
    assert lab.scope.add_xy("xy/b:zF", a.zF, selection="1") == "xy/b:zF vs xy/a:zF"
    with pytest.raises(ValueError, match="two compartments"):
        lab.scope.add((a.zF, b.zF, z.v))


def test_spikes_draw_as_rasters_and_a_time_of_last_spike_as_a_trace():
    from ngclab.components import PoissonCell
    with Context("kinds"):
        enc = PoissonCell("enc", 4)
        z = LIFCell("z", 4, tau_m=10.)
    assert plot_kind(enc.outputs) == "raster"            # an encoder's "Spikes"
    assert plot_kind(z.s) == "raster" and plot_kind(z.s_raw) == "raster"
    assert plot_kind(enc.tols) == "trace" and plot_kind(z.tols) == "trace"   # times (ms)
