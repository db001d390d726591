"""ngc-learn 3.2.3's model folder: ``save_to_json`` writes it, ``Context.load`` reads it.

The layout (``<directory>/<model_name>/``)::

    contextData.json        {"types": ["component", "process"], "path": <context name>}
    component/roots.json    {name: {"args": [name], "kwargs": {...}, "modulePath": ...}}
    component/custom/*.npz  each component's compartments (see ``npzfiles``)
    process/roots.json      {name: {"args": [name], "kwargs": {}, "method_order": [...] or
                                    "process_order": [...], "watch_list": [...], "modulePath"}}
    connections.json        {"<ctx>:<comp>:<compartment>": source root or operation}

Both ways work: a folder ngc-learn wrote loads here, and one written here loads in ngc-learn
(class paths are written as ngc-learn's, constructor arguments only where they differ from
the defaults, as a call would give them).

Safety. A ``modulePath`` only ever resolves to a component class already defined in this
process (ngclab's, or one of yours that subclasses ``Component``), or to ngclab's processes and
operations; anything else is refused by name and nothing is imported. Arrays are read with
``allow_pickle=False``; ngc-learn's optimizer pickles (``<name>_opt_params.pkl``) are never read.
The model is built in a new Context, and any problem raises ``LoadError`` before it is returned.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import uuid
import warnings
from typing import Any

from ngclab.core import npzfiles
from ngclab.core.compartment import OPERATIONS, Compartment, Operation
from ngclab.core.component import Component, registered_classes
from ngclab.core.describe import jsonable
from ngclab.core.persist import LoadError
from ngclab.core.process import JointProcess, MethodProcess

TYPES = ("component", "process")
_PROCESS_PATHS = {"MethodProcess": MethodProcess, "JointProcess": JointProcess}


def safe_filename(name: str) -> str:
    return re.sub(r'[ <>:"/\\|?*\0-\31]', "_", name.replace(" ", "_")).strip()


def root(comp: Compartment) -> str:
    """ngc-learn's name for a compartment: ``<context>:<component>:<compartment>``."""
    return f"{comp.owner.context.name}:{comp.owner.name}:{comp.name}"


def module_path(cls: type) -> str:
    """The class path ngc-learn writes (ngclab's own components under ``ngclearn.``)."""
    module = cls.__module__
    if module.startswith("ngclab.components."):
        module = "ngclearn" + module[len("ngclab"):]
    return f"{module}.{cls.__qualname__}"


# -- saving ----------------------------------------------------------------------------------------
def _arguments(comp: Component) -> dict:
    """Constructor keywords as a call would give them: those that differ from the defaults
    and can be written as JSON (initializers cannot; the weights are in the npz anyway)."""
    defaults = comp.__dict__.get("_init_defaults", {})
    out = {}
    for k, v in comp.hyperparameters.items():
        if k == "name" or (k in defaults and _same(defaults[k], v)):
            continue
        value = jsonable(v)
        if isinstance(value, dict) and ("repr" in value or "initializer" in value):
            continue
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            continue
        out[k] = value
    return out


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) and type(a) is type(b)
    except Exception:
        return False


def _operation_json(op: Operation) -> dict:
    return {"modulePath": f"ngcsimlib.operations.{type(op).__name__}",
            "compartments": [_operation_json(c) if isinstance(c, Operation) else root(c)
                             for c in op.operands]}


def _process_json(proc: MethodProcess) -> dict:
    data: dict[str, Any] = {"args": [proc.name], "kwargs": {},
                            "watch_list": [root(c) for c in proc.watched]}
    for item in proc.items if proc.joint else []:
        if isinstance(item, MethodProcess) and proc.context.processes.get(item.name) is not item:
            # the folder names processes by name: this one would load as the other
            raise ValueError(f"save_to_json: process {proc.name!r} runs a process named "
                             f"{item.name!r} that a later process of that name replaced in "
                             f"Context {proc.context.name!r}; give one of them another name")
    if proc.joint:
        data["process_order"] = [i.name for i in proc.items if isinstance(i, MethodProcess)]
        # ngclab's JointProcess may also hold methods directly (ngc-learn's cannot)
        data["items"] = [{"process": i.name} if isinstance(i, MethodProcess) else
                         {"name": i.component.name, "method": i.name} for i in proc.items]
        data["modulePath"] = "ngcsimlib.JointProcess"
    else:
        data["method_order"] = [{"name": s.component.name, "method": s.name} for s in proc.steps]
        data["modulePath"] = "ngcsimlib.MethodProcess"
    return data


def save_to_json(ctx, directory: str, model_name: str | None = None, custom_save: bool = True,
                 overwrite: bool = False) -> str:
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"save_to_json: {directory!r} is not a folder")
    name = safe_filename(ctx.name if model_name is None else str(model_name))
    if not name:
        raise ValueError(f"save_to_json: model_name {model_name!r} gives an empty folder name")
    target = os.path.join(directory, name)
    if os.path.exists(target) and not overwrite:
        target = os.path.join(directory, f"{name}_{uuid.uuid4()}")   # as ngc-learn does
    tmp = tempfile.mkdtemp(prefix=f".{name}.", dir=directory)
    try:
        _write(ctx, tmp, custom_save)
        if os.path.exists(target):       # overwrite: swap the new folder in, then drop the old
            old = tempfile.mkdtemp(prefix=f".{name}.old.", dir=directory)
            os.rmdir(old)
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def _write(ctx, path: str, custom_save: bool) -> None:
    def dump(rel: str, data: Any) -> None:
        with open(os.path.join(path, rel), "w", encoding="utf-8") as f:
            json.dump(data, f, indent=4)

    dump("contextData.json", {"types": list(TYPES), "path": ctx.name})
    os.mkdir(os.path.join(path, "component"))
    os.mkdir(os.path.join(path, "process"))
    roots = {n: {"args": [n], "kwargs": _arguments(c), "modulePath": module_path(type(c))}
             for n, c in ctx.components.items()}
    dump(os.path.join("component", "roots.json"), roots)
    if custom_save and ctx.components:
        custom = os.path.join(path, "component", "custom")
        for comp in ctx.components.values():
            comp.save(custom)
    dump(os.path.join("process", "roots.json"),
         {n: _process_json(p) for n, p in ctx.processes.items()})
    dump("connections.json", {root(dst): _operation_json(src) if isinstance(src, Operation)
                              else root(src) for src, dst in ctx.wires()})


# -- loading ---------------------------------------------------------------------------------------
def _read_json(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise LoadError(f"{path} is missing: not an ngc-learn model folder") from None
    except (ValueError, UnicodeDecodeError, OSError, RecursionError) as err:
        raise LoadError(f"{path} is not valid JSON ({err})") from None


def resolve_component(path: Any, where: str) -> type:
    """The component class a ``modulePath`` names, among the classes already defined."""
    if not isinstance(path, str) or not path:
        raise LoadError(f"{where}: modulePath {path!r} is not a class path")
    classes = registered_classes()
    if path in classes:
        return classes[path]
    head, _, cls_name = path.rpartition(".")
    if head.split(".")[0] in ("ngclearn", "ngclab"):
        builtin = classes.get(f"ngclab.components.{cls_name}")
        if builtin is not None:
            return builtin
    raise LoadError(f"{where}: modulePath {path!r} is not a component class ngclab knows; only "
                    f"ngclab's components and Component subclasses already defined in this "
                    f"session load (nothing is imported from a model file)")


def _operation(data: Any, compartments: dict, where: str) -> Any:
    if isinstance(data, str):
        if data not in compartments:
            raise LoadError(f"{where}: unknown compartment {data!r}")
        return compartments[data]
    if not isinstance(data, dict) or not isinstance(data.get("compartments"), list):
        raise LoadError(f"{where}: an operation must be {{'modulePath': ..., 'compartments': "
                        f"[...]}}, got {data!r}")
    op_name = str(data.get("modulePath", "")).rpartition(".")[2]
    head = str(data.get("modulePath", "")).split(".")[0]
    if op_name not in OPERATIONS or head not in ("ngcsimlib", "ngclab"):
        raise LoadError(f"{where}: operation {data.get('modulePath')!r} is not one ngclab knows "
                        f"({', '.join(OPERATIONS)})")
    return OPERATIONS[op_name](*[_operation(c, compartments, where) for c in data["compartments"]])


def load(context_cls: type, directory: str, module_name: str):
    """Build a Context from a folder written by ``save_to_json`` (ngc-learn's or ngclab's)."""
    path = os.path.join(os.fspath(directory), module_name)
    if not os.path.isdir(path):
        raise LoadError(f"{path!r} is not a folder (Context.load(directory, module_name) reads "
                        f"directory/module_name)")
    meta = _read_json(os.path.join(path, "contextData.json"))
    if not isinstance(meta, dict) or not isinstance(meta.get("types"), list):
        raise LoadError(f"{path}/contextData.json: expected {{'types': [...], 'path': ...}}")
    for kind in meta.get("types", []):   # a type ngc-learn would read <type>/roots.json of
        if not isinstance(kind, str) or kind not in TYPES and not os.path.isfile(
                os.path.join(path, safe_filename(kind), "roots.json")):
            raise LoadError(f"{path}/contextData.json: lists type {kind!r}, but the folder has "
                            f"no {kind}/roots.json (types ngclab builds: {', '.join(TYPES)})")
    name = meta.get("path", module_name)
    if not isinstance(name, str) or not name:
        raise LoadError(f"{path}/contextData.json: 'path' must be a context name")
    name = name.split(":")[-1].split("/")[-1]
    comp_roots = _read_json(os.path.join(path, "component", "roots.json")) \
        if "component" in meta.get("types", []) else {}
    proc_roots = _read_json(os.path.join(path, "process", "roots.json")) \
        if "process" in meta.get("types", []) else {}
    connections = _read_json(os.path.join(path, "connections.json"))
    for what, data in (("component/roots.json", comp_roots), ("process/roots.json", proc_roots),
                       ("connections.json", connections)):
        if not isinstance(data, dict):
            raise LoadError(f"{path}/{what} must hold a JSON object")
    try:
        ctx = context_cls(name)
        with ctx:
            _build(ctx, path, comp_roots, proc_roots, connections)
    except LoadError:
        raise
    except (TypeError, ValueError, KeyError, npzfiles.ComponentFileError) as err:
        raise LoadError(f"{path}: {err}") from None
    except Exception as err:   # a constructor meeting values no call would pass (overflow...)
        raise LoadError(f"{path}: the model could not be built from its files "
                        f"({type(err).__name__}: {err})") from None
    return ctx


def _build(ctx, path: str, comp_roots: dict, proc_roots: dict, connections: dict) -> None:
    custom = os.path.join(path, "component", "custom")
    for cname, data in comp_roots.items():
        where = f"{path}/component/roots.json: {cname!r}"
        if not isinstance(data, dict):
            raise LoadError(f"{where} must be a JSON object")
        cls = resolve_component(data.get("modulePath"), where)
        args, kwargs = data.get("args", [cname]), data.get("kwargs", {})
        if not isinstance(args, list) or not isinstance(kwargs, dict):
            raise LoadError(f"{where}: args must be a list and kwargs an object")
        try:
            comp = cls(*args, **kwargs)
        except (TypeError, ValueError, KeyError) as err:   # arguments no save_to_json writes
            raise LoadError(f"{where}: {cls.__name__}(*args, **kwargs) refused them: {err}") \
                from None
        if os.path.isfile(npzfiles.component_file(custom, comp.name)):
            comp.load(custom)
        if os.path.isfile(os.path.join(custom, f"{comp.name}_opt_params.pkl")):
            warnings.warn(f"{comp.path}: {comp.name}_opt_params.pkl (optimizer statistics "
                          f"pickled by ngc-learn) is not read, since ngclab never unpickles; the "
                          f"optimizer starts afresh", stacklevel=4)
    roots = {f"{ctx.name}:{c.owner.name}:{c.name}": c for c in ctx.compartments.values()}
    pending = dict(proc_roots)
    while pending:
        progress = False
        for pname, data in list(pending.items()):
            made = _process(ctx, pname, data, roots, path)
            if made:
                del pending[pname]
                progress = True
        if not progress:
            raise LoadError(f"{path}/process/roots.json: processes {sorted(pending)} name "
                            f"processes that do not exist (or each other in a circle)")
    for dst, src in connections.items():
        where = f"{path}/connections.json: {dst!r}"
        if dst not in roots:
            owner = str(dst).split(":")[0]
            if owner != ctx.name:
                raise LoadError(f"{where}: a compartment of Context {owner!r}, but "
                                f"{path}/contextData.json names the model {ctx.name!r}")
            raise LoadError(f"{where}: no such compartment")
        source = _operation(src, roots, where)
        try:
            roots[dst].wire_from(source)
        except (TypeError, ValueError) as err:    # shapes or kinds that do not wire
            raise LoadError(f"{where}: {err}") from None


def _process(ctx, pname: str, data: Any, roots: dict, path: str) -> bool:
    where = f"{path}/process/roots.json: {pname!r}"
    if not isinstance(data, dict):
        raise LoadError(f"{where} must be a JSON object")
    kind = str(data.get("modulePath", "")).rpartition(".")[2]
    if kind not in _PROCESS_PATHS or str(data.get("modulePath")).split(".")[0] not in (
            "ngcsimlib", "ngclab"):
        raise LoadError(f"{where}: modulePath {data.get('modulePath')!r} is not a process class "
                        f"ngclab knows (MethodProcess, JointProcess)")

    def method(entry: Any):
        if not isinstance(entry, dict) or entry.get("name") not in ctx.components:
            raise LoadError(f"{where}: step {entry!r} names no component of the model")
        comp = ctx.components[entry["name"]]
        m = getattr(comp, str(entry.get("method")), None)
        if m is None:
            raise LoadError(f"{where}: {comp.path} has no method {entry.get('method')!r}")
        return m

    if kind == "JointProcess":
        items = data.get("items") or [{"process": p} for p in data.get("process_order", [])]
        if any(isinstance(i, dict) and "process" in i and i["process"] not in ctx.processes
               for i in items):
            return False   # a member process is built later
        proc = JointProcess(pname)
        for i in items:
            proc.then(ctx.processes[i["process"]] if isinstance(i, dict) and "process" in i
                      else method(i))
    else:
        proc = MethodProcess(pname)
        for entry in data.get("method_order", []):
            proc.then(method(entry))
    for r in data.get("watch_list", []):
        if r not in roots:
            raise LoadError(f"{where}: watches unknown compartment {r!r}")
        proc.watch(roots[r])
    return True
