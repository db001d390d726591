"""Scope backends: PNG frames vs ipympl canvas widgets, and how "auto" resolves."""
from __future__ import annotations

import base64
import io

import jax.numpy as jnp
import numpy as np
import pytest
from ipympl.backend_nbagg import Canvas
from PIL import Image

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
    # no front end has answered yet (papermill, nbval, scripts): PNG
    assert resolve_backend("auto") == "png"
    assert resolve_backend("auto", frontend_has_ipympl=None) == "png"
    # the browser says whether it can load jupyter-matplotlib
    assert resolve_backend("auto", frontend_has_ipympl=True) == "ipympl"
    assert resolve_backend("auto", frontend_has_ipympl=False) == "png"
    assert Scope(make_lab("png", "sb9").ctx).backend_in_use == "png"
    monkeypatch.setenv(ENV_BACKEND, "png")               # the variable overrides the answer
    assert resolve_backend("auto", frontend_has_ipympl=True) == "png"
    assert resolve_backend("ipympl") == "ipympl"         # an explicit choice wins
    monkeypatch.setenv(ENV_BACKEND, "ipympl")
    assert resolve_backend("auto") == "ipympl"
    assert resolve_backend("auto", frontend_has_ipympl=False) == "ipympl"
    monkeypatch.setenv(ENV_BACKEND, "gif")
    with pytest.raises(ValueError, match=ENV_BACKEND):
        resolve_backend("auto")
    assert resolve_backend("png") == "png"


def test_auto_switches_to_ipympl_when_the_front_end_has_it(monkeypatch):
    monkeypatch.delenv(ENV_BACKEND, raising=False)
    lab = make_lab("auto", "sb10")
    scope = lab.scope
    assert scope.backend_in_use == "png"
    # the front end is told what to look up: ipympl's own module, version range and model
    assert scope.ipympl_module == [Canvas._model_module.default_value,
                                   Canvas._model_module_version.default_value, "MPLCanvasModel"]
    lab.run(20)
    count_before = scope._panels["sb10/b:zF"].count
    assert scope._handle({"type": "frontend", "ipympl": True})["ok"]
    assert scope.backend == "auto" and scope.backend_in_use == "ipympl"
    assert all(isinstance(p.widget, Canvas) for p in scope._panels.values())
    assert scope._panels["sb10/b:zF"].count == count_before       # the traces were kept
    assert scope.frames == {}
    assert scope._handle({"type": "frontend", "ipympl": False})["ok"]   # another browser
    assert scope.backend_in_use == "png"
    assert all(f.startswith("data:image/png") for f in scope.frames.values())


def test_after_a_failed_canvas_auto_stays_on_png(monkeypatch):
    # the browser could load ipympl's classes but could not show a canvas (a version clash):
    # a later view answering "ipympl: yes" must not switch back to canvases that fail again
    monkeypatch.delenv(ENV_BACKEND, raising=False)
    lab = make_lab("auto", "sb12")
    assert lab.scope._handle({"type": "frontend", "ipympl": True})["ok"]
    assert lab.scope.backend_in_use == "ipympl"
    assert lab.scope._handle({"type": "fallback", "reason": "view failed"})["ok"]
    assert lab.scope._handle({"type": "frontend", "ipympl": True})["ok"]
    assert lab.scope.backend_in_use == "png" and lab.scope.frontend_has_ipympl is False


def test_an_explicit_backend_ignores_the_front_end():
    lab = make_lab("png", "sb11")
    assert lab.scope.ipympl_module == []                 # nothing to ask the browser
    assert lab.scope._handle({"type": "frontend", "ipympl": True})["ok"]
    assert lab.scope.backend_in_use == "png"


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


def test_canvas_opens_with_a_valid_image_and_keeps_it():
    # ipympl's front end draws the `_data_url` image whenever the canvas size changes; a bare
    # base64 string or none at all throws there and leaves the view 0x0 (matplotlib/ipympl#472)
    lab = make_lab("ipympl", "sb8")
    widget = lab.scope._panels["sb8/b:zF"].widget
    opened = widget.get_state()["_data_url"]
    head, _, data = opened.partition(",")
    assert head == "data:image/png;base64"
    png = Image.open(io.BytesIO(base64.b64decode(data)))
    assert png.format == "PNG" and png.size == (1, 1)
    lab.step(5)          # frames drawn before the browser's model exists must not replace it
    assert widget._data_url == opened
