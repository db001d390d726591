"""One entry point for every way an initializer may be written.

Components call ``initialize_params(key, init, shape)``; ``init`` may be

* ``None``: the result is ``None`` (e.g. "no bias");
* a ``DistributionInitializer`` (``DistributionGenerator.uniform(-0.1, 0.1)``) or any callable
  ``f(shape, key)``: it is called;
* a legacy tuple of older ngc-learn releases, name first:
  ``("constant", value)``, ``("uniform", low, high)``, ``("gaussian" | "normal", mean, std)``,
  ``("fan_in_gaussian",)``, ``("fan_in_uniform",)``, ``("hollow", scale)``, ``("eye", scale)``,
  ``("hollow_uniform" | "eye_uniform", low, high)``, ``("hollow_gaussian" | "eye_gaussian",
  mean, std)``; trailing ignored entries (``("constant", 1., 0.)``) are allowed;
* a legacy dict ``{"dist": name, ...}`` with ``value`` / ``amin, amax`` (uniform bounds) /
  ``mu, sigma`` / ``scale`` and the post-processing keys of ``DistributionParams``
  (``n_row_active`` / ``n_col_active`` are read as ``row_mask`` / ``col_mask``).

Legacy forms are first translated to the equivalent ``DistributionInitializer`` (so they get a
``repr``, ``to_json`` and equality), then called. Hence
``initialize_params(k, ("uniform", a, b), s)`` equals ``DistributionGenerator.uniform(a, b)(s, k)``:
the numbers follow ngc-learn 3.2.3's key use, not the 1.x releases (which sampled with the unsplit
key). ngc-learn 3.2.3 itself only accepts callables; the tuple/dict forms are ngclab's compatibility
layer.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ngclab.utils.distribution_generator import DistributionGenerator as DG
from ngclab.utils.distribution_generator import DistributionInitializer

__all__ = ["as_initializer", "initialize_params"]

_TUPLE_FORMS = ("constant", "uniform", "gaussian", "normal", "fan_in_gaussian", "fan_in_uniform",
                "hollow", "eye", "hollow_uniform", "hollow_gaussian", "eye_uniform",
                "eye_gaussian")


def _arg(args: Sequence[Any], i: int, name: str, spec: Any) -> Any:
    if len(args) <= i:
        raise ValueError(f"initializer {spec!r} is missing its {name!r} entry")
    return args[i]


def _from_tuple(spec: Sequence[Any]) -> DistributionInitializer:
    name, args = spec[0], list(spec[1:])
    mask: dict[str, Any] = {}
    base = name
    for prefix in ("hollow", "eye"):
        if name == prefix:
            return DG.constant(_arg(args, 0, "scale", spec), **{prefix: True})
        if name.startswith(prefix + "_"):
            mask, base = {prefix: True}, name[len(prefix) + 1:]
    if base == "constant":
        return DG.constant(_arg(args, 0, "value", spec), **mask)
    if base == "uniform":
        return DG.uniform(_arg(args, 0, "low", spec), _arg(args, 1, "high", spec), **mask)
    if base in ("gaussian", "normal"):
        return DG.gaussian(_arg(args, 0, "mean", spec), _arg(args, 1, "std", spec), **mask)
    if base == "fan_in_gaussian":
        return DG.fan_in_gaussian()
    if base == "fan_in_uniform":
        return DG.fan_in_uniform()
    raise ValueError(f"unknown initializer {spec!r}; valid tuple forms start with one of "
                     f"{list(_TUPLE_FORMS)}")


_POST_KEYS = ("lower_triangle", "upper_triangle", "hollow", "eye", "col_mask", "row_mask",
              "dtype", "use_numpy")


def _from_dict(spec: Mapping[str, Any]) -> DistributionInitializer:
    d = dict(spec)
    name = d.pop("dist")
    post = {k: d.pop(k) for k in _POST_KEYS if k in d}
    if "n_col_active" in d:
        post["col_mask"] = int(d.pop("n_col_active"))
    if "n_row_active" in d:
        post["row_mask"] = int(d.pop("n_row_active"))
    amin, amax = d.pop("amin", None), d.pop("amax", None)
    if name == "uniform":  # amin/amax are the bounds here (clipping at them is a no-op)
        init = DG.uniform(0.0 if amin is None else amin, 1.0 if amax is None else amax, **post)
        amin = amax = None
    elif name == "constant":
        init = DG.constant(d.pop("value", 1.0), **post)
    elif name in ("gaussian", "normal"):
        init = DG.gaussian(d.pop("mu", 0.0), d.pop("sigma", 1.0), **post)
    elif name in ("hollow", "eye"):
        init = DG.constant(d.pop("scale", 1.0), **{**post, name: True})
    elif name == "fan_in_gaussian":
        init = DG.fan_in_gaussian(**post)
    elif name == "fan_in_uniform":
        init = DG.fan_in_uniform(**post)
    else:
        raise ValueError(f"unknown initializer dict {spec!r}; 'dist' must be one of "
                         "['constant', 'uniform', 'gaussian', 'normal', 'hollow', 'eye', "
                         "'fan_in_gaussian', 'fan_in_uniform']")
    if d:
        raise ValueError(f"initializer dict {spec!r} has unknown key(s) {sorted(d)}")
    clips = {k: v for k, v in (("amin", amin), ("amax", amax)) if v is not None}
    if clips:
        init = DistributionInitializer(init.dist, init.args, {**init.params, **clips})
    return init


def as_initializer(init: Any) -> Callable[..., Any] | None:
    """Turn any accepted initializer form (see module docstring) into a callable, or None.

    Raises ValueError (naming the offending value) for anything else.
    """
    if init is None or isinstance(init, DistributionInitializer):
        return init
    if isinstance(init, Mapping):
        if "dist" in init and "args" in init:  # a to_json() description
            return DG.from_json(init)
        if "dist" in init:
            return _from_dict(init)
    elif isinstance(init, (tuple, list)) and init and isinstance(init[0], str):
        return _from_tuple(init)
    elif callable(init):
        return init
    raise ValueError(f"cannot interpret {init!r} as an initializer: expected None, a "
                     "DistributionGenerator initializer, a callable f(shape, key), a legacy "
                     "tuple like ('uniform', -0.1, 0.1) or a legacy dict like "
                     "{'dist': 'uniform', 'amin': -0.1, 'amax': 0.1}")


def initialize_params(dkey: Any, init: Any, shape: Sequence[int]) -> Any:
    """Initial values of a parameter tensor: ``as_initializer(init)(shape, dkey)``.

    Args:
        dkey: a JAX PRNG key (or an int seed; an int seed for ``use_numpy`` initializers)
        init: None, an initializer, a callable, or a legacy tuple/dict (module docstring)
        shape: shape of the tensor to create

    Returns:
        the array, or None when ``init`` is None
    """
    fn = as_initializer(init)
    return None if fn is None else fn(tuple(shape), dkey)
