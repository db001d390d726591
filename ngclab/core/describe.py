"""Describing a Context: a JSON graph (what the editor draws) and Python code that rebuilds it."""
from __future__ import annotations

import keyword
import re
from typing import Any

import numpy as np

from ngclab.core.compartment import Operation


def jsonable(value: Any) -> Any:
    """A JSON-safe rendering of a hyperparameter value."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if hasattr(value, "to_json"):
        return {"initializer": value.to_json(), "repr": repr(value)}
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        arr = np.asarray(value)
        return {"array": arr.tolist(), "dtype": str(arr.dtype)}
    return {"repr": repr(value)}


def component_group(cls: type) -> str:
    """Palette group from the module path, e.g. ``neurons/graded`` or ``synapses/hebbian``."""
    parts = cls.__module__.split(".")
    if parts[:2] == ["ngclab", "components"] and len(parts) > 3:
        return "/".join(parts[2:-1])
    return "custom"


def _source_tree(src: Any) -> Any:
    if isinstance(src, Operation):
        return {"op": type(src).__name__, "operands": [_source_tree(c) for c in src.operands]}
    return src.path


def _source_paths(src: Any) -> list[str]:
    return [c.path for c in src.sources()] if isinstance(src, Operation) else [src.path]


def graph(ctx) -> dict:
    """Nodes (components with ports), wires, knobs and processes, all JSON-serialisable."""
    components = []
    for comp in ctx.components.values():
        ports = []
        for name, c in comp.compartments.items():
            ports.append({"name": name, "path": c.path, "kind": c.kind,
                          "shape": list(c.shape), "dtype": str(c.dtype),
                          "wired_from": _source_paths(c.source) if c.wired else None})
        components.append({
            "name": comp.name, "path": comp.path, "class": type(comp).__name__,
            "module": type(comp).__module__, "group": component_group(type(comp)),
            "hyperparameters": {k: jsonable(v) for k, v in comp.hyperparameters.items()},
            "compartments": ports,
            "inputs": [p["name"] for p in ports if p["kind"] == "input"],
            "outputs": [p["name"] for p in ports if p["kind"] == "output"],
            "knobs": [p["name"] for p in ports if p["kind"] == "knob"],
            "methods": type(comp).methods(),
        })
    wires = [{"dst": dst.path, "src": _source_tree(src), "sources": _source_paths(src),
              "op": type(src).__name__ if isinstance(src, Operation) else None}
             for src, dst in ctx.wires()]
    knobs = {p: {"value": float(np.asarray(k.get())), "low": k.low, "high": k.high,
                 "default": float(np.asarray(k.default)), "range": list(k.slider_range),
                 "doc": k.doc}
             for p, k in ctx.knobs().items()}
    processes = []
    for proc in ctx.processes.values():
        entry = {"name": proc.name, "type": type(proc).__name__,
                 "steps": [[s.component.name, s.name] for s in proc.steps]}
        if proc.joint:
            entry["items"] = [i.name if not hasattr(i, "component") else
                              [i.component.name, i.name] for i in proc.items]
        processes.append(entry)
    return {"context": ctx.name, "structure_version": ctx.structure_version,
            "components": components, "wires": wires, "knobs": knobs,
            "processes": processes, "layout": jsonable(ctx.layout)}


def _identifier(name: str, taken: set[str]) -> str:
    ident = re.sub(r"\W", "_", name)
    if not ident or ident[0].isdigit() or keyword.iskeyword(ident):
        ident = "_" + ident
    base, i = ident, 2
    while ident in taken:
        ident, i = f"{base}_{i}", i + 1
    taken.add(ident)
    return ident


def _code_value(value: Any) -> str:
    if hasattr(value, "to_json"):
        return repr(value)
    if hasattr(value, "shape") and hasattr(value, "dtype") and not isinstance(value, np.generic):
        arr = np.asarray(value)
        return f"np.array({arr.tolist()!r}, dtype=np.{arr.dtype})"
    if isinstance(value, np.generic):
        return repr(value.item())
    if isinstance(value, (list, tuple)):
        inner = ", ".join(_code_value(v) for v in value)
        return f"({inner},)" if isinstance(value, tuple) and len(value) == 1 else \
            (f"({inner})" if isinstance(value, tuple) else f"[{inner}]")
    return repr(value)


def to_code(ctx) -> str:
    """Python source that rebuilds this circuit (components, knob values, wires, processes)."""
    taken = {"ctx", "np", "Context", "MethodProcess", "JointProcess", "Summation", "Product",
             "DistributionGenerator"}
    var = {name: _identifier(name, taken) for name in ctx.components}
    imports: dict[str, set[str]] = {}
    notes = []
    for comp in ctx.components.values():
        cls = type(comp)
        if cls.__module__.startswith("ngclab.components"):
            imports.setdefault("ngclab.components", set()).add(cls.__name__)
        elif cls.__module__ == "__main__":
            notes.append(f"# {cls.__name__} is defined in your notebook/script: define it first")
        else:
            imports.setdefault(cls.__module__, set()).add(cls.__name__)
    lines = ["import numpy as np",
             "from ngclab import Context, MethodProcess, JointProcess, Summation, Product",
             "from ngclab.utils.distribution_generator import DistributionGenerator"]
    lines += [f"from {m} import {', '.join(sorted(n))}" for m, n in sorted(imports.items())]
    lines += notes + ["", f"with Context({ctx.name!r}) as ctx:"]
    for comp in ctx.components.values():
        args = dict(comp.hyperparameters)
        defaults = getattr(comp, "_init_defaults", {})
        name = args.pop("name", comp.name)
        shown = [f"{k}={_code_value(v)}" for k, v in args.items()
                 if not (k in defaults and _same(defaults[k], v))]
        lines.append(f"    {var[comp.name]} = {type(comp).__name__}({name!r}"
                     + "".join(f", {s}" for s in shown) + ")")
    for path, knob in ctx.knobs().items():
        now, init = float(np.asarray(knob.get())), float(np.asarray(knob.default))
        if now != init:
            lines.append(f"    {var[knob.owner.name]}.{knob.name}.set({now!r})")

    def ref(src: Any) -> str:
        if isinstance(src, Operation):
            return f"{type(src).__name__}({', '.join(ref(c) for c in src.operands)})"
        return f"{var[src.owner.name]}.{src.name}"

    wires = ctx.wires()
    if wires:
        lines.append("")
    for src, dst in wires:
        lines.append(f"    {ref(src)} >> {ref(dst)}")
    pvar: dict[int, str] = {}
    for proc in process_order(ctx):
        pvar[id(proc)] = _identifier(proc.name, taken)
        if proc.joint:
            chain = [pvar[id(i)] if not hasattr(i, "component") else
                     f"{var[i.component.name]}.{i.name}" for i in proc.items]
            head = f"JointProcess({proc.name!r})"
        else:
            chain = [f"{var[s.component.name]}.{s.name}" for s in proc.steps]
            head = f"MethodProcess({proc.name!r})"
        lines.append(f"    {pvar[id(proc)]} = ({head}" + "".join(f" >> {c}" for c in chain) + ")")
    return "\n".join(lines) + "\n"


def process_order(ctx) -> list:
    """The processes in an order that rebuilds them: each after the processes it runs (a
    JointProcess may be made before its members), and a process a later one of the same name
    displaced from ``ctx.processes`` (still run by a JointProcess) before that later one."""
    procs, seen = [], set()

    def reach(proc) -> None:
        if id(proc) not in seen:
            seen.add(id(proc))
            procs.append(proc)
            for item in proc.items if proc.joint else []:
                if not hasattr(item, "component"):
                    reach(item)

    for proc in ctx.processes.values():
        reach(proc)
    registered = {id(p) for p in ctx.processes.values()}
    before = {id(p): [i for i in (p.items if p.joint else []) if not hasattr(i, "component")]
              for p in procs}
    for p in procs:                  # a displaced process before the one now under its name
        if id(p) not in registered and p.name in ctx.processes:
            before[id(ctx.processes[p.name])].append(p)
    out, done = [], set()
    while len(out) < len(procs):
        ready = [p for p in procs if id(p) not in done and all(id(q) in done
                                                                for q in before[id(p)])]
        if not ready:   # (a cycle of names no creation order can rebuild: keep the rest as is)
            ready = [p for p in procs if id(p) not in done]
        for p in ready[:1]:
            out.append(p)
            done.add(id(p))
    return out


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) and type(a) is type(b)
    except Exception:  # arrays and the like: show them
        return False
