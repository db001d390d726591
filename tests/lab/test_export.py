"""Exporting what the lab shows and records: Scope.export / to_xarray, Lab.record."""
from __future__ import annotations

import csv
import importlib.util
import io
import json
import sys

import numpy as np
import pytest

from ngclab.lab import Lab
from tests.lab.lab_helpers import tutorial


def make_lab():
    """The tutorial circuit after 60 steps of dt = 0.5 in chunks of 20 (one compiled chunk)."""
    ctx, a, W, b, adv, rst = tutorial()
    lab = Lab(ctx, advance=adv, reset=rst, clamp={a.j: np.ones((1, 10))},
              watch=[b.zF, W.weights], steps_per_frame=20, window=40, dt=0.5)
    lab.run(60)
    return lab


@pytest.fixture(scope="module")
def ran():
    """Shared by the tests that only read what the lab holds."""
    return make_lab()


def read_csv(path):
    with open(path) as f:
        rows = list(csv.reader(f))
    return rows[0], np.array(rows[1:], dtype=np.float64)


def test_csv_and_npz_hold_the_ring_buffer(ran, tmp_path):
    steps, vals = ran.scope._panels["model/b:zF"].ordered()
    assert list(steps) == list(range(20, 60))             # the last `window` = 40 steps
    header, table = read_csv(ran.scope.export(tmp_path / "b.csv", panel="b:zF"))
    assert header == ["step", "t"] + [f"model/b:zF[{i}]" for i in range(8)]
    np.testing.assert_array_equal(table[:, 0], np.arange(20, 60))
    np.testing.assert_allclose(table[:, 1], np.arange(20, 60) * 0.5)    # t = step * dt
    np.testing.assert_array_equal(table[:, 2:].astype(np.float32), vals)  # float32 exactly
    # the same values as one headless scan of the same model
    np.testing.assert_array_equal(table[:, 2:].astype(np.float32),
                                  np.asarray(headless_half(60))[20:, 0, :8])
    z = np.load(ran.scope.export(tmp_path / "all.npz"))
    np.testing.assert_array_equal(z["step"], np.arange(20, 60))
    np.testing.assert_array_equal(z["model/b:zF"], vals)
    np.testing.assert_array_equal(z["model/W:weights"], np.asarray(ran.ctx["W"].weights.get()))
    meta = json.loads(str(z["attrs"]))
    assert meta["dt"] == 0.5 and meta["context"] == "model"
    assert meta["series"]["model/b:zF"]["cells"] == list(range(8))
    assert meta["series"]["model/b:zF"]["kind"] == "trace"


def headless_half(steps):
    """The tutorial's b.zF for dt = 0.5 (the fixture's step size), as one scan."""
    ctx, a, W, b, adv, rst = tutorial()
    return adv.scan(steps=steps, dt=0.5, clamp={a.j: np.ones((1, 10), np.float32)},
                    record=[b.zF])["model/b:zF"]


def test_figures_and_a_matrix(ran, tmp_path):
    png = ran.scope.export(tmp_path / "b.png", panel="model/b:zF").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    svg = ran.scope.export(tmp_path / "w.svg", panel="W:weights").read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    _, _ = read_csv(ran.scope.export(tmp_path / "b2.csv", panel="b:zF"))
    w = np.loadtxt(ran.scope.export(tmp_path / "w.csv", panel="W:weights"), delimiter=",")
    np.testing.assert_allclose(w, np.asarray(ran.ctx["W"].weights.get()), rtol=1e-9)
    with pytest.raises(ValueError, match="one panel's figure; say which"):
        ran.scope.export(tmp_path / "both.png")
    with pytest.raises(ValueError, match=r"must end in \.csv, \.npz, \.png, \.svg"):
        ran.scope.export(tmp_path / "b.xlsx")
    with pytest.raises(ValueError, match="model/a:zF is not watched"):
        ran.scope.export(tmp_path / "a.csv", panel="a:zF")


def test_export_from_the_browser_sends_the_file_as_a_buffer(ran, monkeypatch):
    sent = []
    monkeypatch.setattr(ran.scope, "send", lambda content, buffers=None: sent.append((content,
                                                                                        buffers)))
    ran.scope._reply({"type": "export", "id": "v1-3", "path": "model/b:zF", "format": "csv"})
    (reply, buffers), = sent
    assert reply["type"] == "result" and reply["id"] == "v1-3" and reply["ok"]
    assert reply["name"] == "b_zF.csv" and reply["mime"] == "text/csv" and "file" not in reply
    header = next(csv.reader(io.StringIO(buffers[0].decode())))
    assert header[:3] == ["step", "t", "model/b:zF[0]"]
    ran.scope._reply({"type": "export", "id": "v1-4", "path": "model/b:zF", "format": "gif"})
    assert sent[1][0]["ok"] is False and "must end in" in sent[1][0]["message"]
    assert sent[1][1] is None


def test_xarray_dataset_when_xarray_is_installed(ran):
    if importlib.util.find_spec("xarray") is None:   # optional: the message is tested below
        with pytest.raises(ImportError, match="pip install xarray"):
            ran.scope.to_xarray()
        return
    ds = ran.scope.to_xarray()
    steps, vals = ran.scope._panels["model/b:zF"].ordered()
    np.testing.assert_allclose(ds["time"].values, steps * 0.5)
    np.testing.assert_array_equal(ds["step"].values, steps)
    var = ds["b:zF"]
    assert var.dims == ("time", "b:zF_cell") and list(ds["b:zF_cell"].values) == list(range(8))
    np.testing.assert_array_equal(var.values, vals)
    assert var.attrs["path"] == "model/b:zF" and var.attrs["units"] == ""
    assert "W:weights" not in ds                          # an image has no time axis
    assert ds.attrs["dt"] == 0.5


def test_without_xarray_the_error_says_how_to_get_it_and_what_works_without(ran, monkeypatch):
    monkeypatch.setitem(sys.modules, "xarray", None)      # as if it were not installed
    with pytest.raises(ImportError) as err:
        ran.scope.to_xarray()
    msg = str(err.value)
    assert "needs xarray" in msg and "pip install xarray" in msg and "export('run.csv')" in msg


def test_record_keeps_every_step_within_a_memory_bound(tmp_path, monkeypatch):
    ran = make_lab()
    rec = ran.record(["model/b:zF", ran.ctx["a"].zF])
    assert ran.recording is rec
    assert ran.run(130) == 130                      # chunks of 20: the scope keeps only 40
    assert list(rec.steps) == list(range(60, 190))  # (120 in chunks of 20, then 10)
    np.testing.assert_allclose(rec.times, np.arange(60, 190) * 0.5)
    full = np.asarray(headless_half(190))
    np.testing.assert_array_equal(rec.arrays()["model/b:zF"], full[60:])
    header, table = read_csv(rec.export(tmp_path / "rec.csv"))
    assert header[:4] == ["step", "t", "model/b:zF[0]", "model/b:zF[1]"] and len(header) == 22
    np.testing.assert_array_equal(table[:, 2:12].astype(np.float32), full[60:, 0, :])
    z = np.load(rec.export(tmp_path / "rec.npz"))
    assert z["model/a:zF"].shape == (130, 1, 10) and np.all(z["model/a:zF"] == 1.0)  # z_a = x
    if importlib.util.find_spec("xarray") is not None:
        ds = rec.to_xarray()
        assert ds["b:zF"].shape == (130, 1, 10) and ds["b:zF"].attrs["path"] == "model/b:zF"
    monkeypatch.setitem(sys.modules, "xarray", None)      # as if it were not installed
    with pytest.raises(ImportError, match="pip install xarray"):
        rec.to_xarray()
    ran.record(None)                                # stop: the next run keeps nothing more
    ran.run(20)
    assert rec.steps_kept == 130 and ran.recording is None

    # b.zF is (1, 10) float32: 40 bytes a step, so 1000 bytes hold 25 steps
    rec = ran.record(["b:zF"], max_bytes=1000)
    assert rec.max_steps == 25
    assert ran.run(60) == 25                        # 20, then the 5 that fit; then it stops
    assert "Recording full" in ran.error and "25 steps" in ran.error   # before the chunk
    assert "recording.export" in ran.error and "recording.clear()" in ran.error
    assert ran.controls.status == "error" and rec.steps_kept == 25 and rec.nbytes == 1000
    rec.clear()
    assert ran.run(20) == 20 and ran.error == "" and rec.steps_kept == 20
    with pytest.raises(ValueError, match="more than max_bytes=8"):
        ran.record(["b:zF"], max_bytes=8)
    with pytest.raises(ValueError, match="max_bytes must be a positive number"):
        ran.record(["b:zF"], max_bytes=0)
