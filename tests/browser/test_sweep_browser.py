"""End to end: a Sweep view in JupyterLab renders, updates while its chunks run, cancels, and
loads the member under the cursor into the model.

Each chunk's metric function sleeps 0.3 s, so a sweep of 16 one-member chunks lasts several
seconds whatever the machine: long enough to press Cancel in the middle of it.
"""
from __future__ import annotations

import json

import pytest

from tests.browser._jupyterlab import open_notebook, run_cell, serve, shot

SETUP = """\
import time
import numpy as np
from ngclab import Context, MethodProcess
from ngclab.components import RateCell
from ngclab.lab import Lab

with Context("model") as ctx:
    a = RateCell("a", n_units=2, tau_m=0.)
    b = RateCell("b", n_units=2, tau_m=20.)
    a.zF >> b.j
    advance = MethodProcess("advance") >> a.advance_state >> b.advance_state

def slow_last_z(result):
    time.sleep(0.3)
    return result["model/b:z"].reshape(result.members, -1).mean(axis=1)

lab = Lab(ctx, advance=advance, clamp={a.j: 0.5 * np.ones((1, 2))}, watch=[b.z])
view = lab.sweep({b.tau_m: np.linspace(2., 32., 16)}, steps=50, metric=slow_last_z,
                 record={b.z: "last"}, chunk=1)
view"""

GEOMETRY = "import json; print('GEOMETRY', json.dumps(view.plot))"
CHECK = "print(f'CHECK {view.status} {view.done} {view.selected} {float(b.tau_m.get()):g}')"

PLOT = "[data-ngclab-sweep-plot]"


def done(page) -> int:
    text = page.locator("[data-ngclab-sweep-progress]").inner_text()
    return int(text.split("/")[0])


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    with serve(tmp_path_factory.mktemp("nbroot"), [SETUP, GEOMETRY, CHECK]) as srv, \
            open_notebook(srv) as pg:
        pg.wait_for_selector(f"{PLOT}[src^='data:image/png']", timeout=120_000)
        yield pg


def test_the_sweep_view_renders_updates_cancels_and_loads_a_member(page):
    status = page.locator("[data-ngclab-sweep-status]")
    assert status.inner_text() == "ready" and done(page) == 0
    assert page.locator("[data-ngclab-sweep-progress]").inner_text() == "0 / 16 members"
    first = page.locator(PLOT).get_attribute("src")

    page.locator("[data-ngclab-sweep-action='play']").click()
    page.wait_for_function("document.querySelector('[data-ngclab-sweep-status]').textContent "
                           "=== 'running'", timeout=60_000)
    page.wait_for_function("parseInt(document.querySelector('[data-ngclab-sweep-progress]')"
                           ".textContent) >= 2", timeout=120_000)
    assert page.locator(PLOT).get_attribute("src") != first        # a new frame came
    page.locator("[data-ngclab-sweep-action='cancel']").click()
    page.wait_for_function("document.querySelector('[data-ngclab-sweep-status]').textContent "
                           "=== 'cancelled'", timeout=60_000)
    stopped = done(page)
    page.wait_for_timeout(1500)                                    # nothing runs any more
    assert done(page) == stopped and 2 <= stopped < 16
    assert page.locator("[data-ngclab-sweep-action='play']").is_disabled()
    shot(page, "sweep_view_cancelled")

    # point at member 0 (tau 2) on the curve, from the geometry the kernel sent with the frame
    out = run_cell(page, 1)
    plot = json.loads(out.split("GEOMETRY", 1)[1])
    (left, top, right, bottom), (x0, x1), (y0, y1) = plot["box"], plot["xlim"], plot["ylim"]
    fx = left + (plot["axes"][0]["values"][0] - x0) / (x1 - x0) * (right - left)
    fy = bottom - (plot["values"][0] - y0) / (y1 - y0) * (bottom - top)
    box = page.locator(PLOT).bounding_box()
    page.mouse.move(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
    tip = page.locator("[data-ngclab-sweep-hover]")
    tip.wait_for(state="visible", timeout=10_000)
    assert tip.inner_text().startswith("member 0: b:tau_m = 2;"), tip.inner_text()
    page.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
    page.wait_for_function("document.querySelector('[data-ngclab-sweep-member]')"
                           ".dataset.ngclabSweepSelected === '0'", timeout=60_000)
    shot(page, "sweep_view_loaded")
    out = run_cell(page, 2)
    assert f"CHECK cancelled {stopped} 0 2" in out, out
