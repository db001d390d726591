"""The lab under a real kernel: the same Lab shown in two output cells, and a kernel restarted
while the lab plays.

* Two views of one Lab stay in sync: a knob moved in the first view shows in the second (and in
  the kernel); play pressed in the first makes both views' step readouts move.
* A restart while playing leaves no loop behind: the old kernel process is gone (checked from
  the new kernel: its pid no longer exists), the notebook runs again and the new lab plays.
* Clearing both output cells while playing pauses the run at once (each view's cleanup says
  "closed"; one view cleared, play goes on); the lab shown again plays.
* Closing the notebook tab while playing (JupyterLab's close; the kernel keeps running) stops
  the loop: JupyterLab drops the tab's kernel connection before it removes the views, so no
  view can say goodbye; the kernel notices the views' heartbeats stop and pauses within the
  timeout. Checked from a second connection to the same kernel (jupyter_client).

Uses the JupyterLab server and Chromium of ``_jupyterlab``.
"""
from __future__ import annotations

import os
import re
import time
from queue import Empty

import pytest
from jupyter_client import BlockingKernelClient
from jupyter_core.paths import jupyter_runtime_dir

from tests.browser._jupyterlab import open_notebook, run_cell, serve, shot

SETUP = """\
import os, asyncio
import jax.numpy as jnp
from ngclab import Context, MethodProcess
from ngclab.components import RateCell
from ngclab.lab import Lab

with Context("model") as ctx:
    a = RateCell("a", n_units=4, tau_m=0.)
    b = RateCell("b", n_units=4, tau_m=20.)
    a.zF >> b.j
    advance = MethodProcess("advance") >> a.advance_state >> b.advance_state
    reset = MethodProcess("reset") >> a.reset >> b.reset

lab = Lab(ctx, advance=advance, reset=reset, clamp={a.j: jnp.ones((1, 4))}, watch=[b.zF],
          steps_per_frame=5, scope_backend="png")
lab"""

SECOND_VIEW = "lab"

CHECK = """\
print(f"PID {os.getpid()} STEPS {lab.runner.step_count} STATUS {lab.runner.status} "
      f"TAU {float(b.tau_m.get()):.6f} TASKS {len([t for t in asyncio.all_tasks() if not t.done()])}")"""


def _check(page) -> dict:
    out = run_cell(page, 2)
    m = re.search(r"PID (\d+) STEPS (\d+) STATUS (\w+) TAU ([\d.]+) TASKS (\d+)", out)
    assert m, out
    return {"pid": int(m.group(1)), "steps": int(m.group(2)), "status": m.group(3),
            "tau": float(m.group(4)), "tasks": int(m.group(5))}


def _readout(page, key: str, i: int) -> float:
    text = page.locator(f"[data-ngclab-readout='{key}']").nth(i).inner_text()
    return float(text.replace(",", "") or 0)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    with serve(tmp_path_factory.mktemp("nbroot"), [SETUP, SECOND_VIEW, CHECK]) as srv, \
            open_notebook(srv) as pg:
        pg.wait_for_function("document.querySelectorAll(\"[data-ngclab-knob='model/b:tau_m']\")"
                             ".length === 2", timeout=180_000)
        yield pg


def test_two_views_of_one_lab_stay_in_sync(page):
    assert page.locator("[data-ngclab-action='play']").count() == 2
    slider = page.locator("[data-ngclab-knob='model/b:tau_m']").nth(0)
    slider.scroll_into_view_if_needed()
    box = slider.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.7, box["y"] + box["height"] / 2)
    # the second view's value follows the first view's slider
    page.wait_for_function("""() => {
        const v = document.querySelectorAll("[data-ngclab-knob-value='model/b:tau_m']");
        return v.length === 2 && parseFloat(v[0].textContent) > 30
            && v[0].textContent === v[1].textContent;
    }""", timeout=30_000)
    shown = float(page.locator("[data-ngclab-knob-value='model/b:tau_m']").nth(1).inner_text())
    kernel = _check(page)
    assert abs(kernel["tau"] - shown) <= 0.01 * shown, (kernel, shown)

    page.locator("[data-ngclab-action='play']").nth(0).click()
    page.wait_for_function("""() => {
        const s = document.querySelectorAll("[data-ngclab-readout='status']");
        return s.length === 2 && s[0].textContent === 'running' && s[1].textContent === 'running';
    }""", timeout=30_000)
    page.wait_for_function("""() => {
        const s = document.querySelectorAll("[data-ngclab-readout='steps']");
        return s.length === 2 && parseFloat(s[1].textContent.replace(/,/g, '')) > 0;
    }""", timeout=120_000)
    first = _readout(page, "steps", 1)
    page.wait_for_function(f"""() => parseFloat(document.querySelectorAll(
        "[data-ngclab-readout='steps']")[1].textContent.replace(/,/g, '')) > {first}""",
                           timeout=60_000)                       # the second view animates
    shot(page, "kernel_two_views_playing")


def test_a_kernel_restart_while_playing_leaves_no_loop_and_the_new_lab_plays(page):
    before = _check(page)
    assert before["status"] == "running" and before["tasks"] >= 1, before
    page.evaluate("window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"
                  ".restart()")
    page.wait_for_function("window.jupyterapp.shell.currentWidget.sessionContext.session"
                           ".kernel.status === 'idle'", timeout=120_000)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function("""() => {
        const s = document.querySelectorAll("[data-ngclab-readout='status']");
        return s.length === 2 && s[0].textContent === 'ready';
    }""", timeout=180_000)
    after = _check(page)
    assert after["pid"] != before["pid"] and after["steps"] == 0 and after["status"] == "ready"
    # the old kernel (and its loop) is gone: its process no longer exists
    out = run_cell_code(page, f"import os\ntry:\n    os.kill({before['pid']}, 0)\n"
                              f"    print('OLD alive')\nexcept ProcessLookupError:\n"
                              f"    print('OLD gone')")
    assert "OLD gone" in out, out
    page.locator("[data-ngclab-action='play']").nth(0).click()
    page.wait_for_function("""() => parseFloat(document.querySelectorAll(
        "[data-ngclab-readout='steps']")[0].textContent.replace(/,/g, '')) > 0""",
                           timeout=120_000)
    now = _check(page)
    assert now["status"] == "running" and now["steps"] > 0, now
    page.locator("[data-ngclab-action='pause']").nth(0).click()
    shot(page, "kernel_restarted_playing")


def run_cell_code(page, code: str) -> str:
    """Put ``code`` into the CHECK cell, run it and give its output; then put CHECK back."""
    page.evaluate("""(code) => {
        const cell = window.jupyterapp.shell.currentWidget.content.widgets[2];
        cell.model.sharedModel.setSource(code);
    }""", code)
    out = run_cell(page, 2)
    page.evaluate("""(code) => {
        const cell = window.jupyterapp.shell.currentWidget.content.widgets[2];
        cell.model.sharedModel.setSource(code);
    }""", CHECK)
    return out


def kernel_client(kernel_id: str) -> BlockingKernelClient:
    """A second connection to a running kernel (its connection file in Jupyter's runtime dir)."""
    client = BlockingKernelClient()
    client.load_connection_file(os.path.join(jupyter_runtime_dir(), f"kernel-{kernel_id}.json"))
    client.start_channels()
    # Not client.wait_for_ready(): after the kernel_info reply it drains IOPub until the channel
    # is quiet for 0.2 s, which never happens while a lab plays (readouts and frames stream at
    # ~10 messages/s): it hung on a quiet machine. Ready here means a kernel_info reply on the
    # shell channel and a message on IOPub (its subscription is live), within a deadline; run_in
    # reads only its own request's messages.
    deadline = time.monotonic() + 60.0
    while time.monotonic() < deadline:
        msg_id = client.kernel_info()
        try:
            reply = client.get_shell_msg(timeout=2.0)
            if reply["parent_header"].get("msg_id") == msg_id:
                client.get_iopub_msg(timeout=2.0)
                return client
        except Empty:
            pass
    client.stop_channels()
    raise TimeoutError(f"kernel {kernel_id}: no kernel_info reply and IOPub message within 60 s")


def run_in(client: BlockingKernelClient, code: str) -> str:
    """Run ``code`` in the kernel through ``client``; what it printed."""
    out = []
    client.execute_interactive(code, timeout=60, output_hook=lambda m: out.append(
        m["content"].get("text", "")) if m["msg_type"] == "stream" else None)
    return "".join(out)


RUNNER_STATE = "print(lab.runner.step_count, lab.runner.status, repr(lab.runner.note))"


def _runner(client) -> tuple[int, str, str]:
    steps, status, note = run_in(client, RUNNER_STATE).strip().split(" ", 2)
    return int(steps), status, note


def _clear_output(page, index: int) -> None:
    page.evaluate("""(i) => {
        const nb = window.jupyterapp.shell.currentWidget;
        nb.content.activeCellIndex = i;
        return window.jupyterapp.commands.execute('notebook:clear-cell-output');
    }""", index)


def test_clearing_the_outputs_while_playing_pauses_at_once_and_a_new_view_plays(page):
    # a view removed with its kernel connection alive says "closed": no timeout to wait for
    out = run_cell_code(page, "lab.runner.views.timeout = 120.0\n" + RUNNER_STATE)
    assert "running" not in out, out
    page.locator("[data-ngclab-action='play']").nth(0).click()
    page.wait_for_function("""() => [...document.querySelectorAll(
        "[data-ngclab-readout='status']")].every((s) => s.textContent === 'running')""",
                           timeout=60_000)
    client = kernel_client(page.evaluate("window.jupyterapp.shell.currentWidget"
                                         ".sessionContext.session.kernel.id"))
    try:
        _clear_output(page, 1)                    # one of the two views goes: play goes on
        page.wait_for_function("document.querySelectorAll(\"[data-ngclab-action='play']\")"
                               ".length === 1", timeout=30_000)
        first = _runner(client)[0]
        time.sleep(1.0)
        steps, status, note = _runner(client)
        assert status == "running" and steps > first, (first, steps, status)
        cleared_at = time.monotonic()
        _clear_output(page, 0)                    # the last view goes: paused, a note says why
        while _runner(client)[1] == "running" and time.monotonic() < cleared_at + 30.0:
            time.sleep(0.3)
        steps, status, note = _runner(client)
        assert status == "paused" and "no view open: paused" in note, (status, note)
        assert time.monotonic() - cleared_at < 30.0          # far inside the 120 s timeout
    finally:
        client.stop_channels()
    # the lab shown again (cell 2 re-run) is a new view: its banner says why it paused ...
    run_cell(page, 1)
    page.wait_for_function("document.querySelectorAll(\"[data-ngclab-action='play']\")"
                           ".length === 1", timeout=60_000)
    assert "no view open" in page.locator("[data-ngclab-error]").nth(0).inner_text()
    # ... and it plays again
    page.locator("[data-ngclab-action='play']").nth(0).click()
    page.wait_for_function("""() => document.querySelectorAll(
        "[data-ngclab-readout='status']")[0].textContent === 'running'""", timeout=60_000)
    page.locator("[data-ngclab-action='pause']").nth(0).click()
    page.wait_for_function("""() => document.querySelectorAll(
        "[data-ngclab-readout='status']")[0].textContent === 'paused'""", timeout=60_000)


# (last in the file: it closes the notebook the other tests use)
def test_closing_the_notebook_tab_while_playing_stops_the_loop(page):
    timeout = 6.0        # the lab's view timeout, short for the test (the default is 90 s)
    out = run_cell_code(page, f"lab.runner.views.timeout = {timeout}\n" + RUNNER_STATE)
    assert "paused" in out or "ready" in out, out
    page.locator("[data-ngclab-action='play']").nth(0).click()
    page.wait_for_function("""() => parseFloat(document.querySelectorAll(
        "[data-ngclab-readout='steps']")[0].textContent.replace(/,/g, '')) > 0
        && document.querySelectorAll("[data-ngclab-readout='status']")[0].textContent
           === 'running'""", timeout=120_000)
    kernel_id = page.evaluate("window.jupyterapp.shell.currentWidget.sessionContext.session"
                              ".kernel.id")
    client = kernel_client(kernel_id)
    try:
        assert _runner(client)[1] == "running"
        page.evaluate("window.jupyterapp.commands.execute('docmanager:save')")  # no dialog
        page.wait_for_function("!window.jupyterapp.shell.currentWidget.context.model.dirty",
                               timeout=30_000)
        closed_at = time.monotonic()
        page.evaluate("window.jupyterapp.shell.currentWidget.close()")
        page.wait_for_function("![...window.jupyterapp.shell.widgets('main')].some("
                               "(w) => w.context && w.context.path === 'lab_test.ipynb')",
                               timeout=30_000)
        # the kernel is told nothing: right after the close the loop still runs ...
        first, status, _ = _runner(client)
        time.sleep(1.0)
        second, status2, _ = _runner(client)
        if time.monotonic() - closed_at < timeout - 2.0:   # (the last heartbeat may be 2 s old)
            assert status == status2 == "running" and second > first, (first, second, status2)
        # ... until the views have been silent for the timeout: then it pauses, with a note
        deadline = closed_at + timeout + 20.0
        while _runner(client)[1] == "running" and time.monotonic() < deadline:
            time.sleep(0.5)
        stopped, status, note = _runner(client)
        waited = time.monotonic() - closed_at
        assert status == "paused" and "no view open: paused" in note, (status, note)
        assert waited < timeout + 20.0, waited
        time.sleep(2.0)
        assert _runner(client)[0] == stopped              # the step count no longer moves
        done = run_in(client, "print(lab.runner._task.done(), lab.runner.running)").split()
        assert done == ["True", "False"], done              # and the play task has ended
    finally:
        client.stop_channels()
