"""Initial-value distributions for synaptic parameters.

An *initializer* is a small, serialisable object ``init`` such that ``init(shape, key)`` returns
an array of that shape. It is built by one of the ``DistributionGenerator`` factories:

| constant(value)          W_ij = value
| diag_offdiag(on, off)    W_ij = on if i == j else off
| uniform(low, high)       W_ij ~ U[low, high)
| gaussian(mean, std)      W_ij ~ N(mean, std^2)
| log_gaussian(sigma)      W_ij = exp(e_ij), e_ij ~ N(0, sigma^2)
| fan_in_uniform()         W_ij ~ U[-a, a),   a = sqrt(1 / shape[1])
| fan_in_gaussian()        W_ij ~ N(0, s^2),  s = sqrt(1 / shape[0])

and then post-processed by the optional ``DistributionParams`` (in this order): clip below at
``amin``, clip above at ``amax``, keep the lower/upper triangle, zero the diagonal (``hollow``),
keep only the diagonal (``eye``), keep ``col_mask`` columns, keep ``row_mask`` rows, cast to
``dtype``.

Random numbers follow ngc-learn 3.2.3 exactly, so a key gives the same matrix in both: the key is
split once, ``key -> (k_sample, k_post)``; the values are drawn with ``k_sample``; ``k_post`` is
split again for each random column/row mask. ``constant`` and ``diag_offdiag`` draw nothing and
use the key itself for the masks. With ``use_numpy=True`` the key is an integer seed for
``numpy.random.default_rng`` (a fresh generator from that seed for the values and for each mask).
Without a key a fresh random one is drawn (not reproducible).

Two ngc-learn 3.2.3 conventions are kept on purpose so that numbers match: ``fan_in_uniform`` takes
its fan-in from ``shape[1]`` while ``fan_in_gaussian`` takes it from ``shape[0]``.
ngc-learn's ``log_gaussian`` fails on its JAX path (it names an undefined key); ngclab draws it with
``k_sample``.

Every initializer has a ``repr`` that is Python rebuilding it (``DistributionGenerator.uniform(
low=-0.1, high=0.1, amin=0.0)``), ``to_json()`` / ``DistributionGenerator.from_json(d)``, and
compares equal to another built from the same arguments.

Older ngc-learn releases described initializers as tuples (``("uniform", -0.1, 0.1)``) or dicts
(``{"dist": "uniform", "amin": -0.1, "amax": 0.1}``). ngc-learn 3.2.3 components accept only the
callable form; ngclab components accept all of them through :func:`as_initializer` and
:func:`initialize_params` (see there).
"""
from __future__ import annotations

import functools
import json
import math
import secrets
from collections.abc import Mapping, Sequence
from typing import Any, List, TypedDict, Unpack

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["DistributionParams", "DistributionInitializer", "DistributionGenerator",
           "as_initializer", "initialize_params"]


class DistributionParams(TypedDict, total=False):
    """Optional post-processing of a sampled matrix (all keys optional).

    amin: lower clip bound. amax: upper clip bound. lower_triangle / upper_triangle: keep that
    triangle (mutually exclusive). hollow: zero the diagonal. eye: zero everything off the
    diagonal. col_mask / row_mask: an int n keeps n randomly chosen columns/rows, a list keeps
    those indices. dtype: output dtype (default float32). use_numpy: build with numpy (the key is
    then an integer seed).
    """
    amin: float
    amax: float
    lower_triangle: bool
    upper_triangle: bool
    hollow: bool
    eye: bool
    col_mask: int | List[int]
    row_mask: int | List[int]
    dtype: Any
    use_numpy: bool


_PARAM_ORDER = ("amin", "amax", "lower_triangle", "upper_triangle", "hollow", "eye",
                "col_mask", "row_mask", "dtype", "use_numpy")

# name -> (ordered argument names, their defaults); None marks a required argument
_DISTS: dict[str, tuple[tuple[str, ...], tuple[Any, ...]]] = {
    "constant": (("value",), (None,)),
    "diag_offdiag": (("on_diag", "off_diag"), (None, None)),
    "uniform": (("low", "high"), (0.0, 1.0)),
    "gaussian": (("mean", "std"), (0.0, 1.0)),
    "log_gaussian": (("sigma",), (1.0,)),
    "fan_in_uniform": ((), ()),
    "fan_in_gaussian": ((), ()),
}


def _plain_number(name: str, v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        raise TypeError(f"initializer argument {name!r} must be a number, got {v!r}") from None


def _normalize_params(params: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(params) - set(_PARAM_ORDER)
    if unknown:
        raise TypeError(f"unknown distribution parameter(s) {sorted(unknown)}; "
                        f"valid ones are {list(_PARAM_ORDER)}")
    out: dict[str, Any] = {}
    for k in _PARAM_ORDER:
        if k not in params or params[k] is None:
            continue
        v = params[k]
        if k in ("amin", "amax"):
            v = _plain_number(k, v)
        elif k in ("lower_triangle", "upper_triangle", "hollow", "eye", "use_numpy"):
            v = bool(v)
        elif k in ("col_mask", "row_mask"):
            v = int(v) if isinstance(v, (int, np.integer)) else [int(i) for i in v]
        elif k == "dtype":
            v = np.dtype(v).name
        out[k] = v
    if out.get("lower_triangle") and out.get("upper_triangle"):
        raise ValueError("lower_triangle and upper_triangle are mutually exclusive")
    return out


class DistributionInitializer:
    """A callable ``init(shape, key=None) -> array`` built by ``DistributionGenerator``."""

    __slots__ = ("dist", "args", "params")

    def __init__(self, dist: str, args: Mapping[str, Any], params: Mapping[str, Any]):
        if dist not in _DISTS:
            raise ValueError(f"unknown distribution {dist!r}; valid ones are {list(_DISTS)}")
        names, defaults = _DISTS[dist]
        extra = set(args) - set(names)
        if extra:
            raise TypeError(f"{dist}() got unexpected argument(s) {sorted(extra)}")
        full = {}
        for n, d in zip(names, defaults):
            if n not in args and d is None:
                raise TypeError(f"{dist}() missing required argument {n!r}")
            full[n] = _plain_number(n, args.get(n, d))
        self.dist, self.args, self.params = dist, full, _normalize_params(params)

    # -- identity -------------------------------------------------------------------------------
    def __repr__(self) -> str:
        items = [f"{k}={v!r}" for k, v in {**self.args, **self.params}.items()]
        return f"DistributionGenerator.{self.dist}({', '.join(items)})"

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe dict: ``{"dist": name, "args": {...}, "params": {...}}``."""
        return {"dist": self.dist, "args": dict(self.args),
                "params": {k: (list(v) if isinstance(v, list) else v)
                           for k, v in self.params.items()}}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DistributionInitializer):
            return NotImplemented
        return self.to_json() == other.to_json()

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_json(), sort_keys=True))

    # -- sampling -------------------------------------------------------------------------------
    def __call__(self, shape: Sequence[int], dkey: Any = None) -> jax.Array | np.ndarray:
        shape = tuple(int(s) for s in shape)
        if self.dist.startswith("fan_in") and len(shape) < 2:
            raise ValueError(f"{self.dist} needs a shape with at least 2 dimensions, got {shape}")
        if self.params.get("use_numpy", False):
            return self._numpy(shape, dkey)
        return self._jax(shape, dkey)

    def _jax(self, shape: tuple[int, ...], key: Any) -> jax.Array:
        if key is None:
            key = jax.random.PRNGKey(secrets.randbits(31))
        elif isinstance(key, (int, np.integer)):
            key = jax.random.PRNGKey(int(key))
        frozen = tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in self.params.items())
        return _sample_jax(key, self.args, dist=self.dist, shape=shape, params=frozen)

    def _numpy(self, shape: tuple[int, ...], seed: Any) -> np.ndarray:
        seed = None if seed is None else int(seed)
        dtype = np.dtype(self.params.get("dtype", "float32"))
        a, d = self.args, self.dist
        rng = np.random.default_rng(seed)
        if d == "constant":
            mat = np.ones(shape, dtype) * a["value"]
        elif d == "diag_offdiag":
            eye = np.eye(*shape)
            mat = a["on_diag"] * eye + a["off_diag"] * (1.0 - eye)
        elif d == "uniform":
            mat = rng.uniform(a["low"], a["high"], shape)
        elif d == "gaussian":
            mat = rng.normal(a["mean"], a["std"], shape)
        elif d == "log_gaussian":
            mat = rng.lognormal(0.0, a["sigma"], shape)
        elif d == "fan_in_uniform":
            lim = math.sqrt(1.0 / shape[1])
            mat = rng.uniform(-lim, lim, shape)
        else:
            mat = rng.normal(0.0, math.sqrt(1.0 / shape[0]), shape)
        return _post_numpy(mat.astype(dtype), self.params, seed)


@functools.partial(jax.jit, static_argnames=("dist", "shape", "params"))
def _sample_jax(key: jax.Array, a: Mapping[str, Any], dist: str, shape: tuple[int, ...],
                params: tuple[tuple[str, Any], ...]) -> jax.Array:
    """Draw and post-process one matrix (one compiled program per distribution/shape/params;
    the distribution's numeric arguments ``a`` and the key are traced)."""
    p = dict(params)
    dtype = jnp.dtype(p.get("dtype", "float32"))
    if dist == "constant":
        return _post_jax(jnp.ones(shape, dtype) * a["value"], p, key)
    if dist == "diag_offdiag":
        eye = jnp.eye(*shape).astype(dtype)
        mat = a["on_diag"] * eye + a["off_diag"] * (jnp.ones(shape, dtype) - eye)
        return _post_jax(mat, p, key)
    k_sample, k_post = jax.random.split(key, 2)
    if dist == "uniform":
        mat = jax.random.uniform(k_sample, shape, dtype, a["low"], a["high"])
    elif dist == "gaussian":
        mat = a["mean"] + a["std"] * jax.random.normal(k_sample, shape, dtype)
    elif dist == "log_gaussian":
        mat = jax.random.lognormal(k_sample, a["sigma"], shape, dtype)
    elif dist == "fan_in_uniform":
        lim = math.sqrt(1.0 / shape[1])
        mat = jax.random.uniform(k_sample, shape, dtype, -lim, lim)
    else:  # fan_in_gaussian
        mat = jax.random.normal(k_sample, shape, dtype) * math.sqrt(1.0 / shape[0])
    return _post_jax(mat, p, k_post)


def _post_jax(mat: jax.Array, p: Mapping[str, Any], key: jax.Array) -> jax.Array:
    if "amin" in p:
        mat = jnp.maximum(mat, p["amin"])
    if "amax" in p:
        mat = jnp.minimum(mat, p["amax"])
    if p.get("lower_triangle"):
        mat = jnp.tril(mat)
    if p.get("upper_triangle"):
        mat = jnp.triu(mat)
    if p.get("hollow"):
        mat = (1.0 - jnp.eye(*mat.shape)) * mat
    if p.get("eye"):
        mat = jnp.eye(*mat.shape) * mat
    for name, axis in (("col_mask", 1), ("row_mask", 0)):
        m = p.get(name)
        if m is None:
            continue
        n = mat.shape[axis]
        if isinstance(m, int):
            key, sub = jax.random.split(key, 2)
            keep = jax.random.choice(sub, n, shape=(m,), replace=False)
        else:
            keep = jnp.asarray(m, dtype=jnp.int32)
        mask = jnp.zeros(n, dtype=bool).at[keep].set(True)
        mask = mask if axis == 1 else mask[:, None]
        mat = jnp.where(mask, mat, 0)
    return mat.astype(jnp.dtype(p.get("dtype", "float32")))


def _post_numpy(mat: np.ndarray, p: Mapping[str, Any], seed: int | None) -> np.ndarray:
    if "amin" in p:
        mat = np.maximum(mat, p["amin"])
    if "amax" in p:
        mat = np.minimum(mat, p["amax"])
    if p.get("lower_triangle"):
        mat = np.tril(mat)
    if p.get("upper_triangle"):
        mat = np.triu(mat)
    if p.get("hollow"):
        mat = (1.0 - np.eye(*mat.shape)) * mat
    if p.get("eye"):
        mat = np.eye(*mat.shape) * mat
    for name, axis in (("col_mask", 1), ("row_mask", 0)):
        m = p.get(name)
        if m is None:
            continue
        n = mat.shape[axis]
        keep = (np.random.default_rng(seed).choice(n, size=m, replace=False)
                if isinstance(m, int) else list(m))
        mask = np.zeros(n, dtype=bool)
        mask[keep] = True
        mat = np.where(mask if axis == 1 else mask[:, None], mat, 0)
    return mat.astype(np.dtype(p.get("dtype", "float32")))


class DistributionGenerator:
    """Factories of :class:`DistributionInitializer` objects (see the module docstring)."""

    @staticmethod
    def constant(value: float, **params: Unpack[DistributionParams]
    ) -> DistributionInitializer:
        """W_ij = value."""
        return DistributionInitializer("constant", {"value": value}, params)

    @staticmethod
    def diag_offdiag(on_diag: float, off_diag: float, **params: Unpack[DistributionParams]
    ) -> DistributionInitializer:
        """W_ij = on_diag if i == j else off_diag."""
        return DistributionInitializer("diag_offdiag", {"on_diag": on_diag, "off_diag": off_diag},
                                       params)

    @staticmethod
    def uniform(low: float = 0.0, high: float = 1.0, **params: Unpack[DistributionParams]
    ) -> DistributionInitializer:
        """W_ij ~ U[low, high)."""
        return DistributionInitializer("uniform", {"low": low, "high": high}, params)

    @staticmethod
    def gaussian(mean: float = 0.0, std: float = 1.0, **params: Unpack[DistributionParams]
    ) -> DistributionInitializer:
        """W_ij = mean + std * e_ij, e_ij ~ N(0, 1)."""
        return DistributionInitializer("gaussian", {"mean": mean, "std": std}, params)

    @staticmethod
    def log_gaussian(sigma: float = 1.0, **params: Unpack[DistributionParams]
    ) -> DistributionInitializer:
        """W_ij = exp(sigma * e_ij), e_ij ~ N(0, 1) (positive values)."""
        return DistributionInitializer("log_gaussian", {"sigma": sigma}, params)

    @staticmethod
    def fan_in_uniform(**params: Unpack[DistributionParams]) -> DistributionInitializer:
        """W_ij ~ U[-a, a), a = sqrt(1 / shape[1]) (Glorot & Bengio, 2010)."""
        return DistributionInitializer("fan_in_uniform", {}, params)

    @staticmethod
    def fan_in_gaussian(**params: Unpack[DistributionParams]) -> DistributionInitializer:
        """W_ij ~ N(0, 1 / shape[0]) (He et al., 2015)."""
        return DistributionInitializer("fan_in_gaussian", {}, params)

    @staticmethod
    def from_json(d: Mapping[str, Any]) -> DistributionInitializer:
        """Rebuild an initializer from ``init.to_json()``."""
        if not isinstance(d, Mapping) or "dist" not in d:
            raise ValueError(f"not an initializer description (needs a 'dist' key): {d!r}")
        return DistributionInitializer(d["dist"], d.get("args", {}), d.get("params", {}))


from ngclab.utils._legacy_init import as_initializer, initialize_params  # noqa: E402
