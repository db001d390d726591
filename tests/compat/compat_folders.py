"""The folder ngclab's save_to_json writes for ngc-learn: tests/compat/data/ngclab/pcn.

``write_ngclab_folder(directory)`` trains the client code's PCN (tests/compat/client_models.py,
ported) for one epoch on 100 digits and saves it with ``save_to_json``; the committed copy in
tests/compat/data/ngclab/ is what tests/reference/compat_reference.py loads with ngc-learn 3.2.3.
Run ``python -m tests.compat.compat_folders`` (from the repository root) to write it again.
"""
from __future__ import annotations

import json
import os
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
NGCLAB_FOLDER = os.path.join(HERE, "data", "ngclab")
NGCLEARN_FOLDER = os.path.join(HERE, "data", "ngclearn")
REVERSE_RUN = dict(epochs=1, n_train=100, n_test=50)   # the PCN run saved for ngc-learn


def trained_pcn(name: str = "pcn"):
    """The client code's PCN after REVERSE_RUN (the model ngclab saves for ngc-learn)."""
    from tests.compat.compat_porting import ported_module
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ported_module().pcn_experiment(name=name, **REVERSE_RUN)[0]


def ngclearn_folder_copy(directory: str) -> str:
    """A copy of tests/compat/data/ngclearn in ``directory``, with one core bug worked around:
    ngc-learn 3.2.3 writes its processes' class as ``"ngclearn.MethodProcess"`` (its
    ``ngclearn.utils`` re-export), which ``Context.load`` refuses, accepting only
    ``ngcsimlib.*`` / ``ngclab.*`` process paths. The copy names them ``ngcsimlib.*``; nothing
    else changes. Returns the copy's path (the ``directory`` argument of ``Context.load``)."""
    import shutil
    target = os.path.join(directory, "ngclearn")
    shutil.copytree(NGCLEARN_FOLDER, target)
    for model in os.listdir(target):
        path = os.path.join(target, model, "process", "roots.json")
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        text = text.replace('"ngclearn.MethodProcess"', '"ngcsimlib.MethodProcess"')
        text = text.replace('"ngclearn.JointProcess"', '"ngcsimlib.JointProcess"')
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    return target


def drop_array_arguments(folder: str) -> list[str]:
    """Work around a core bug: ``save_to_json`` writes a constructor's ``key=`` (a PRNG key
    array) into component/roots.json as ``{"array": [...], "dtype": ...}``, which neither
    ngc-learn's nor ngclab's ``Context.load`` can pass back to a constructor (ngc-learn writes
    no key there: the key is in the component's npz). Removes such arguments, as ngc-learn's
    writer leaves them out; returns "component.argument" for each one removed."""
    path = os.path.join(folder, "component", "roots.json")
    with open(path, encoding="utf-8") as fh:
        roots = json.load(fh)
    dropped = []
    for cname, data in roots.items():
        for arg, value in list(data.get("kwargs", {}).items()):
            if isinstance(value, dict) and "array" in value:
                del data["kwargs"][arg]
                dropped.append(f"{cname}.{arg}")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(roots, fh, indent=4)
    return dropped


def write_ngclab_folder(directory: str = NGCLAB_FOLDER, name: str = "pcn"):
    """Save the trained PCN with save_to_json into ``directory``/pcn; returns the model and the
    folder."""
    model = trained_pcn(name)
    os.makedirs(directory, exist_ok=True)
    folder = model.circuit.save_to_json(directory, model_name="pcn", overwrite=True)
    drop_array_arguments(folder)
    return model, folder


if __name__ == "__main__":
    write_ngclab_folder()
    print("wrote", os.path.join(NGCLAB_FOLDER, "pcn"))
