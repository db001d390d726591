"""End to end: in a JupyterLab without ipympl's front end, the Scope draws PNG frames.

The same kernel (ipympl installed) is served by a JupyterLab whose jupyter-matplotlib extension
is disabled, as in a front end that never had it. The Scope's "auto" backend must notice that
the browser cannot load ipympl's canvas, stay on PNG frames in an ``<img>``, and animate them.
"""
from __future__ import annotations

import pytest

from tests.browser._jupyterlab import open_notebook, serve, shot

SETUP = """\
import jax.numpy as jnp
from ngclab import Context, MethodProcess
from ngclab.components import RateCell
from ngclab.lab import Lab

with Context("model") as ctx:
    b = RateCell("b", n_units=4, tau_m=20.)
    advance = MethodProcess("advance") >> b.advance_state

lab = Lab(ctx, advance=advance, clamp={b.j: lambda t: jnp.sin(t / 10.) * jnp.ones((1, 4))},
          watch=[b.zF], steps_per_frame=5)
lab"""

CHECK = """\
print(f"BACKEND {lab.scope.backend_in_use} FRONTEND {lab.scope.frontend_has_ipympl}")"""

IMG = "[data-ngclab-trace='model/b:zF'] img"
# jupyter-matplotlib's one JupyterLab plugin (it registers ipympl's widgets) is named after
# neither its package nor its module; disable it by its id (and the package, for good measure).
# The check cell's "FRONTEND False" proves the browser really went without it.
NO_IPYMPL = ("matplotlib-jupyter:main", "jupyter-matplotlib")


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    with serve(tmp_path_factory.mktemp("nbroot"), [SETUP, CHECK],
               disabled=NO_IPYMPL) as srv, open_notebook(srv) as pg:
        pg.wait_for_selector(f"{IMG}[src^='data:image/png']", timeout=90_000)
        yield pg


def test_without_ipympl_front_end_scope_stays_on_png_and_animates(page):
    # the browser answered "no ipympl" (the check cell runs after that answer reached the kernel)
    page.wait_for_timeout(1000)
    page.evaluate("""() => {
        const nb = window.jupyterapp.shell.currentWidget;
        nb.content.activeCellIndex = 1;
        return window.jupyterapp.commands.execute('notebook:run-cell');
    }""")
    out = page.locator(".jp-Notebook .jp-Cell").nth(1).locator(".jp-OutputArea-output").inner_text()
    assert "BACKEND png FRONTEND False" in out, out
    assert page.locator("[data-ngclab-trace] canvas").count() == 0
    page.locator("[data-ngclab-action='play']").click()
    page.wait_for_function("parseFloat(document.querySelector(\"[data-ngclab-readout='steps']\")"
                           ".textContent.replace(/,/g, '')) > 0", timeout=60_000)
    page.wait_for_timeout(500)
    first = page.locator(IMG).get_attribute("src")
    page.wait_for_timeout(800)
    second = page.locator(IMG).get_attribute("src")
    page.locator("[data-ngclab-action='pause']").click()
    shot(page, "06_png_scope")
    assert first.startswith("data:image/png") and second.startswith("data:image/png")
    assert first != second
