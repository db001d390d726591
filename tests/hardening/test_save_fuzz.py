"""Save-file fuzzing: random truncations and byte flips of every file of a saved model.

Two formats, every file of each:

* ngclab's ``ctx.save(dir)``: ``state.npz`` (the leaves and the embedded manifest) and
  ``manifest.json``; loaded into the model with ``ctx.load(dir)``;
* ngc-learn's folder layout written by ``ctx.save_to_json(dir)``: ``contextData.json``,
  ``component/roots.json``, ``process/roots.json``, ``connections.json`` and one
  ``component/custom/<name>.npz`` per component (and the synapse's optimizer pickle, which ngclab
  writes for ngc-learn and never reads); built anew with ``Context.load(dir, name)``.

Each damaged copy is either refused with a ``LoadError`` whose message names the damaged file,
or it loads. A refused load leaves the model exactly as it was (``hz.fingerprint``: components,
wires, processes, every leaf bit for bit); no other exception (numpy, zipfile, zlib, json, a
constructor's) escapes. What a load that succeeds may give differs by format:

* ngclab's save must give back the saved state bit for bit: the arrays are stored in a zip whose
  CRC-32 covers every byte of every array, and the side manifest must equal the embedded one, so
  a damage either is caught or falls in bytes nothing reads (zip timestamps, "version made by");
* ngc-learn's JSON files carry no checksum: a flipped digit is another valid number (``tau_m``
  10 -> 18), so a load that succeeds gives a valid model, which runs a step or refuses to
  cleanly; the npz files are zips (CRC-checked) as above.

The faults are drawn from one seeded generator (the same ones every run): truncations to 0, 1,
half, all but one byte and random lengths, flips of a random bit in random bytes (some in the
first and last 64 bytes, where zip headers and JSON brackets are).
"""
import json
import os
import shutil
import warnings

import jax.numpy as jnp
import numpy as np
import pytest

from ngclab import Context, LoadError, MethodProcess
from ngclab.components import HebbianSynapse, LIFCell, RateCell, VarTrace

#: faults per file: truncations (to 0, 1, half, all but one byte and random lengths) and bit flips;
#: an ngc-learn folder is built anew (and run) per fault, so its files get fewer
NGCLAB_FAULTS = dict(truncations=6, flips=20)
NGCLEARN_FAULTS = dict(truncations=5, flips=8)
SEED = 20261201


def _model(name: str):
    """Four components of three families, two processes, a wire into every input kind."""
    with Context(name) as ctx:
        a = RateCell("a", n_units=3, tau_m=0., act_fx="identity")
        W = HebbianSynapse("W", shape=(3, 2), eta=0.01, key=3)
        b = LIFCell("b", n_units=2, tau_m=10., key=4)
        tr = VarTrace("tr", n_units=2, tau_tr=5., a_delta=0.5)
        a.zF >> W.inputs
        W.outputs >> b.j
        b.s >> tr.inputs
        adv = MethodProcess("advance") >> a.advance_state >> W.advance_state \
            >> b.advance_state >> tr.advance_state
        MethodProcess("reset") >> a.reset >> W.reset >> b.reset >> tr.reset
    a.j.set(jnp.full((1, 3), 2.))
    adv.scan(5, t0=0., dt=1.)                      # a state that is not the initial one
    return ctx, adv


def _leaves(ctx) -> dict:
    return {k: np.array(v) for k, v in ctx.state.items()}


def _faults(size: int, rng: np.random.Generator, truncations: int, flips: int):
    """(kind, argument) pairs: truncation lengths, then (byte, bit) flips."""
    cuts = {0, 1, size // 2, size - 1} | {int(c) for c in rng.integers(0, size, truncations - 4)}
    for cut in sorted(cuts):
        yield "truncate", cut
    edges = [int(i) for i in rng.integers(0, min(64, size), 2)] + \
        [size - 1 - int(i) for i in rng.integers(0, min(64, size), 2)]
    for i in edges + [int(i) for i in rng.integers(0, size, flips - len(edges))]:
        yield "flip", (i, int(rng.integers(0, 8)))


def _damage(path: str, kind: str, arg) -> None:
    data = bytearray(open(path, "rb").read())
    if kind == "truncate":
        data = data[:arg]
    else:
        i, bit = arg
        data[i] ^= 1 << bit
    with open(path, "wb") as f:
        f.write(bytes(data))


def _files(folder: str) -> list[str]:
    return sorted(os.path.relpath(os.path.join(d, f), folder)
                  for d, _, fs in os.walk(folder) for f in fs)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    root = tmp_path_factory.mktemp("saves")
    ctx, adv = _model("fz")
    ctx.save(str(root / "ngclab"))
    folder = ctx.save_to_json(str(root), "ngcfolder")
    return ctx, adv, str(root / "ngclab"), folder


def test_both_formats_have_the_files_the_fuzz_damages(saved):
    ctx, adv, ngclab_dir, folder = saved
    assert _files(ngclab_dir) == ["manifest.json", "state.npz"]
    # W_opt_params.pkl: the optimizer statistics pickled as ngc-learn's load needs them; ngclab
    # never reads it (never unpickles), so its damage must never matter
    assert _files(folder) == ["component/custom/W.npz", "component/custom/W_opt_params.pkl",
                              "component/custom/a.npz", "component/custom/b.npz",
                              "component/custom/tr.npz", "component/roots.json",
                              "connections.json", "contextData.json", "process/roots.json"]


def test_damaged_ngclab_saves_are_refused_naming_the_file_or_load_exactly(saved, hz, tmp_path):
    ctx, adv, ngclab_dir, _ = saved
    rng = np.random.default_rng(SEED)
    saved_leaves = _leaves(ctx)
    refused = loaded = 0
    for name in _files(ngclab_dir):
        size = os.path.getsize(os.path.join(ngclab_dir, name))
        for kind, arg in _faults(size, rng, **NGCLAB_FAULTS):
            copy = str(tmp_path / f"c{refused + loaded}")
            shutil.copytree(ngclab_dir, copy)
            _damage(os.path.join(copy, name), kind, arg)
            # the model has moved on since the save: a refused load must leave it where it is
            adv.run(t=5., dt=1.)
            before = hz.fingerprint(ctx)
            hz.counts["save_fuzz_faults"] += 1
            hz.counts[f"save_fuzz_ngclab_{kind}"] += 1
            try:
                ctx.load(copy)
            except LoadError as err:
                assert name in str(err), f"{kind} {arg} of {name}: {err}"
                hz.assert_unchanged(ctx, before)
                refused += 1
            else:                                   # bytes nothing reads: the saved state back
                assert kind == "flip", f"a save truncated to {arg} bytes of {name} loaded"
                after = _leaves(ctx)
                assert after.keys() == saved_leaves.keys()
                for k in saved_leaves:
                    np.testing.assert_array_equal(after[k], saved_leaves[k],
                                                  err_msg=f"{kind} {arg} of {name}: {k}")
                loaded += 1
            shutil.rmtree(copy)
    hz.counts["save_fuzz_files"] += len(_files(ngclab_dir))
    hz.counts["save_fuzz_refused"] += refused
    hz.counts["save_fuzz_loaded_intact"] += loaded
    assert refused > loaded                           # most flips hit bytes that are read


def _graph(ctx) -> str:
    g = ctx.graph()
    g.pop("structure_version")
    return json.dumps(g, sort_keys=True, default=str)


def _runs_or_refuses(ctx, original: str) -> None:
    """A model built from damaged JSON runs a step, or refuses to, changing nothing (one whose
    graph is the saved one's, with CRC-checked arrays, is the saved model: not run again)."""
    adv = ctx.processes.get("advance")
    if adv is None or _graph(ctx) == original:
        return
    before = _leaves(ctx)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            adv.run(t=0., dt=1.)
        except (ValueError, TypeError, RuntimeError) as err:
            assert str(err)
            after = _leaves(ctx)
            for k in before:
                np.testing.assert_array_equal(after[k], before[k], err_msg=k)


def test_damaged_ngclearn_folders_are_refused_naming_the_file_or_build_a_valid_model(
        saved, hz, tmp_path):
    ctx, adv, _, folder = saved
    rng = np.random.default_rng(SEED + 1)
    model, original = hz.fingerprint(ctx), _graph(ctx)
    refused = loaded = 0
    n = 0
    for name in _files(folder):
        size = os.path.getsize(os.path.join(folder, name))
        for kind, arg in _faults(size, rng, **NGCLEARN_FAULTS):
            n += 1
            parent = tmp_path / f"c{n}"
            parent.mkdir()
            copy = str(parent / "ngcfolder")
            shutil.copytree(folder, copy)
            _damage(os.path.join(copy, name), kind, arg)
            hz.counts["save_fuzz_faults"] += 1
            hz.counts[f"save_fuzz_ngclearn_{kind}"] += 1
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    built = Context.load(str(parent), "ngcfolder")
                except LoadError as err:
                    assert name in str(err), f"{kind} {arg} of {name}: {err}"
                    assert not name.endswith(".pkl"), f"a pickle ngclab never reads: {err}"
                    refused += 1
                else:
                    _runs_or_refuses(built, original)
                    loaded += 1
            hz.assert_unchanged(ctx, model)        # the saved model is never touched
            shutil.rmtree(parent)
    hz.counts["save_fuzz_files"] += len(_files(folder))
    hz.counts["save_fuzz_refused"] += refused
    hz.counts["save_fuzz_loaded_valid"] += loaded
    assert refused > loaded
