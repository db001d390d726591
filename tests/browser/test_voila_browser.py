"""End to end: a lesson's lab as a Voila app (notebooks/demos/01_quickstart.ipynb): it renders
with no code shown, plays, and its export button downloads the plot's data (a reply of the
request/reply protocol carrying the file)."""
from __future__ import annotations

import csv
import io

import nbformat
import pytest

from tests.browser._jupyterlab import REPO, open_app, plot_signature, serve_voila, shot

DEMO = REPO / "notebooks" / "demos" / "01_quickstart.ipynb"
TRACE = "model/b:zF"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with serve_voila(tmp_path_factory.mktemp("voila"),
                     {DEMO.name: nbformat.read(DEMO, as_version=4)}) as srv, \
            open_app(srv, DEMO.name) as page:
        page.wait_for_selector("[data-ngclab-controls]", state="attached", timeout=180_000)
        page.wait_for_selector(f"[data-ngclab-trace='{TRACE}']", state="attached",
                               timeout=60_000)
        yield page


def _steps(page) -> float:
    return float(page.locator("[data-ngclab-readout='steps']").inner_text().replace(",", ""))


def test_the_app_shows_the_lab_and_no_code(app):
    for hook in ("[data-ngclab-editor]", "[data-ngclab-scope]", "[data-ngclab-knobs]",
                 "[data-ngclab-node='b']", "[data-ngclab-knob='model/b:tau_m']"):
        assert app.locator(hook).count() == 1, hook
    text = app.locator("body").inner_text()
    assert "Lab: 1. Quickstart" in text                     # the demo's title
    for code in ("from ngclab.lab import Lab", "MethodProcess(", "%%capture"):
        assert code not in text, code
    assert app.locator(".jp-CodeCell .jp-InputArea, .CodeMirror, .cm-editor").count() == 0
    assert _steps(app) == 500                               # the cell's lab.run(steps=500)
    app.locator("[data-ngclab-controls]").scroll_into_view_if_needed()
    shot(app, "voila_01_rendered")


def test_the_app_plays(app):
    app.locator("[data-ngclab-action='play']").click()
    app.wait_for_function("document.querySelector(\"[data-ngclab-readout='status']\")"
                          ".textContent === 'running'", timeout=30_000)
    start = _steps(app)
    app.wait_for_timeout(3000)
    app.locator("[data-ngclab-scope]").scroll_into_view_if_needed()
    frames = []
    for _ in range(5):
        frames.append(plot_signature(app, TRACE))
        app.wait_for_timeout(350)
    assert _steps(app) > start
    assert all(f and f["ink"] > 0 for f in frames), frames
    assert len({f["hash"] for f in frames}) > 1, frames
    shot(app, "voila_01_playing")
    app.locator("[data-ngclab-action='pause']").click()
    app.wait_for_function("document.querySelector(\"[data-ngclab-readout='status']\")"
                          ".textContent === 'paused'", timeout=30_000)


def test_the_export_button_downloads_the_plotted_data(app):
    panel = app.locator(f"[data-ngclab-trace='{TRACE}']")
    panel.scroll_into_view_if_needed()
    panel.locator(f"[data-ngclab-export='{TRACE}']").click()
    with app.expect_download(timeout=30_000) as info:
        panel.locator("[data-ngclab-export-format='csv']").click()
    download = info.value
    assert download.suggested_filename == "b_zF.csv"
    rows = list(csv.reader(io.StringIO(open(download.path()).read())))
    assert rows[0] == ["step", "t", f"{TRACE}[0]", f"{TRACE}[1]"]
    steps = [int(r[0]) for r in rows[1:]]
    assert len(steps) == 1000 and steps == list(range(steps[0], steps[0] + 1000))
    assert steps[-1] + 1 == _steps(app)                     # up to the last step taken
