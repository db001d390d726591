"""Editor fuzzing: random sequences of editor and API edits on random circuits (hypothesis
stateful testing, ``RuleBasedStateMachine``).

A machine starts from a random circuit of the editor's palette (``ngclab.lab.editor.palette()``:
every class whose constructor a size alone builds, cells from ``n_units``, synapses from
``shape=(n_in, n_out)``, plus the EXTRA arguments some require) and applies random edits, each
through the browser's message path (``editor._handle`` / ``knobs._handle``, values as form text)
or through the Python API (``editor.add_component``, ``ctx.replace_component``, ``src >> dst``,
``ctx.remove``, ``knob.set``, ``comp.set``): add, connect, disconnect, update (rebuild with other
arguments), remove, knob changes, and batch-size changes (an input set with another batch
size). Many edits are meant to be refused (wrong shapes, outputs and knobs as targets, unknown
names, sizes of 0, NaN knobs, inputs of the wrong trailing shape). The editor has no undo, so
there is none to fuzz.

After every step:

* a refused edit changed nothing: components, compartments, every state leaf bit for bit,
  wires, processes and layout are as before (``hz.fingerprint``);
* the model is valid: ``run`` takes a step, or refuses cleanly (an error, the state unchanged);
* ``graph()`` and ``to_code()`` round trip: the code executes and rebuilds the same graph
  (processes compared by name; batched ports by their per-sample shape, as the code rebuilds
  batch size 1 and a batch size follows the data);
* ``run`` equals ``scan``: two ``run()`` steps and a two-step ``scan`` from the same state give
  the same state, bit for bit; while a new batch size spreads through the circuit (an input
  was set at another size) to float32 rounding, as tests/core/test_batch.py allows (the scan
  fuses those first steps differently, and XLA's vectorised float32 division on CPU is not
  correctly rounded).

Kept cheap (every checked state compiles a step and a scan): 5 sequences of up to 4 edits.
"""
import inspect
import warnings

import jax.numpy as jnp
import numpy as np
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, \
    run_state_machine_as_test

from ngclab import Context, MethodProcess, WiringError
from ngclab.core import ProcessError
from ngclab.lab.editor import CircuitEditor, EditError, component_classes, palette
from ngclab.lab.knobs import Knobs
from ngclab.values import literal_text

#: required arguments some classes take besides a size (realistic values)
EXTRA = dict(tau_m=10., tau_x=10., alpha=0.5, tau_w=10., tau_theta=10., tau_tr=10., a_delta=0.5,
             tau_v=1., dt=1., resist_m=1., thr=0.4, tau_decay=5., g_syn_bar=1., syn_rest=0.,
             A_plus=0.01, A_minus=0.005, eta=0.01)
REFUSED = (EditError, WiringError, ProcessError, ValueError, TypeError, KeyError)


def _recipe(cls, size: int, size2: int) -> dict | None:
    params = inspect.signature(cls.__init__).parameters
    args = {k: v for k, v in EXTRA.items()
            if k in params and params[k].default is inspect.Parameter.empty}
    if "n_units" in params:
        args["n_units"] = size
    elif "shape" in params and params["shape"].default is inspect.Parameter.empty:
        args["shape"] = (size, size2)
    missing = [p for p, v in params.items() if v.default is inspect.Parameter.empty
               and p not in args and p not in ("self", "name")
               and v.kind not in (v.VAR_KEYWORD, v.VAR_POSITIONAL)]
    return None if missing else args


def _buildable() -> list[str]:
    """Palette classes a size (and EXTRA) builds: every required argument known. Others, such
    as conv cables on NHWC maps or SOMs on a grid, need shapes no random dense circuit would
    wire. (Not probed by building each one here: that costs seconds of first-time JAX work at
    import; the fuzz builds the ones it draws, and a class that failed to build would fail it.)"""
    return [entry["class"] for group in palette() for entry in group["classes"]
            if _recipe(component_classes()[entry["class"]], 2, 2) is not None]


CLASSES = _buildable()


def test_the_fuzzed_palette_is_most_of_the_palette():
    # every palette class that a size (and EXTRA) builds takes part; at least 35 of them
    names = [e["class"] for g in palette() for e in g["classes"]]
    assert len(CLASSES) >= 35 and set(CLASSES) <= set(names)
    assert {"RateCell", "LIFCell", "HebbianSynapse", "TraceSTDPSynapse"} <= set(CLASSES)


# -- what the invariants compare ------------------------------------------------------------
def _normal_graph(g: dict, ctx) -> dict:
    g = dict(g)
    g.pop("structure_version")
    g.pop("layout")                                    # editor positions: saved, not code
    g["processes"] = sorted(g["processes"], key=lambda p: p["name"])
    comps = []
    for node in g["components"]:
        node = dict(node)
        ports = []
        for port in node["compartments"]:
            port = dict(port)
            c = ctx.compartments.get(port["path"])
            if c is not None and c.batched:
                port["shape"] = port["shape"][1:]       # the batch follows the data
            ports.append(port)
        node["compartments"] = ports
        comps.append(node)
    g["components"] = comps
    return g


def _state(ctx) -> dict:
    return {k: np.asarray(v) for k, v in ctx.state.items()}


class EditorFuzz(RuleBasedStateMachine):
    hz = None                                         # the hardening helpers (set by the test)
    refusals: list = []

    def __init__(self):
        super().__init__()
        self.ctx = self.editor = self.knobs = self.adv = None
        self.made = 0
        self.dirty = True
        self.refusals = EditorFuzz.refusals   # why runs were refused (printed by the test)

    # -- helpers ------------------------------------------------------------------------------
    def _count(self, key: str, n: int = 1) -> None:
        self.hz.counts[key] += n

    def _name(self) -> str:
        self.made += 1
        return f"n{self.made}"

    def _pick(self, seq, i):
        seq = list(seq)
        return seq[i % len(seq)] if seq else None

    def _edit(self, action, expect_refusal: bool = False) -> bool:
        """Apply an edit; a refusal must leave everything as it was. True if accepted."""
        before = self.hz.fingerprint(self.ctx)
        self._count("editor_fuzz_edits")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                out = action()
            except REFUSED as err:
                out = {"ok": False, "message": str(err)}
        refused = isinstance(out, dict) and out.get("ok") is False
        if refused:
            assert out["message"], "a refusal says why"
            self.hz.assert_unchanged(self.ctx, before)
            self._count("editor_fuzz_refused")
            return False
        assert not expect_refusal, f"this edit should have been refused: {out!r}"
        self._count("editor_fuzz_accepted")
        self.dirty = True
        self.editor.refresh()
        return True

    # -- the starting circuit ------------------------------------------------------------------
    @initialize(classes=st.lists(st.sampled_from(CLASSES), min_size=1, max_size=3),
                sizes=st.lists(st.integers(1, 3), min_size=6, max_size=6),
                wire_seed=st.integers(0, 2 ** 16))
    def start(self, classes, sizes, wire_seed):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Context("fz") as ctx:
                objs = [component_classes()[c](self._name(), **_recipe(
                    component_classes()[c], sizes[i], sizes[i + 3])) for i, c in enumerate(classes)]
                adv = MethodProcess("advance")
                rst = MethodProcess("reset")
                for o in objs:
                    methods = type(o).methods()
                    if "advance_state" in methods:
                        adv >> o.advance_state
                    if "reset" in methods:
                        rst >> o.reset
            rng = np.random.default_rng(wire_seed)
            for o in objs:                            # random wires of matching shapes
                for c in o.compartments.values():
                    srcs = [s for p in objs if p is not o for s in p.compartments.values()
                            if s.kind in ("output", "state") and s.name != "key"
                            and s.shape == c.shape]
                    if c.kind == "input" and srcs and rng.random() < 0.5:
                        srcs[rng.integers(len(srcs))] >> c
        self.ctx, self.adv = ctx, adv
        self.editor = CircuitEditor(ctx, advance=adv, reset=rst)
        self.knobs = Knobs(ctx)
        self._count("editor_fuzz_sequences")
        self._count("editor_fuzz_start_components", len(objs))

    # -- edits --------------------------------------------------------------------------------
    @rule(cls=st.sampled_from(CLASSES), size=st.integers(-1, 3), size2=st.integers(1, 3),
          via_message=st.booleans(), dup=st.booleans())
    def add(self, cls, size, size2, via_message, dup):
        args = _recipe(component_classes()[cls], max(size, 1), size2)
        if size < 1:                                  # a size the constructor refuses
            args = {k: (size if k == "n_units" else (size, size2) if k == "shape" else v)
                    for k, v in args.items()}
        name = self._pick(self.ctx.components, size2) if dup and self.ctx.components \
            else self._name()
        bad = size < 1 and ("n_units" in args or "shape" in args) or name in self.ctx.components
        if via_message:
            msg = {"type": "add", "class": cls, "name": name,
                   "params": {k: literal_text(v) for k, v in args.items()}}
            self._edit(lambda: self.editor._handle(msg), expect_refusal=bad)
        else:
            self._edit(lambda: self.editor.add_component(cls, name, **args), expect_refusal=bad)

    @rule(i=st.integers(0, 10 ** 6), j=st.integers(0, 10 ** 6), matching=st.booleans(),
          via_message=st.booleans())
    def connect(self, i, j, matching, via_message):
        comps = [c for c in self.ctx.compartments.values() if c.name != "key"]
        dst = self._pick([c for c in comps if c.kind == "input"] if matching else comps, j)
        if dst is None:
            return
        srcs = [c for c in comps if c.owner is not dst.owner and (
            not matching or (c.kind in ("output", "state") and c.shape == dst.shape))]
        src = self._pick(srcs, i)
        if src is None:
            return
        if via_message:
            msg = {"type": "connect", "src": src.path, "dst": dst.path}
            self._edit(lambda: self.editor._handle(msg))
        else:
            self._edit(lambda: src >> dst)

    @rule(j=st.integers(0, 10 ** 6), one_source=st.booleans(), unwired=st.booleans())
    def disconnect(self, j, one_source, unwired):
        comps = list(self.ctx.compartments.values())
        wired = [c for c in comps if c.wired]
        if unwired or not wired:
            dst = self._pick([c for c in comps if not c.wired], j)
            if dst is not None:
                self._edit(lambda: self.editor._handle({"type": "disconnect", "dst": dst.path}),
                           expect_refusal=True)
            return
        dst = self._pick(wired, j)
        src = dst.source.sources()[0] if hasattr(dst.source, "sources") else dst.source
        msg = {"type": "disconnect", "dst": dst.path, **({"src": src.path} if one_source else {})}
        self._edit(lambda: self.editor._handle(msg))

    @rule(j=st.integers(0, 10 ** 6), size=st.integers(-1, 3), via_message=st.booleans())
    def update(self, j, size, via_message):
        name = self._pick(self.ctx.components, j)
        if name is None:
            return
        hp = self.ctx.components[name].hyperparameters
        key = "n_units" if "n_units" in hp else "shape" if "shape" in hp else None
        if key is None:
            return
        value = size if key == "n_units" else (max(size, 1), max(size, 0))
        bad = size < 1 if key == "n_units" else size < 1
        if via_message:
            msg = {"type": "update", "name": name, "params": {key: literal_text(value)}}
            self._edit(lambda: self.editor._handle(msg), expect_refusal=bad)
        else:
            self._edit(lambda: self.ctx.replace_component(name, **{key: value}),
                       expect_refusal=bad)

    @rule(j=st.integers(0, 10 ** 6), unknown=st.booleans(), via_message=st.booleans())
    def remove(self, j, unknown, via_message):
        name = "nobody" if unknown else self._pick(self.ctx.components, j)
        if name is None or (len(self.ctx.components) == 1 and not unknown):
            return                                    # keep at least one component
        if via_message:
            self._edit(lambda: self.editor._handle({"type": "remove", "name": name}),
                       expect_refusal=unknown)
        else:
            self._edit(lambda: self.ctx.remove(name), expect_refusal=unknown)

    @rule(j=st.integers(0, 10 ** 6), how=st.sampled_from(
        ["half", "double", "zero", "negative", "nan", "inf", "huge", "text"]),
          via_message=st.booleans())
    def knob(self, j, how, via_message):
        path = self._pick(self.ctx.knobs(), j)
        if path is None:
            return
        knob = self.ctx.knobs()[path]
        now = float(np.asarray(knob.get()))
        value = {"half": now / 2, "double": now * 2 if abs(now) < 1e30 else now, "zero": 0.,
                 "negative": -abs(now) - 1., "nan": float("nan"), "inf": float("inf"),
                 "huge": 1e39, "text": "fast"}[how]
        bad = how in ("nan", "inf", "huge", "text") or (
            isinstance(value, float) and ((knob.low is not None and value < knob.low)
                                          or (knob.high is not None and value > knob.high)))
        if via_message:
            msg = {"type": "knob", "path": path, "value": value}
            self._edit(lambda: self.knobs._handle(msg), expect_refusal=bad)
        else:
            self._edit(lambda: knob.set(value), expect_refusal=bad)

    @rule(j=st.integers(0, 10 ** 6), batch=st.integers(1, 3), wrong=st.booleans(),
          seed=st.integers(0, 2 ** 16))
    def batch_size(self, j, batch, wrong, seed):
        inputs = [c for c in self.ctx.compartments.values()
                  if c.kind == "input" and not c.wired and c.batched and c.dtype == jnp.float32]
        comp = self._pick(inputs, j)
        if comp is None:
            return
        per_sample = tuple(comp.shape[1:])
        shape = (batch, *per_sample) if not wrong else (batch, *per_sample[:-1],
                                                        per_sample[-1] + 1)
        value = np.random.default_rng(seed).uniform(0., 1., shape).astype(np.float32)
        self._edit(lambda: comp.set(value), expect_refusal=wrong)

    # -- after every step --------------------------------------------------------------------
    @invariant()
    def whole(self):
        """After an accepted edit: to_code rebuilds the graph, run runs (or refuses cleanly),
        and run equals scan (bit for bit unless a batch size is still spreading)."""
        if self.ctx is None or not self.dirty:
            return
        self.dirty = False
        self._count("editor_fuzz_checked_states")
        ctx, adv = self.ctx, self.adv
        assert [n["name"] for n in self.editor.graph["components"]] == list(ctx.components)
        code = ctx.to_code()
        scope: dict = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(code, scope)
        assert _normal_graph(scope["ctx"].graph(), ctx) == _normal_graph(ctx.graph(), ctx), code

        start, before = ctx.snapshot(), _state(ctx)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")           # order hazards: random circuits
            try:
                adv.run(t=0., dt=1.)
                adv.run(t=1., dt=1.)
            except REFUSED + (RuntimeError,) as err:
                self.hz.counts[f"editor_fuzz_runs_refused_{type(err).__name__}"] += 1
                self.refusals.append(str(err))
                after = _state(ctx)                   # refused cleanly: nothing changed
                assert after.keys() == before.keys()
                for k in before:
                    np.testing.assert_array_equal(after[k], before[k], err_msg=k)
                self._count("editor_fuzz_runs_refused")
                return
            by_run = _state(ctx)
            ctx.restore(start)
            adv.scan(2, t0=0., dt=1.)
        by_scan = _state(ctx)
        assert by_run.keys() == by_scan.keys()
        for k in by_run:
            assert by_scan[k].shape == by_run[k].shape, k
        settling = any(by_run[k].shape != before[k].shape for k in before)
        for k in by_run:
            if settling:
                # a batch size spreading through the circuit (an input set at another size):
                # the scan runs the first steps unrolled in one fusion, run() one step per
                # program, and XLA's vectorised float32 division on CPU is not correctly
                # rounded (x / 10 on a 2-vector is 1 ulp from IEEE's), so the two may differ
                # in the last bit, as tests/core/test_batch.py allows
                np.testing.assert_allclose(by_scan[k], by_run[k], rtol=1e-6, atol=1e-7,
                                           err_msg=k)
            else:
                np.testing.assert_array_equal(by_scan[k], by_run[k], err_msg=k)
        ctx.restore(start)                            # the edits go on from the same state
        self._count("editor_fuzz_runs_equal_scans_to_float32_rounding" if settling
                    else "editor_fuzz_runs_equal_scans_bit_for_bit")


def test_random_edit_sequences_keep_the_model_whole(hz):
    EditorFuzz.hz = hz
    run_state_machine_as_test(EditorFuzz, settings=settings(
        max_examples=5, stateful_step_count=4, deadline=None, derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                               HealthCheck.filter_too_much]))
    for why in sorted(set(EditorFuzz.refusals)):
        print("run refused:", why[:200])
