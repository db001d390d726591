"""JupyterLab and Chromium for the browser tests.

``serve`` starts one JupyterLab (127.0.0.1, a free port, token auth) on a temporary folder
holding a notebook made of the given cells (and any other notebooks given); ``open_notebook``
opens one in Debian's chromium (driven by playwright) and runs all its cells. JupyterLab
front-end extensions can be disabled per server (``disabled``), to test how the lab behaves
without them. ``plot_signature`` reads a Scope panel's pixels (PNG frame or ipympl canvas).
"""
from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import nbformat
from playwright.sync_api import sync_playwright

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
REPO = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def notebook(cells: list[str]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return nb


@contextmanager
def serve(root: Path, cells: list[str] | None, disabled: tuple[str, ...] = (),
          notebooks: dict[str, nbformat.NotebookNode] | None = None):
    """JupyterLab serving ``root/lab_test.ipynb`` (made of ``cells``) and ``notebooks``
    ({file name: notebook}); yields url, token and root."""
    if cells is not None:
        nbformat.write(notebook(cells), root / "lab_test.ipynb")
    for name, nb in (notebooks or {}).items():
        nbformat.write(nb, root / name)
    settings = root / ".settings"
    notes = settings / "@jupyterlab" / "apputils-extension"
    notes.mkdir(parents=True)
    (notes / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    config = root / ".jupyter-config"
    if disabled:   # JupyterLab reads disabled front-end extensions from labconfig/page_config.json
        (config / "labconfig").mkdir(parents=True)
        (config / "labconfig" / "page_config.json").write_text(
            json.dumps({"disabledExtensions": {name: True for name in disabled}}))
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "JUPYTER_CONFIG_DIR": str(config)}
    log = open(root / "server.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
         "--LabApp.news_url=None", "--ServerApp.port_retries=0",
         "--LabApp.extension_manager=readonly", f"--LabApp.user_settings_dir={settings}",
         f"--LabServerApp.workspaces_dir={root / '.workspaces'}"]
        + (["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    try:
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except Exception:
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError("JupyterLab did not start:\n"
                                       + (root / "server.log").read_text())
                time.sleep(0.3)
        yield {"url": url, "token": token, "root": root}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _open(browser, server: dict, name: str):
    """A page of ``browser`` on one of the server's notebooks, its kernel idle, all cells
    started."""
    pg = browser.new_page(viewport={"width": 1400, "height": 1300}, accept_downloads=True)
    # ?reset: a fresh workspace, so the page shows this notebook only (not the last one)
    pg.goto(f"{server['url']}/lab/tree/{name}?token={server['token']}&reset")
    pg.wait_for_function("window.jupyterapp && window.jupyterapp.shell.currentWidget "
                         "&& window.jupyterapp.shell.currentWidget.sessionContext "
                         "&& window.jupyterapp.shell.currentWidget.sessionContext.session "
                         "&& window.jupyterapp.shell.currentWidget.sessionContext.session.kernel "
                         "&& window.jupyterapp.shell.currentWidget.sessionContext.session"
                         ".kernel.status === 'idle'", timeout=120_000)
    pg.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    return pg


def _chromium(p):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                             args=CHROMIUM_ARGS)


@contextmanager
def open_notebook(server: dict, name: str = "lab_test.ipynb"):
    """Chromium on one of the server's notebooks, with all cells run; yields the page."""
    with sync_playwright() as p:
        browser = _chromium(p)
        try:
            yield _open(browser, server, name)
        finally:
            browser.close()


@contextmanager
def open_lab(server: dict):
    """Chromium on the server's JupyterLab with no document open; yields the page (open
    notebooks in it with ``open_tab``: one JupyterLab front end, a kernel per notebook)."""
    with sync_playwright() as p:
        browser = _chromium(p)
        try:
            pg = browser.new_page(viewport={"width": 1400, "height": 1300},
                                  accept_downloads=True)
            pg.goto(f"{server['url']}/lab?token={server['token']}&reset")
            pg.wait_for_function("window.jupyterapp && window.jupyterapp.started",
                                 timeout=120_000)
            pg.evaluate("window.jupyterapp.started")
            yield pg
        finally:
            browser.close()


def open_tab(page, name: str) -> str:
    """Open notebook ``name`` in a tab, wait for its kernel, run all its cells (they go on in
    the background); returns the tab's widget id (for ``activate``)."""
    wid = page.evaluate("""async (path) => {
        const w = await window.jupyterapp.commands.execute('docmanager:open', {path});
        await w.context.ready;
        await w.sessionContext.ready;
        return w.id;
    }""", name)
    page.wait_for_function("""(id) => {
        const w = [...window.jupyterapp.shell.widgets('main')].find((x) => x.id === id);
        const s = w && w.sessionContext.session;
        return s && s.kernel && s.kernel.status === 'idle';
    }""", arg=wid, timeout=120_000)
    activate(page, wid)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    return wid


def activate(page, wid: str) -> None:
    """Show the tab ``wid`` (the current widget of the notebook commands)."""
    page.evaluate("(id) => window.jupyterapp.shell.activateById(id)", wid)
    page.wait_for_function("(id) => window.jupyterapp.shell.currentWidget"
                           " && window.jupyterapp.shell.currentWidget.id === id", arg=wid,
                           timeout=30_000)
    page.wait_for_timeout(300)


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def canvas_signature(page, selector: str) -> list:
    """Size and a hash of the pixels of the first canvas under ``selector``."""
    return page.evaluate("""(sel) => {
        const c = document.querySelector(sel + " canvas");
        if (!c) return null;
        const d = c.toDataURL();
        let h = 0;
        for (let i = 0; i < d.length; i++) h = (h * 31 + d.charCodeAt(i)) | 0;
        return [c.width, c.height, h];
    }""", selector)


def run_cell(page, index: int) -> str:
    """Run cell ``index`` of the open notebook again and return its printed output."""
    page.evaluate("""(i) => {
        const nb = window.jupyterapp.shell.currentWidget;
        nb.content.activeCellIndex = i;
        return window.jupyterapp.commands.execute('notebook:run-cell');
    }""", index)
    page.wait_for_function("""(i) => {
        const nb = window.jupyterapp.shell.currentWidget;
        const cell = nb.content.widgets[i];
        return cell.model.executionCount !== null
            && cell.node.querySelector('.jp-OutputArea-output')
            && !cell.node.querySelector('.jp-InputPrompt').textContent.includes('*')
            && nb.sessionContext.session.kernel.status === 'idle';
    }""", arg=index, timeout=60_000)
    page.wait_for_timeout(300)
    return page.evaluate("""(i) => {
        const cell = window.jupyterapp.shell.currentWidget.content.widgets[i].node;
        const outs = cell.querySelectorAll('.jp-OutputArea-output');
        return outs[outs.length - 1].innerText;
    }""", index)


def plot_signature(page, key: str) -> dict | None:
    """The data area of a Scope panel (its ``data-ngclab-box``) as drawn now: a hash of its
    pixels and how many are ink (clearly darker than the white and pale grid)."""
    return page.evaluate("""async (key) => {
        // the current JupyterLab tab's panel (several tabs may watch the same path), or the page's
        const app = window.jupyterapp, tab = app && app.shell.currentWidget;
        const root = tab ? tab.node : document;
        const panel = [...root.querySelectorAll("[data-ngclab-trace]")]
            .find((p) => p.dataset.ngclabTrace === key);
        if (!panel) return null;
        const src = panel.querySelector("canvas") || panel.querySelector("img");
        if (!src || (src.tagName === "IMG" && !src.complete)) return null;
        const w = src.tagName === "IMG" ? src.naturalWidth : src.width;
        const h = src.tagName === "IMG" ? src.naturalHeight : src.height;
        if (!w || !h) return null;
        const c = document.createElement("canvas");
        c.width = w; c.height = h;
        const ctx = c.getContext("2d");
        ctx.drawImage(src, 0, 0);
        const [x0, y0, x1, y1] = JSON.parse(panel.dataset.ngclabBox);
        const bx = Math.ceil(x0 * w) + 2, by = Math.ceil(y0 * h) + 2;
        const bw = Math.floor((x1 - x0) * w) - 4, bh = Math.floor((y1 - y0) * h) - 4;
        const d = ctx.getImageData(bx, by, bw, bh).data;
        let hash = 0, ink = 0;
        for (let i = 0; i < d.length; i += 4) {
            hash = (hash * 31 + d[i] * 7 + d[i + 1] * 3 + d[i + 2]) | 0;
            if (Math.min(d[i], d[i + 1], d[i + 2]) < 200) ink++;
        }
        return { hash, ink, size: [w, h] };
    }""", key)


@contextmanager
def serve_voila(root: Path, notebooks: dict[str, nbformat.NotebookNode]):
    """Voila (127.0.0.1, a free port, a token) serving ``root`` with ``notebooks``; yields
    url, token and root. A notebook opens as an app at ``/voila/render/<name>``."""
    for name, nb in notebooks.items():
        nbformat.write(nb, root / name)
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    log = open(root / "voila.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "voila", "--no-browser", "--Voila.ip=127.0.0.1",
         f"--port={port}", f"--Voila.token={token}", f"--Voila.root_dir={root}", str(root)],
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    try:
        while True:
            try:
                urllib.request.urlopen(f"{url}/?token={token}", timeout=2)
                break
            except Exception:
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError("Voila did not start:\n" + (root / "voila.log").read_text())
                time.sleep(0.3)
        yield {"url": url, "token": token, "root": root}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextmanager
def open_app(server: dict, name: str):
    """Chromium on a Voila app (``/voila/render/<name>``); yields the page."""
    with sync_playwright() as p:
        browser = _chromium(p)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1300},
                                    accept_downloads=True)
            page.goto(f"{server['url']}/voila/render/{name}?token={server['token']}",
                      timeout=180_000)
            yield page
        finally:
            browser.close()
