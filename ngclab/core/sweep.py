"""Ensembles: many copies of a circuit in one compiled run, over every device JAX sees.

``proc.scan(steps, ..., sweep={b.tau_m: values})`` runs ``len(values)`` *members* as one program:
the scan program of ``scanning`` under ``jax.vmap`` over a leading member axis. What differs
between members:

- knobs: one value per member (``ngclab.grid`` builds the Cartesian product of several);
- clamps: ``{a.j: values}`` with values of shape ``(N, *shape)`` (a constant per member) or
  ``(N, steps, *shape)`` (a sequence per member);
- ``"seed"``: every PRNG key of the model, folded with the member's seed (``sweep={"seed": 10}``
  gives seeds 0..9): reproducible, and member i is the model run with those keys.

Everything else (weights, other knobs) is shared: it stays one copy in memory, and only what a
step writes gets a member axis. Records come back with a leading member axis, ``(N, steps,
*shape)`` (or ``(N, *shape)`` for reductions such as ``record={b.s: "mean"}``). The Context's
own state is not changed; ``final=True`` also returns every member's final state, and
``ctx.restore(result.member(i))`` makes member i the model's state.

Devices: with more than one device (``jax.devices()``, or ``devices=``) the member axis is
sharded over a one-axis ``jax.sharding.Mesh``; the member count must then be a multiple of the
device count (it is refused otherwise, before anything runs).
"""
from __future__ import annotations

import functools
import itertools
import numbers
from typing import Any, Iterable

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from ngclab.core.compartment import Compartment, Knob
from ngclab.core.persist import Snapshot
from ngclab.core.scanning import Plan, check_steps


class Grid(dict):
    """The Cartesian product of knob values: ``grid({a.tau: [1, 2], b.eta: [.1, .2, .3]})`` is a
    sweep of 6 members (tau varies slowest); ``shape`` is (2, 3), ``axes`` the knobs."""

    def __init__(self, spec: dict):
        axes = list(spec.items())
        for k, vs in axes:
            if not isinstance(k, Knob):
                raise ValueError(f"grid: {k!r} is not a knob (a grid crosses knob values)")
            if len(np.ravel(vs)) == 0:
                raise ValueError(f"grid: {k.path} has no values")
        combos = list(itertools.product(*[list(np.ravel(vs)) for _, vs in axes]))
        super().__init__({k: np.asarray([c[i] for c in combos], dtype=np.float64)
                          for i, (k, _) in enumerate(axes)})
        self.shape = tuple(len(np.ravel(vs)) for _, vs in axes)
        self.axes = [(k.path, np.asarray(np.ravel(vs), dtype=np.float64)) for k, vs in axes]


def grid(spec: dict) -> Grid:
    """A sweep over every combination of the given knob values (see ``Grid``)."""
    return Grid(spec)


class SweepResult(dict):
    """``{path: records with a leading member axis}`` plus what the members were.

    Attributes:
        members: the number of members N.
        values: ``{knob or clamp path or "seed": the N values}``.
        shape: ``(N,)``, or the grid's shape for a ``grid`` sweep (see ``unflatten``).
        final: ``{path: final values with a member axis}`` when run with ``final=True``.
    """

    def __init__(self, records: dict, members: int, values: dict, shape: tuple,
                 final: dict | None, base: Snapshot, member_leaves: dict):
        super().__init__(records)
        self.members, self.values, self.shape, self.final = members, values, shape, final
        self._base, self._member_leaves = base, member_leaves

    def unflatten(self, path: str) -> np.ndarray:
        """A record with its member axis as the grid's axes: ``(n1, n2, ..., *rest)``."""
        v = np.asarray(self[path])
        return v.reshape(*self.shape, *v.shape[1:])

    def member(self, i: int) -> Snapshot:
        """Member ``i``'s final state as a Snapshot (``ctx.restore(result.member(i))``)."""
        if self.final is None:
            raise ValueError("member(): run the sweep with final=True to keep final states")
        if not 0 <= int(i) < self.members:
            raise IndexError(f"member({i}): the sweep has {self.members} members")
        state = dict(self._base.state)
        for p, v in {**self._member_leaves, **self.final}.items():
            state[p] = jnp.asarray(np.asarray(v)[int(i)])
        return Snapshot(self._base.context_name, self._base.structure_version, state)


def _members(ctx, sweep: dict, steps: int) -> tuple[int, dict, dict, list]:
    """Check a sweep spec: (N, {knob path: values}, {clamp compartment: values}, seeds)."""
    if not isinstance(sweep, dict) or not sweep:
        raise ValueError("scan: sweep must be a non-empty dict {knob, clamped compartment or "
                         "'seed': values}")
    lengths, knobs, clamps, seeds = {}, {}, {}, None
    for key, values in sweep.items():
        if isinstance(key, str) and key == "seed":
            seeds = list(range(values)) if isinstance(values, numbers.Integral) and \
                not isinstance(values, bool) else list(np.ravel(values))
            if not seeds or not all(isinstance(s, (numbers.Integral, np.integer)) and
                                    not isinstance(s, bool) for s in seeds):
                raise ValueError(f"scan: sweep['seed'] must be a count or a list of integer "
                                 f"seeds, got {values!r}")
            out_of_range = [s for s in seeds if not -2 ** 31 <= int(s) < 2 ** 31]
            if out_of_range:   # seeds are folded into the keys as int32
                raise ValueError(f"scan: sweep['seed'] {int(out_of_range[0])} is outside the "
                                 f"int32 range of seeds ({-2 ** 31}..{2 ** 31 - 1})")
            lengths["seed"] = len(seeds)
            continue
        if isinstance(key, str):
            key = ctx.compartment(key)
        if isinstance(key, Knob):
            comp = ctx.compartment(key)
            try:
                vals = np.asarray(values, dtype=np.float64).ravel()
            except (TypeError, ValueError):
                raise ValueError(f"scan: sweep values for {comp.path} are not numbers") from None
            if vals.size == 0:
                raise ValueError(f"scan: sweep values for {comp.path} are empty")
            # finite and within the knob's bounds: a non-finite value if there is one, else the
            # extremes (the bounds and float32's range are intervals)
            bad = vals[~np.isfinite(vals)]
            for v in (bad[:1] if bad.size else (vals.min(), vals.max())):
                comp.check(v)
            knobs[comp.path], lengths[comp.path] = vals, vals.size
        elif isinstance(key, Compartment):
            comp = ctx.compartment(key)
            arr = values if isinstance(values, jax.Array) else np.asarray(values)
            if arr.ndim < 1 or arr.shape[0] == 0:
                raise ValueError(f"scan: sweep values for {comp.path} need a leading member "
                                 f"axis, got shape {tuple(arr.shape)}")
            clamps[comp], lengths[comp.path] = arr, arr.shape[0]
        else:
            raise ValueError(f"scan: cannot sweep over {key!r}: a sweep key is a knob, a "
                             f"compartment to clamp, or 'seed'")
    if len(set(lengths.values())) != 1:
        raise ValueError(f"scan: sweep value lists differ in length: "
                         f"{', '.join(f'{k}: {n}' for k, n in lengths.items())}")
    return next(iter(lengths.values())), knobs, clamps, seeds


def _mesh(devices, n: int):
    devices = list(jax.devices() if devices is None else devices)
    if not devices:
        raise ValueError("scan: devices= is empty")
    if len(devices) > 1 and n % len(devices):
        raise ValueError(f"scan: {n} sweep members cannot be split evenly over {len(devices)} "
                         f"devices; use a multiple of {len(devices)} members or pass devices= "
                         f"(e.g. devices=jax.devices()[:1])")
    return Mesh(np.asarray(devices), ("members",)) if len(devices) > 1 else None


@functools.partial(jax.jit, static_argnums=1)
def _per_member(tree: dict, n: int) -> dict:
    """Every leaf repeated for ``n`` members: one compiled call for all of them (an eager
    broadcast per leaf costs more than a small sweep's whole Python side)."""
    return {p: jnp.broadcast_to(v, (n, *jnp.shape(v))) for p, v in tree.items()}


def _host(v) -> np.ndarray:
    """A result on the host. Across processes (``jax.distributed``) each one holds the members
    of its own devices: gather every member, so each process gets the whole result."""
    if isinstance(v, jax.Array) and not v.is_fully_addressable:
        from jax.experimental import multihost_utils
        return np.asarray(multihost_utils.process_allgather(v, tiled=True))
    return np.asarray(v)


def run_sweep(proc, steps, t0, dt, clamp, record, chunk, kwargs, sweep, final: bool = False,
              devices: Iterable | None = None) -> SweepResult:
    ctx = proc.context
    steps = check_steps(steps)
    n, knobs, swept_clamps, seeds = _members(ctx, sweep, steps)
    clamp = dict(clamp or {})
    for comp in swept_clamps:
        if any(ctx.compartment(c) is comp for c in clamp):
            raise ValueError(f"scan: {comp.path} is both clamped and swept; give it once")
    mesh = _mesh(devices, n)
    first = {**clamp, **{c: v[0] for c, v in swept_clamps.items()}}
    plan = Plan(proc, steps, t0, dt, first, record, kwargs, check_finite=False)
    program = plan.program
    chunk = steps if chunk is None else min(check_steps(chunk, "chunk"), steps)

    # member-varying starting leaves: swept knobs, keys for seeds, and everything carried
    base = ctx.snapshot()
    # (host arrays: the compiled call moves them to the device itself, cheaper than a
    # separate jnp.asarray dispatch per knob)
    member_leaves: dict[str, Any] = {p: np.asarray(v, np.float32) for p, v in knobs.items()}
    if seeds is not None:
        for path, c in ctx.compartments.items():
            if c.owner is not None and c is c.owner.__dict__.get("key"):
                member_leaves[path] = jax.vmap(lambda s, k=ctx.state[path]:
                                               jax.random.fold_in(k, s))(jnp.asarray(seeds))
    paths = list(program.inputs)
    carried = [p for p in paths if p in set(program.outputs)]
    member_in = set(carried) | set(member_leaves)
    state = {p: member_leaves.get(p, ctx.state[p]) for p in paths}
    shared = {p: state[p] for p in carried if p not in member_leaves}
    if shared:
        state.update(_per_member(shared, n))
    clamp_paths = {c.path for c in swept_clamps}
    members_of = {c.path: jnp.asarray(v, dtype=c.dtype) for c, v in swept_clamps.items()}
    consts = {p: members_of.get(p, v) for p, v in plan.consts.items()}
    seq_all = {p: members_of.get(p, v) for p, v in plan.seqs.items()}

    in_axes = ({p: 0 if p in member_in else None for p in paths},
               {p: 0 if p in clamp_paths else None for p in consts},
               {p: 0 if p in clamp_paths else None for p in seq_all}, None, None)

    def compiled(n_steps: int):
        key = ("sweep", tuple(sorted(member_in)), tuple(sorted(clamp_paths)), n_steps,
               None if mesh is None else tuple(d.id for d in mesh.devices.flat))
        return proc.program(plan.key + key, lambda: jax.jit(jax.vmap(
            program.function(n_steps), in_axes=in_axes)))

    def place(tree: dict, axes: dict) -> dict:
        if mesh is None:
            return tree
        return {p: jax.device_put(v, NamedSharding(mesh, PartitionSpec("members") if axes[p] == 0
                                                   else PartitionSpec()))
                for p, v in tree.items()}

    records: dict[str, list] = {r.path: [] for r in plan.recorded}
    parts_n = []
    new: dict = {}
    for start in range(0, steps, chunk):
        m = min(chunk, steps - start)
        seqs = seq_all if m == steps else {
            p: (v[:, start:start + m] if p in clamp_paths else v[start:start + m])
            for p, v in seq_all.items()}
        new, out = compiled(m)(place(state, in_axes[0]), place(consts, in_axes[1]),
                               place(seqs, in_axes[2]), plan.times(start, m), plan.traced)
        state = {**state, **{p: new[p] for p in carried}}
        for p, v in out.items():
            records[p].append(_host(v))
        parts_n.append(m)
    result = {}
    for r in plan.recorded:
        chunks = records[r.path]
        if not r.reduces:
            # one chunk: its buffer as it is (a copy of every record would cost more than
            # the Python around the compiled call)
            result[r.path] = chunks[0] if len(chunks) == 1 else np.concatenate(chunks, axis=1)
        elif r.how == "mean":
            result[r.path] = sum(c * k for c, k in zip(chunks, parts_n)) / float(steps)
        elif r.how == "sum":
            result[r.path] = np.sum(chunks, axis=0)
        elif r.how == "max":
            result[r.path] = np.max(chunks, axis=0)
        elif r.how == "min":
            result[r.path] = np.min(chunks, axis=0)
        else:
            result[r.path] = chunks[-1]
    values = {**{p: v for p, v in knobs.items()},
              **{c.path: np.asarray(v) for c, v in swept_clamps.items()},
              **({"seed": np.asarray(seeds)} if seeds is not None else {})}
    shape = sweep.shape if isinstance(sweep, Grid) else (n,)
    finals = None
    if final:
        finals = {p: _host(v) for p, v in new.items()}
    return SweepResult(result, n, values, shape, finals, base,
                       {p: np.asarray(v) for p, v in member_leaves.items()})
