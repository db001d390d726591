"""Scope backends: PNG frames vs ipympl canvas widgets, and how "auto" resolves."""
from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest
from ipympl.backend_nbagg import Canvas

from ngclab import Context, MethodProcess
from ngclab.components import HebbianSynapse, RateCell
from ngclab.lab import Lab
from ngclab.lab.scope import ENV_BACKEND, Scope, resolve_backend


def make_lab(backend, name="sb"):
    with Context(name) as ctx:
        a = RateCell("a", n_units=4, tau_m=0.)
        W = HebbianSynapse("W", shape=(4, 4))
        b = RateCell("b", n_units=4, tau_m=20.)
        a.zF >> W.inputs
        W.outputs >> b.j
        adv = MethodProcess("advance") >> a.advance_state >> W.advance_state >> b.advance_state
    x = lambda t: 1.0 + jnp.sin(t / 3.) * jnp.ones((1, 4))
    return Lab(ctx, advance=adv, clamp={a.j: x}, watch=[b.zF, W.weights], steps_per_frame=5,
               scope_backend=backend)


def count_sends(panel):
    """Wrap the canvas widget's send_binary (the frame message ipympl sends to the browser)."""
    sent = []
    orig = panel.widget.send_binary
    panel.widget.send_binary = lambda data: (sent.append(len(data)), orig(data))[1]
    return sent


def test_ipympl_backend_uses_canvas_widgets_and_redraws_them():
    lab = make_lab("ipympl", "sb1")
    scope = lab.scope
    assert scope.backend_in_use == "ipympl"
    panels = scope._panels
    for path, panel in panels.items():
        assert isinstance(panel.widget, Canvas)
        assert panel.fig.canvas is panel.widget          # the figure draws on that canvas
    published = {p["path"]: p["canvas"] for p in scope.panels}
    assert published == {p: pn.widget.model_id for p, pn in panels.items()}
    assert scope.frames == {}                            # no PNG frames on this path
    trace = panels["sb1/b:zF"]
    sent = count_sends(trace)
    blits = []
    orig_blit = trace.widget.blit
    trace.widget.blit = lambda bbox=None: (blits.append(1), orig_blit(bbox))[1]
    before = scope.frames_drawn
    for _ in range(3):
        lab.step(5)          # each step is a forced frame; the trace moves every time
    # every frame blits the trace panel and ipympl sends one image (diff) message for it
    assert scope.frames_drawn - before == 3
    assert len(blits) == 3 and len(sent) == 3
    assert scope.frames == {}


def test_ipympl_frames_follow_the_data():
    lab = make_lab("ipympl", "sb2")
    trace = lab.scope._panels["sb2/b:zF"]
    lab.step(5)
    a = np.asarray(trace.widget.buffer_rgba()).copy()
    lab.step(5)
    b = np.asarray(trace.widget.buffer_rgba())
    assert a.shape == b.shape and not np.array_equal(a, b)   # the traces moved


def test_png_backend_still_sends_png_frames():
    lab = make_lab("png", "sb3")
    scope = lab.scope
    assert scope.backend_in_use == "png"
    assert all(p.widget is None for p in scope._panels.values())
    assert all(p["canvas"] is None for p in scope.panels)
    first = scope.frames["sb3/b:zF"]
    lab.step(5)
    assert set(scope.frames) == {"sb3/b:zF", "sb3/W:weights"}
    assert all(f.startswith("data:image/png;base64,") for f in scope.frames.values())
    assert scope.frames["sb3/b:zF"] != first


@pytest.mark.parametrize("bad", ["svg", "PNG", "", None])
def test_unknown_backend_raises_listing_valid_ones(bad):
    lab = make_lab("png", "sb4")
    for make in (lambda: Scope(lab.ctx, backend=bad), lambda: make_lab(bad, "sb5")):
        with pytest.raises(ValueError) as err:
            make()
        msg = str(err.value)
        assert all(name in msg for name in ("'auto'", "'png'", "'ipympl'"))


def test_auto_rule(monkeypatch):
    monkeypatch.delenv(ENV_BACKEND, raising=False)
    assert resolve_backend("auto") == "png"             # the default (see resolve_backend)
    assert Scope(make_lab("png", "sb9").ctx).backend_in_use == "png"
    monkeypatch.setenv(ENV_BACKEND, "png")
    assert resolve_backend("auto") == "png"
    assert resolve_backend("ipympl") == "ipympl"         # an explicit choice wins
    monkeypatch.setenv(ENV_BACKEND, "ipympl")
    assert resolve_backend("auto") == "ipympl"
    monkeypatch.setenv(ENV_BACKEND, "gif")
    with pytest.raises(ValueError, match=ENV_BACKEND):
        resolve_backend("auto")
    assert resolve_backend("png") == "png"


def test_fallback_message_switches_to_png_and_keeps_traces():
    lab = make_lab("ipympl", "sb6")
    scope = lab.scope
    lab.run(20)
    old = dict(scope._panels)
    steps_before, count_before = old["sb6/b:zF"].ordered()[0].copy(), old["sb6/b:zF"].count
    assert scope._handle({"type": "fallback", "reason": "no jupyter-matplotlib"})["ok"]
    assert scope.backend_in_use == "png"
    assert all(p.widget is None for p in old.values())   # the canvases were closed
    new = scope._panels["sb6/b:zF"]
    assert new.count == count_before and np.array_equal(new.ordered()[0], steps_before)
    assert all(f.startswith("data:image/png") for f in scope.frames.values())
    assert all(p["canvas"] is None for p in scope.panels)


def test_removing_a_panel_closes_its_canvas():
    lab = make_lab("ipympl", "sb7")
    widget = lab.scope._panels["sb7/W:weights"].widget
    assert widget.comm is not None
    lab.scope.remove("sb7/W:weights")
    assert widget.comm is None
    assert [p["path"] for p in lab.scope.panels] == ["sb7/b:zF"]


def test_a_new_canvas_view_gets_the_size_again():
    lab = make_lab("ipympl", "sb8")
    panel = lab.scope._panels["sb8/b:zF"]
    sent = []
    orig = panel.widget.send
    panel.widget.send = lambda content, buffers=None: (sent.append(content), orig(content, buffers))[1]
    assert lab.scope._handle({"type": "canvas_shown", "id": panel.widget.model_id})["ok"]
    # figsize (4.6, 2.2) inches at 80 dpi = 368 x 176 pixels
    assert any('"resize"' in c["data"] and "368" in c["data"] and "176" in c["data"] for c in sent)
