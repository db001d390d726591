"""End to end: every lesson's lab stays alive. Each demo notebook (notebooks/demos/, one per
lesson with a lab; see ngclab.course.demos) runs in JupyterLab in Chromium; after 10 s of
play its plots must still be moving and not empty, and a raster's y axis must span the cells
it draws.

All the demos run at once (a page and a kernel each, 10 s of play shared), with the lesson's
regression parameters (tests/notebooks/goldens.json), as the regression suite runs the lessons:
smaller, the same code; lesson 9's lab runs one presentation (``T`` steps) before play so its
one chunk length compiles once. "Moving" is read from the page: the
pixels of each panel's data area (``data-ngclab-box``) differ between frames taken over 1.5 s
and some of them are ink. What the plots hold is read from the kernel (``Panel.summary``).
"""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from tests.browser._jupyterlab import REPO, open_notebooks, plot_signature, run_cell, serve, shot

DEMOS = sorted((REPO / "notebooks" / "demos").glob("*.ipynb"))
GOLDENS = json.loads((REPO / "tests" / "notebooks" / "goldens.json").read_text())
FASTER = {"09_spiking_stdp.ipynb": {"lab_steps": 60}}
CHECK = """\
import json as _json
print("SCOPE " + _json.dumps({k: p.summary() for k, p in lab.scope._panels.items()}))
print(f"RUN {lab.runner.status} {lab.step_count} {lab.error!r}")"""


def for_the_browser(path: Path) -> nbformat.NotebookNode:
    """The demo with its lesson's regression parameters, and a cell that reports the scope."""
    nb = nbformat.read(path, as_version=4)
    params = {**GOLDENS.get(path.name, {}).get("parameters", {}), **FASTER.get(path.name, {})}
    for cell in nb.cells:
        if "parameters" in cell.metadata.get("tags", []) and params:
            cell.source += "\n" + "\n".join(f"{k} = {v!r}" for k, v in params.items())
    nb.cells.append(nbformat.v4.new_code_cell(CHECK))
    return nb


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    notebooks = {p.name: for_the_browser(p) for p in DEMOS}
    with serve(tmp_path_factory.mktemp("demos"), None, notebooks=notebooks) as srv:
        yield srv


def test_every_lesson_with_a_lab_has_a_demo():
    lessons = sorted(p.name for p in (REPO / "notebooks").glob("*.ipynb")
                     if "from ngclab.lab import Lab" in p.read_text())
    assert [p.name for p in DEMOS] == lessons and lessons


def _steps(page) -> float:
    return float(page.locator("[data-ngclab-readout='steps']").inner_text().replace(",", ""))


def _status(page, status: str) -> None:
    page.wait_for_function(f"document.querySelector(\"[data-ngclab-readout='status']\")"
                           f".textContent === '{status}'", timeout=60_000)


@pytest.fixture(scope="module")
def played(server):
    """Every demo at once (a page and a kernel each): run, played for 10 s together, then
    sampled. {demo: {"keys", "frames", "steps", "out"}}."""
    seen = {}
    with open_notebooks(server, [p.name for p in DEMOS]) as pages:
        for name, page in pages.items():       # every cell ran (the last is the check cell)
            page.wait_for_function("window.jupyterapp.shell.currentWidget.content.widgets"
                                   ".at(-1).model.executionCount !== null", timeout=300_000)
            page.wait_for_selector("[data-ngclab-controls]", state="attached", timeout=30_000)
            keys = page.evaluate("[...document.querySelectorAll('[data-ngclab-trace]')]"
                                 ".map((p) => p.dataset.ngclabTrace)")
            seen[name] = {"keys": keys, "frames": []}
        for name, page in pages.items():
            page.locator("[data-ngclab-controls]").scroll_into_view_if_needed()
            page.locator("[data-ngclab-action='play']").click()
        for name, page in pages.items():
            _status(page, "running")
            seen[name]["steps"] = [_steps(page)]
        pages[next(iter(pages))].wait_for_timeout(10_000)
        for name, page in pages.items():
            page.locator("[data-ngclab-scope]").scroll_into_view_if_needed()
        for _ in range(6):      # a periodic input may show the same picture twice: take six
            for name, page in pages.items():
                seen[name]["frames"].append({k: plot_signature(page, k) for k in seen[name]["keys"]})
            pages[next(iter(pages))].wait_for_timeout(400)
        for name, page in pages.items():
            seen[name]["steps"].append(_steps(page))
            shot(page, f"demo_{name.removesuffix('.ipynb')}")
            page.locator("[data-ngclab-action='pause']").click()
        for name, page in pages.items():
            _status(page, "paused")
            last = page.evaluate("window.jupyterapp.shell.currentWidget.content.widgets.length")
            seen[name]["out"] = run_cell(page, last - 1)
            page.evaluate("window.jupyterapp.shell.currentWidget.sessionContext.shutdown()")
    return seen


@pytest.mark.parametrize("demo", [p.name for p in DEMOS])
def test_the_lab_is_alive_after_ten_seconds_of_play(played, demo):
    seen = played[demo]
    keys, frames, out = seen["keys"], seen["frames"], seen["out"]
    assert keys, "the demo's scope watches nothing"
    assert seen["steps"][1] > seen["steps"][0], "no steps were taken while playing"
    for k in keys:
        assert all(f[k] for f in frames), (k, frames)
        assert len({f[k]["hash"] for f in frames}) > 1, f"{k} did not change between frames"
        assert all(f[k]["ink"] > 0 for f in frames), f"{k} is empty"
    summary = json.loads(out.split("SCOPE ", 1)[1].splitlines()[0])
    assert "RUN paused" in out and "''" in out.split("RUN", 1)[1], out
    for key, s in summary.items():
        assert s["rows"] > 0, (key, s)
        if s["kind"] == "raster":
            lo, hi = s["span"]
            assert s["ylim"] == [lo - 0.5, hi + 0.5], (key, s)   # spans the drawn cells
            assert s["spikes"] > 0, (key, s)
        assert s["max"] > s["min"], (key, s)                     # not a flat picture
