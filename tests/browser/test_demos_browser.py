"""End to end: every lesson's lab stays alive. Each demo notebook (notebooks/demos/, one per
lesson with a lab; see ngclab.course.demos) runs in JupyterLab in Chromium; after 10 s of
play its plots must still be moving and not empty, and a raster's y axis must span the cells
it draws.

All the demos open in one JupyterLab page (a tab and a kernel each) and run their cells at once,
with the lesson's regression parameters (tests/notebooks/goldens.json), as the regression suite
runs the lessons: smaller, the same code; lesson 9's lab runs one presentation (``T`` steps)
before play so its one chunk length compiles once. Then each plays for 10 s in turn. "Moving"
is read from the page: the pixels of each panel's data area (``data-ngclab-box``) differ
between frames (taken every 0.4 s, up to 16 s: a loaded machine draws slowly) and some of them
are ink. What the plots hold is read from the kernel (``Panel.summary``).
"""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from tests.browser._jupyterlab import (REPO, activate, open_lab, open_tab, plot_signature, run_cell,
                                        serve, shot)

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


def _in_tab(page, selector: str) -> str:
    """The selector within the current tab (every tab has its own lab on the page)."""
    return f"[id='{page.evaluate('window.jupyterapp.shell.currentWidget.id')}'] {selector}"


def _steps(page) -> float:
    text = page.locator(_in_tab(page, "[data-ngclab-readout='steps']")).inner_text()
    return float(text.replace(",", ""))


def _status(page, status: str) -> None:
    page.wait_for_function(f"""() => {{
        const tab = window.jupyterapp.shell.currentWidget.node;
        const s = tab.querySelector("[data-ngclab-readout='status']");
        return s && s.textContent === '{status}';
    }}""", timeout=60_000)


def _press(page, action: str) -> None:
    # a DOM click: the button is there; a mouse click would wait for the page to settle
    page.evaluate(f"""() => window.jupyterapp.shell.currentWidget.node
        .querySelector("[data-ngclab-action='{action}']").click()""")


CODE_CELLS = ("window.jupyterapp.shell.currentWidget.content.widgets"
              ".filter((c) => c.model.type === 'code')")
FAILED = "(c) => c.model.outputs.toJSON().some((o) => o.output_type === 'error')"


@pytest.fixture(scope="module")
def played(server):
    """Every demo in one JupyterLab (a tab and a kernel each): all run their cells at once, then
    each in turn plays for 10 s, is sampled, paused, checked and shut down (one kernel plays at
    a time: several playing at once share the cores, and a pause waits for a busy kernel).
    {demo: {"keys", "frames", "steps", "out"}}."""
    seen = {}
    with open_lab(server) as page:
        tabs = {p.name: open_tab(page, p.name) for p in DEMOS}
        for name, wid in tabs.items():         # every cell ran (the last is the check cell)
            activate(page, wid)                # or one failed (run-all stops there)
            page.wait_for_function(f"() => {{ const cells = {CODE_CELLS}; return "
                                   "cells.at(-1).model.executionCount !== null || "
                                   f"cells.some({FAILED}); }}", timeout=300_000)
            cells = page.evaluate(f"""() => {CODE_CELLS}.map((c) => ({{
                ran: c.model.executionCount !== null,
                errors: c.model.outputs.toJSON().filter((o) => o.output_type === 'error')
                    .map((o) => `${{o.ename}}: ${{o.evalue}}`)}}))""")
            keys = page.evaluate("""() => [...window.jupyterapp.shell.currentWidget.node
                .querySelectorAll('[data-ngclab-trace]')].map((p) => p.dataset.ngclabTrace)""")
            seen[name] = {"cells": cells, "keys": keys, "frames": []}
        for name, wid in tabs.items():
            if not all(c["ran"] and not c["errors"] for c in seen[name]["cells"]):
                continue                       # its test reports the failed cell
            activate(page, wid)
            _press(page, "play")
            _status(page, "running")
            seen[name]["steps"] = [_steps(page)]
            page.wait_for_timeout(10_000)
            page.locator(_in_tab(page, "[data-ngclab-scope]")).scroll_into_view_if_needed()
            frames, keys = seen[name]["frames"], seen[name]["keys"]
            for _ in range(40):  # frames until each plot changed (a periodic input may show
                frames.append({k: plot_signature(page, k) for k in keys})   # a picture twice)
                moved = all(len({f[k]["hash"] for f in frames if f[k]}) > 1 for k in keys)
                if len(frames) >= 3 and moved:
                    break
                page.wait_for_timeout(400)
            seen[name]["steps"].append(_steps(page))
            shot(page, f"demo_{name.removesuffix('.ipynb')}")
            _press(page, "pause")
            _status(page, "paused")
            last = page.evaluate("window.jupyterapp.shell.currentWidget.content.widgets.length")
            seen[name]["out"] = run_cell(page, last - 1)
            page.evaluate("window.jupyterapp.shell.currentWidget.sessionContext.shutdown()")
    return seen


@pytest.mark.parametrize("demo", [p.name for p in DEMOS])
def test_the_lab_is_alive_after_ten_seconds_of_play(played, demo):
    seen = played[demo]
    # the demo runs on its own, every cell without an error (so nbval need not run it again)
    failed = [(i, c["errors"]) for i, c in enumerate(seen["cells"])
              if not c["ran"] or c["errors"]]
    assert not failed, f"code cells that failed or did not run: {failed}"
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
