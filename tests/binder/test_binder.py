"""Binder: build a fresh environment from exactly the files in binder/ (as repo2docker does:
``pip install -r binder/requirements.txt``, then ``binder/postBuild`` from a copy of the
repository), start JupyterLab from it on 127.0.0.1 and run the quickstart notebook to completion
through the server: the contents API serves the notebook, the kernels API starts a kernel, and
every code cell is executed over the kernel's websocket. Voila's tree page answers too (the
lessons' demos open as Voila apps on the same server).

The pip cache lives in a fixed temp directory, so later runs reuse the downloads.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BINDER = ROOT / "binder"
CACHE = Path(tempfile.gettempdir()) / "ngclab-binder-pip-cache"
MIME = "application/vnd.ngclab.record+json"
IGNORE = shutil.ignore_patterns(".git", ".venv", "__pycache__", ".hypothesis", ".pytest_cache",
                                "build", "*.egg-info", ".benchmarks", "node_modules")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, token: str, method: str = "GET", body: dict | None = None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Authorization": f"token {token}",
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        raw = resp.read()
        is_json = "json" in resp.headers.get("Content-Type", "")
        return resp.status, (json.loads(raw or b"null") if is_json else raw), resp.geturl()


def _run(cmd, **kw):
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert proc.returncode == 0, (f"{' '.join(map(str, cmd))} failed:\n{proc.stdout[-3000:]}\n"
                                  f"{proc.stderr[-3000:]}")
    print(f"{time.perf_counter() - start:6.1f} s  {' '.join(map(str, cmd))[:100]}")
    return proc


def _execute_over_websocket(base: str, token: str, kernel_id: str, cells: list[str],
                            timeout: float = 300.0) -> list[list[dict]]:
    """Execute cells one by one on the kernel's channels websocket; outputs per cell."""
    import asyncio

    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    async def main():
        url = base.replace("http://", "ws://") + f"api/kernels/{kernel_id}/channels"
        ws = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {token}"}))
        session = uuid.uuid4().hex
        results = []
        deadline = time.monotonic() + timeout
        for code in cells:
            msg_id = uuid.uuid4().hex
            await ws.write_message(json.dumps({
                "header": {"msg_id": msg_id, "username": "test", "session": session,
                           "msg_type": "execute_request", "version": "5.3"},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                "content": {"code": code, "silent": False, "store_history": True,
                            "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
            outputs, reply, idle = [], None, False
            while reply is None or not idle:
                left = deadline - time.monotonic()
                assert left > 0, f"timed out executing:\n{code[:300]}"
                raw = await asyncio.wait_for(ws.read_message(), timeout=left)
                assert raw is not None, "the kernel websocket closed"
                msg = json.loads(raw)
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind = msg["header"]["msg_type"]
                if kind == "execute_reply":
                    reply = msg["content"]
                elif kind == "status" and msg["content"]["execution_state"] == "idle":
                    idle = True
                elif kind in ("display_data", "execute_result", "stream", "error"):
                    outputs.append({"type": kind, **msg["content"]})
            errors = [o for o in outputs if o["type"] == "error"]
            assert reply["status"] == "ok", \
                f"cell failed: {reply.get('ename')}: {reply.get('evalue')}\n{code[:500]}\n" + \
                "\n".join("\n".join(e.get("traceback", [])) for e in errors)[-3000:]
            results.append(outputs)
        ws.close()
        return results

    return asyncio.run(main())


def test_binder_environment_runs_the_quickstart(tmp_path):
    assert sorted(p.name for p in BINDER.iterdir()) == \
        ["jupyter_server_config.py", "postBuild", "requirements.txt", "runtime.txt", "start"]
    # runtime.txt names the Python that Binder uses; we build with that version's interpreter
    want = (BINDER / "runtime.txt").read_text().strip().removeprefix("python-")
    python = shutil.which(f"python{want}") or sys.executable
    assert _run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"]).stdout.strip() == want

    repo = tmp_path / "repo"                      # repo2docker works on a copy of the repository
    shutil.copytree(ROOT, repo, ignore=IGNORE)
    home = tmp_path / "home"
    home.mkdir()
    venv = tmp_path / "venv"
    _run([python, "-m", "venv", str(venv)])       # a fresh environment: no system site-packages
    assert "include-system-site-packages = false" in (venv / "pyvenv.cfg").read_text()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "JUPYTER"))}
    env.update(HOME=str(home), PIP_CACHE_DIR=str(CACHE), JAX_PLATFORMS="cpu",
               PATH=f"{venv / 'bin'}{os.pathsep}{env['PATH']}", VIRTUAL_ENV=str(venv))
    vpy = str(venv / "bin" / "python")
    _run([vpy, "-m", "pip", "install", "-q", "--no-compile", "-r", str(repo / "binder" / "requirements.txt")],
         cwd=repo, env=env, timeout=600)
    _run(["bash", str(repo / "binder" / "postBuild")], cwd=repo, env=env, timeout=300)
    check = _run([vpy, "-c", "import ngclab, sys; print(ngclab.__file__); print(sys.prefix)"],
                 cwd=home, env=env)
    assert check.stdout.split()[0].startswith(str(venv)), check.stdout  # installed, not the checkout

    port, token = _free_port(), uuid.uuid4().hex
    log = open(tmp_path / "server.log", "w")
    server = subprocess.Popen(
        ["bash", str(repo / "binder" / "start"), str(venv / "bin" / "jupyter"), "lab",
         "--no-browser", "--ip=127.0.0.1", f"--port={port}", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={repo}", "--ServerApp.open_browser=False"]
        + (["--allow-root"] if os.geteuid() == 0 else []),
        cwd=repo, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(240):
            try:
                if _get(base + "api/status", token)[0] == 200:
                    break
            except OSError:
                time.sleep(0.5)
            if server.poll() is not None:
                log.flush()
                time.sleep(0.5)
                pytest.fail("JupyterLab exited:\n" + (tmp_path / "server.log").read_text()[-3000:])
        else:
            pytest.fail("JupyterLab did not start:\n" + (tmp_path / "server.log").read_text()[-3000:])
        # postBuild's config: the server opens the course
        _, _, landed = _get(base + f"?token={token}", token)
        assert "/lab/tree/notebooks/01_quickstart.ipynb" in landed
        # voila's server extension is on: the lessons' demos open under /voila/render/...
        status, page, _ = _get(base + "voila/tree/notebooks", token)
        assert status == 200 and b'id="voila-tree-main"' in page, page[:500]
        _, specs, _ = _get(base + "api/kernelspecs", token)
        assert "python3" in specs["kernelspecs"]
        _, model, _ = _get(base + "api/contents/notebooks/01_quickstart.ipynb?content=1", token)
        cells = [c["source"] if isinstance(c["source"], str) else "".join(c["source"])
                 for c in model["content"]["cells"] if c["cell_type"] == "code"]
        assert len(cells) >= 3
        # a session for the notebook, as JupyterLab opens it (the kernel starts in notebooks/)
        _, session, _ = _get(base + "api/sessions", token, "POST",
                             {"path": "notebooks/01_quickstart.ipynb", "type": "notebook",
                              "name": "01_quickstart.ipynb", "kernel": {"name": "python3"}})
        kernel = session["kernel"]
        # the kernel runs in the Binder environment, with ngclab installed there by postBuild
        outs = _execute_over_websocket(base, token, kernel["id"],
                                       ["import sys; print(sys.prefix)"] + cells)
        prefix = "".join(o.get("text", "") for o in outs[0]).strip()
        assert prefix == str(venv), prefix
        records = {o["data"][MIME]["name"]: o["data"][MIME]["value"]
                   for cell in outs for o in cell if MIME in o.get("data", {})}
        assert records, "the quickstart recorded nothing"
        _get(base + f"api/sessions/{session['id']}", token, "DELETE")
    finally:
        if server.poll() is None:
            os.killpg(server.pid, 15)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, 9)
        log.close()
