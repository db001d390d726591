"""save_to_json / Context.load between ngc-learn 3.2.3 and ngclab, both ways, and their safety.

- ngc-learn -> ngclab: tests/compat/data/ngclearn/{pcn,rbm} were written by ngc-learn's
  ``save_to_json`` (tests/reference/compat_reference.py) after training the client code's PCN
  and harmonium. ngclab's ``Context.load`` builds them (the harmonium's custom cell from the
  ported client module), warns that each HebbianSynapse's ``<name>_opt_params.pkl`` is not read,
  unpickles nothing, and gives ngc-learn's next numbers: the same predictions and settling, and
  the learning step ngc-learn takes with fresh optimizer statistics (compat_reference.json
  "ngclearn_folder" / "fresh"). ngc-learn itself continues its unpickled Adam statistics
  ("continued"), so there ngclab's step differs, on purpose.
- ngclab -> ngc-learn: the client code's PCN trained here and saved by ngclab's
  ``save_to_json`` (with ``<name>_opt_params.pkl`` written for ngc-learn). The committed copy
  tests/compat/data/ngclab/pcn must be what ngclab writes today (the same files and
  structure; values up to float32 rounding, which differs between CPUs); when a Python with ngclearn
  3.2.3 exists (``NGCLEARN_PYTHON``, by default the reference environment's interpreter), the
  test loads the folder written now with ngc-learn in a subprocess; otherwise it compares with
  the numbers ngc-learn gave for the committed copy (compat_reference.json "ngclab_folder").
"""
import gc
import json
import os
import pickle
import pickletools
import shutil
import subprocess
import sys
import warnings

import numpy as np
import pytest

from ngclab import Context, LoadError
from tests.compat.compat_folders import NGCLAB_FOLDER, ngclearn_folder_copy, write_ngclab_folder
from tests.compat.compat_porting import HERE, ported_module
from tests.helpers import assert_close, reference

REFERENCE_SCRIPT = os.path.join(os.path.dirname(HERE), "reference", "compat_reference.py")
NGCLEARN_PYTHON = os.environ.get("NGCLEARN_PYTHON", "/opt/ngcref/bin/python")


@pytest.fixture(scope="module")
def models():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ported_module()


@pytest.fixture(scope="module")
def ngclearn_folder(tmp_path_factory):
    """tests/compat/data/ngclearn, with the process class paths worked around (see
    compat_folders.ngclearn_folder_copy: a core bug)."""
    return ngclearn_folder_copy(str(tmp_path_factory.mktemp("from_ngclearn")))


@pytest.fixture
def no_unpickling(monkeypatch):
    """Any unpickling while the test runs fails it."""
    def refuse(*args, **kwargs):
        raise AssertionError("something was unpickled")
    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "Unpickler", refuse)
    monkeypatch.setattr(np.lib.format, "read_array", _no_object_arrays(np.lib.format.read_array))


def _no_object_arrays(read_array):
    def checked(fp, allow_pickle=False, **kwargs):
        assert not allow_pickle, "an npz was read with allow_pickle=True"
        return read_array(fp, allow_pickle=allow_pickle, **kwargs)
    return checked


def next_numbers_close(got, want, keys, what):
    for name in keys:
        if name == "settle":
            assert len(got[name]) == len(want[name]) == 8
            for k, (g, w) in enumerate(zip(got[name], want[name])):
                for q in w:
                    assert_close(g[q], w[q], f"{what} settle step {k} {q}", atol=1e-5)
        else:
            assert_close(got[name], want[name], f"{what} {name}", atol=1e-5)


# -- ngc-learn -> ngclab ---------------------------------------------------------------------------
def test_a_pcn_saved_by_ngclearn_loads_warns_and_unpickles_nothing(models, no_unpickling,
                                                                  ngclearn_folder):
    with pytest.warns(UserWarning, match=r"W1_opt_params\.pkl .* not read, since ngclab never "
                                         r"unpickles") as caught:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=DeprecationWarning)
            model = models.load_pcn(ngclearn_folder)
    pkl_warnings = sorted(str(w.message).split(":")[0] for w in caught
                          if "_opt_params.pkl" in str(w.message))
    assert pkl_warnings == ["pcn/W1", "pcn/W2", "pcn/W3"]
    assert sorted(model.circuit.components) == sorted(models.PCN_NODES)
    assert sorted(model.circuit.processes) == ["advance", "evolve", "project", "reset"]
    assert model.W1.eta.get() == pytest.approx(0.005) and model.W1.optim_type == "adam"
    # ngc-learn's weights, as its npz holds them
    with np.load(os.path.join(ngclearn_folder, "pcn", "component", "custom", "W2.npz")) as f:
        np.testing.assert_array_equal(np.asarray(model.W2.weights.get()), f["weights"])


def test_a_pcn_saved_by_ngclearn_gives_ngclearns_next_numbers(models, ngclearn_folder):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = models.pcn_after_load(ngclearn_folder)
    ref = reference("compat")["ngclearn_folder"]
    # prediction and settling: compat_reference.json ngclearn_folder/fresh/pcn (= continued:
    # they do not depend on the optimizer)
    next_numbers_close(got, ref["fresh"]["pcn"], ("b3_before_evolve", "predict", "acc", "efe",
                                                  "settle", "W1_after_evolve",
                                                  "W3_after_evolve", "b3_after_evolve"),
                       "ngclearn folder (fresh optimizer)")
    next_numbers_close(got, ref["continued"]["pcn"], ("predict", "settle"), "ngclearn folder")
    # ngc-learn continues the Adam statistics it unpickled; ngclab starts them afresh
    assert abs(got["W1_after_evolve"] - ref["continued"]["pcn"]["W1_after_evolve"]) > 1e-3
    # a loaded HebbianSynapse learns no bias: the folder has no bias_init (neither library
    # writes initializers), as in ngc-learn
    assert got["b3_after_evolve"] == pytest.approx(got["b3_before_evolve"], abs=1e-6)


def test_a_harmonium_with_a_custom_cell_saved_by_ngclearn(models, no_unpickling,
                                                          ngclearn_folder):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = models.rbm_after_load(ngclearn_folder)
        model = models.load_rbm(ngclearn_folder, "rbm")
    assert type(model.z1) is models.BernoulliStochasticCell and model.z0.is_stoch is False
    want = reference("compat")["ngclearn_folder"]["continued"]["rbm"]
    for name in ("energy", "recon", "z1neg_p"):     # no learning: the optimizer plays no part
        assert_close(got[name], want[name], f"rbm {name}", atol=1e-5)


# -- ngclab -> ngc-learn ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ngclab_written(tmp_path_factory):
    directory = str(tmp_path_factory.mktemp("ngclab_folder"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # the same Context name as the committed copy: keys not given to a constructor derive from
        # the component's path (ngclab's Context(name) is always a new model, see the README)
        model, folder = write_ngclab_folder(directory, name="pcn")
    return model, folder


def files(folder):
    return sorted(os.path.relpath(os.path.join(r, f), folder)
                  for r, _, fs in os.walk(folder) for f in fs)


def test_the_committed_ngclab_folder_is_what_ngclab_writes(ngclab_written):
    _, folder = ngclab_written
    committed = os.path.join(NGCLAB_FOLDER, "pcn")
    assert files(folder) == files(committed)
    for rel in files(committed):
        a, b = os.path.join(folder, rel), os.path.join(committed, rel)
        if rel.endswith(".json"):
            with open(a) as fa, open(b) as fb:
                ja, jb = json.load(fa), json.load(fb)
            assert ja == jb, rel
        elif rel.endswith(".npz"):
            with np.load(a) as fa, np.load(b) as fb:
                assert sorted(fa.files) == sorted(fb.files), rel
                for k in fb.files:
                    got, want = fa[k], fb[k]
                    assert (got.dtype, got.shape) == (want.dtype, want.shape), f"{rel}:{k}"
                    if want.dtype.kind != "f":
                        np.testing.assert_array_equal(got, want, err_msg=f"{rel}:{k}")
                        continue
                    # the training behind the folder is float32 matrix products, whose sums
                    # XLA's CPU code orders by instruction set (AVX2 or AVX-512): trained on
                    # another machine, values agree to rounding (measured: within 4e-7 of each
                    # array's largest magnitude), not bit for bit. Exact save/load is checked by
                    # the round trips in tests/core/test_persist.py.
                    assert_rounding_close(got, want, f"{rel}:{k}")
        else:      # the optimizer pickles, written for ngc-learn: disassembled, never loaded
            assert rel.endswith("_opt_params.pkl")
            with open(a, "rb") as fa, open(b, "rb") as fb:
                mine, theirs = list(pickletools.genops(fa.read())), list(pickletools.genops(fb.read()))
            assert [op.name for op, _, _ in mine] == [op.name for op, _, _ in theirs], rel
            for (op, got, _), (_, want, _) in zip(mine, theirs):
                if isinstance(want, bytes) and len(want) > 8:      # an array's float32 data
                    assert_rounding_close(np.frombuffer(got, np.float32),
                                          np.frombuffer(want, np.float32), f"{rel} {op.name}")
                else:
                    assert got == want, f"{rel}: {op.name} {got!r} != {want!r}"


def assert_rounding_close(got, want, what: str) -> None:
    """Equal up to float32 rounding, relative to the array's largest magnitude."""
    scale = float(np.abs(want).max()) if want.size else 0.
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-5 * scale, err_msg=what)


def test_ngclearn_loads_what_ngclab_saved(models, ngclab_written, tmp_path):
    model, folder = ngclab_written
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mine = models.pcn_next(model)        # the model in memory, Adam statistics and all
    if os.path.exists(NGCLEARN_PYTHON):
        # ngc-learn 3.2.3 loads the folder written just now, in a subprocess
        where = str(tmp_path / "copy")
        shutil.copytree(folder, os.path.join(where, "pcn"))
        res = subprocess.run([NGCLEARN_PYTHON, REFERENCE_SCRIPT, "--after-load", where,
                              "False"], capture_output=True, text=True, timeout=900)
        assert res.returncode == 0, res.stderr[-3000:]
        theirs = json.loads(res.stdout.strip().splitlines()[-1])["pcn"]
    else:
        # no ngc-learn here: the numbers it gave for the committed copy of the same folder
        # (compat_reference.json "ngclab_folder"; the previous test checks that copy)
        theirs = reference("compat")["ngclab_folder"]["pcn"]
    # ngc-learn continued the Adam statistics ngclab pickled for it: the same weight step
    next_numbers_close(mine, theirs, ("b3_before_evolve", "predict", "acc", "efe", "settle",
                                      "W1_after_evolve", "W3_after_evolve"), "ngclab folder")
    # the loaded model learns no bias (no bias_init in the folder), the one in memory does
    assert theirs["b3_after_evolve"] == pytest.approx(theirs["b3_before_evolve"], abs=1e-6)
    assert abs(mine["b3_after_evolve"] - mine["b3_before_evolve"]) > 1e-4


def test_ngclab_writes_the_optimizer_pickle_only_for_ngclearn(ngclab_written, tmp_path,
                                                              no_unpickling):
    model, _ = ngclab_written
    path = model.W1.save(str(tmp_path))             # ngc-learn's params-only save
    assert path.endswith("W1.npz")
    assert sorted(os.listdir(tmp_path)) == ["W1.npz", "W1_opt_params.pkl"]
    before = np.asarray(model.W1.weights.get())
    model.W1.weights.set(before * 0.)
    assert "weights" in model.W1.load(str(tmp_path))   # reads the npz, not the pickle
    np.testing.assert_array_equal(np.asarray(model.W1.weights.get()), before)


# -- safety ----------------------------------------------------------------------------------------
def model_copy(tmp_path, source, name="pcn"):
    shutil.copytree(os.path.join(source, name), tmp_path / name)
    return tmp_path / name


def edit_roots(folder, component, **changes):
    path = folder / "component" / "roots.json"
    roots = json.loads(path.read_text())
    roots[component].update(changes)
    path.write_text(json.dumps(roots))


@pytest.mark.parametrize("module_path", ["os.system", "subprocess.Popen",
                                         "compat_never_imported_module.Cell",
                                         "ngclearn.components.NotAComponent"])
def test_a_module_path_that_is_no_component_class_is_refused_and_nothing_imported(
        tmp_path, module_path, ngclearn_folder):
    folder = model_copy(tmp_path, ngclearn_folder)
    edit_roots(folder, "z1", modulePath=module_path)
    before = set(sys.modules)
    with pytest.raises(LoadError, match=rf"'z1'.*modulePath {module_path!r} is not a component "
                                        r"class ngclab knows"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            Context.load(str(tmp_path), "pcn")
    # nothing was imported, but what the loading itself may import on first use in a process:
    # JAX's own modules at its first compile (the persistent compilation cache's helpers) and
    # zipfile's file-name codec (encodings.cp437) at the first npz read
    lazy = ("jax", "jaxlib", "encodings")
    imported = {m for m in set(sys.modules) - before if m.split(".")[0] not in lazy}
    assert not imported, imported


def test_an_npz_with_object_arrays_is_refused_without_unpickling(tmp_path, no_unpickling,
                                                                 ngclearn_folder):
    folder = model_copy(tmp_path, ngclearn_folder)
    w1 = folder / "component" / "custom" / "W1.npz"
    with np.load(w1) as f:
        arrays = {k: f[k] for k in f.files}
    arrays["weights"] = np.array([{"evil": 1}, None], dtype=object)
    with open(w1, "wb") as fh:
        np.savez(fh, **arrays)                     # an object array is stored as a pickle
    with pytest.raises(LoadError, match=r"W1\.npz is not a readable npz file"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            Context.load(str(tmp_path), "pcn")


def test_a_failed_load_leaves_existing_contexts_unchanged(models, tmp_path, ngclearn_folder):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        alive = models.load_pcn(ngclearn_folder)     # a Context named "pcn" exists
    state = {p: np.asarray(v) for p, v in alive.circuit.state.items()}
    comps = dict(alive.circuit.components)
    folder = model_copy(tmp_path, ngclearn_folder)
    edit_roots(folder, "W3", kwargs={"shape": [32, 10], "optim_type": "rmsprop"})
    gc.collect()
    count = len(Context.instances())
    with pytest.raises(LoadError, match=r"optim_type"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            Context.load(str(tmp_path), "pcn")
    assert alive.circuit.components == comps
    assert alive.circuit.state.keys() == state.keys()
    for p, v in alive.circuit.state.items():
        np.testing.assert_array_equal(np.asarray(v), state[p], err_msg=p)
    gc.collect()
    assert len(Context.instances()) <= count
    assert alive.circuit in Context.instances()
