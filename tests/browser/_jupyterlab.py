"""JupyterLab and Chromium for the browser tests.

``serve`` starts one JupyterLab (127.0.0.1, a free port, token auth) on a temporary folder
holding a notebook made of the given cells; ``open_notebook`` opens it in Debian's chromium
(driven by playwright) and runs all its cells. JupyterLab front-end extensions can be
disabled per server (``disabled``), to test how the lab behaves without them.
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


@contextmanager
def serve(root: Path, cells: list[str], disabled: tuple[str, ...] = ()):
    """JupyterLab serving ``root/lab_test.ipynb`` (made of ``cells``); yields url and token."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, root / "lab_test.ipynb")
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


@contextmanager
def open_notebook(server: dict):
    """Chromium on the server's notebook, with all cells run; yields the playwright page."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                    args=CHROMIUM_ARGS)
        pg = browser.new_page(viewport={"width": 1400, "height": 1300})
        pg.goto(f"{server['url']}/lab/tree/lab_test.ipynb?token={server['token']}")
        pg.wait_for_function("window.jupyterapp && window.jupyterapp.shell.currentWidget "
                             "&& window.jupyterapp.shell.currentWidget.sessionContext "
                             "&& window.jupyterapp.shell.currentWidget.sessionContext.session "
                             "&& window.jupyterapp.shell.currentWidget.sessionContext.session.kernel",
                             timeout=60_000)
        pg.wait_for_function("window.jupyterapp.shell.currentWidget.sessionContext.session"
                             ".kernel.status === 'idle'", timeout=60_000)
        pg.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        try:
            yield pg
        finally:
            browser.close()


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
