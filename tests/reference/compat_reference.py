"""Reference numbers of ngc-learn client code: tests/compat/client_models.py under ngc-learn 3.2.3.

Run with the reference virtual environment (Python 3.12, ngclearn==3.2.3; ngclab never imports
it)::

    <reference python> tests/reference/compat_reference.py

It imports tests/compat/client_models.py as it is (ngclearn / ngcsimlib imports) and writes
tests/reference/compat_reference.json:

- "pcn", "sc", "rbm": each experiment's per-step numbers for the first mini-batch and its
  energies / accuracies / reconstruction errors after every epoch;
- "ngclearn_folder": the trained PCN and RBM are saved with ngc-learn's ``save_to_json`` into
  tests/compat/data/ngclearn/ (committed, HebbianSynapse's ``<name>_opt_params.pkl`` included),
  then loaded back by ngc-learn's ``Context.load`` in a fresh process, which records the next
  numbers: predicting and settling on unseen data and one learning step, with the optimizer
  statistics ngc-learn unpickled ("continued") and with fresh ones ("fresh": the pickles
  replaced by zero statistics at step 0, as ngclab, which never unpickles, starts);
- "ngclab_folder": tests/compat/data/ngclab/pcn (a folder written by ngclab's ``save_to_json``,
  committed; tests/compat/test_folders.py rewrites it) loaded by ngc-learn, and the same next
  numbers.

- tests/compat/data/ngclearn_public_names.json (``--names`` writes only this): every public
  module of ngclearn and ngcsimlib with the public names it defines (its ``__all__``, or the
  names not starting with "_" whose objects it defines), for tests/compat/test_public_names.py.

A fresh process is used for each load because ngcsimlib's ``Context(name)`` returns an existing
context of the same name.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings

warnings.filterwarnings("ignore")

HERE = os.path.dirname(os.path.abspath(__file__))
COMPAT = os.path.join(os.path.dirname(HERE), "compat")
DATA = os.path.join(COMPAT, "data")
OUT = os.path.join(HERE, "compat_reference.json")


def client_models():
    """tests/compat/client_models.py as it is (imported from its path: this script runs under
    the reference interpreter, outside the test package)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("client_models",
                                                  os.path.join(COMPAT, "client_models.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules["client_models"] = module   # (dataclasses and pickles look it up by name)
    spec.loader.exec_module(module)
    return module


def experiments() -> dict:
    m = client_models()
    out = {}
    pcn, out["pcn"] = m.pcn_experiment()
    sc, out["sc"] = m.sc_experiment()
    rbm, out["rbm"] = m.rbm_experiment()
    folder = os.path.join(DATA, "ngclearn")
    os.makedirs(folder, exist_ok=True)
    # saved after a reset, at the constructor's batch size (see tests/compat/test_folders.py:
    # ngclab's Context.load refuses a saved batch that differs from a wire's other end)
    pcn.reset.run()
    rbm.reset.run()
    pcn.circuit.save_to_json(folder, model_name="pcn", overwrite=True)
    rbm.circuit.save_to_json(folder, model_name="rbm", overwrite=True)
    return out


def after_load(folder: str, with_rbm: bool) -> dict:
    """Next numbers of the PCN (and RBM) saved in ``folder``, loaded by Context.load."""
    m = client_models()
    out = {"pcn": m.pcn_after_load(folder)}
    if with_rbm:
        out["rbm"] = m.rbm_after_load(folder)
    return out


def with_fresh_optimizer(folder: str, copy: str) -> str:
    """A copy of ``folder`` whose ``*_opt_params.pkl`` hold fresh optimizer statistics (zeros,
    step 0), as if the optimizer started afresh after loading."""
    import pickle
    import shutil
    import jax
    import numpy as np
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(folder, copy)
    for root, _, files in os.walk(copy):
        for f in files:
            if f.endswith("_opt_params.pkl"):
                with open(os.path.join(root, f), "rb") as fh:
                    state = pickle.load(fh)   # the file this script just wrote
                fresh = jax.tree_util.tree_map(lambda a: np.zeros_like(np.asarray(a)), state)
                with open(os.path.join(root, f), "wb") as fh:
                    pickle.dump(fresh, fh)
    return copy


def in_fresh_process(folder: str, with_rbm: bool) -> dict:
    res = subprocess.run([sys.executable, __file__, "--after-load", folder, str(with_rbm)],
                         capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def public_names() -> dict:
    """{module: sorted public names} for ngclearn and ngcsimlib (private modules skipped)."""
    import importlib
    import inspect
    import pkgutil
    out = {}
    for top in ("ngclearn", "ngcsimlib"):
        pkg = importlib.import_module(top)
        mods = [top] + [m.name for m in pkgutil.walk_packages(pkg.__path__, top + ".")]
        for name in mods:
            if any(part.startswith("_") for part in name.split(".")):
                continue
            try:
                mod = importlib.import_module(name)
            except Exception as err:      # an optional dependency missing: listed as such
                out[name] = {"import_error": f"{type(err).__name__}: {err}"}
                continue
            if hasattr(mod, "__all__"):
                names = [n for n in mod.__all__ if not n.startswith("_")]
            else:
                names = []
                for n, obj in vars(mod).items():
                    if n.startswith("_") or inspect.ismodule(obj):
                        continue
                    home = getattr(obj, "__module__", None)
                    if (inspect.isclass(obj) or inspect.isfunction(obj)) and home != name:
                        # re-exported from elsewhere: public in a package's __init__ only
                        if not hasattr(mod, "__path__"):
                            continue
                    elif not (inspect.isclass(obj) or inspect.isfunction(obj)):
                        continue
                    names.append(n)
            out[name] = sorted(set(names))
    return out


def write_names() -> None:
    path = os.path.join(DATA, "ngclearn_public_names.json")
    with open(path, "w") as fh:
        json.dump(public_names(), fh, indent=1, sort_keys=True)
    print("wrote", path)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--names":
        write_names()
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--after-load":
        print(json.dumps(after_load(sys.argv[2], sys.argv[3] == "True")))
        return
    ref = experiments()
    import tempfile
    folder = os.path.join(DATA, "ngclearn")
    with tempfile.TemporaryDirectory() as tmp:
        ref["ngclearn_folder"] = {
            "continued": in_fresh_process(folder, True),
            "fresh": in_fresh_process(with_fresh_optimizer(folder, os.path.join(tmp, "f")),
                                      True)}
    ngclab_folder = os.path.join(DATA, "ngclab")
    if os.path.isdir(os.path.join(ngclab_folder, "pcn")):
        ref["ngclab_folder"] = in_fresh_process(ngclab_folder, False)
    with open(OUT, "w") as fh:
        json.dump(ref, fh, indent=1)
    print("wrote", OUT)
    write_names()


if __name__ == "__main__":
    main()
