"""Every place a process step can be dropped or left stale, each tested.

A structural edit (``ctx.remove``, ``ctx.replace_component``, the editor's remove / update, which
take those paths) must reach every process that runs the component: the ones in
``ctx.processes``, the steps a JointProcess holds directly, and a process that a later process of
the same name displaced from ``ctx.processes`` while a JointProcess, a Lab or a variable still
runs it. Describing and saving a model must keep every step too: ``to_code`` writes processes in
an order that rebuilds them (a JointProcess may be made before its members), ngc-learn's folder
keeps a JointProcess's own methods, and a model its folder layout cannot hold (two processes of
one name, both in use) is refused by name instead of being saved wrong. A step that no longer
fits after an edit is dropped only with a message naming it.
"""
import os
import warnings

import jax.numpy as jnp
import numpy as np
import pytest

from ngclab import Context, JointProcess, MethodProcess
from ngclab.components import RateCell
from ngclab.core import Compartment, Component, compilable
from ngclab.lab import Lab


def _steps(proc) -> list[str]:
    return [f"{s.component.name}.{s.name}" for s in proc.steps]


def _owners_current(ctx, proc) -> bool:
    """Every step runs a component the model has now (not a replaced or removed one)."""
    return all(ctx.components.get(s.component.name) is s.component for s in proc.steps)


def _displaced():
    """``adv`` runs a -> b; a later process named "adv" displaced it from ctx.processes, but the
    JointProcess ``both`` (and the variable) still run it."""
    with Context("d") as ctx:
        a = RateCell("a", n_units=2, tau_m=0.)
        b = RateCell("b", n_units=2, tau_m=10.)
        a.zF >> b.j
        adv = MethodProcess("adv") >> a.advance_state >> b.advance_state
        both = JointProcess("both") >> adv
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")           # "replaces an earlier process"
            MethodProcess("adv") >> a.reset >> b.reset
    return ctx, a, adv, both


def test_replace_component_reaches_a_displaced_process(hz):
    ctx, a, adv, both = _displaced()
    assert ctx.processes["adv"] is not adv and adv in ctx.all_processes()
    ctx.replace_component("b", n_units=2, tau_m=5.)
    hz.counts["step_paths_checked"] += 1
    assert _steps(both) == ["a.advance_state", "b.advance_state"] and _owners_current(ctx, adv)
    a.j.set(jnp.ones((1, 2)))
    both.run(t=0., dt=1.)
    # the new b (tau_m = 5) integrates j = a.zF = 1: z = dt / tau_m * j = 0.2 (Euler step)
    np.testing.assert_allclose(np.asarray(ctx["b"].z.get()), 0.2, rtol=1e-6)


def test_remove_reaches_a_displaced_process(hz):
    ctx, a, adv, both = _displaced()
    ctx.remove("b")
    hz.counts["step_paths_checked"] += 1
    assert _steps(adv) == ["a.advance_state"] and _steps(both) == ["a.advance_state"]
    a.j.set(jnp.ones((1, 2)))
    both.run(t=0., dt=1.)                             # no step of the removed b is left
    np.testing.assert_array_equal(np.asarray(a.zF.get()), [[1., 1.]])   # tau_m = 0: z = j


def test_the_editor_edits_a_lab_whose_process_was_displaced(hz):
    ctx, a, adv, both = _displaced()
    lab = Lab(ctx, adv, clamp={a.j: np.array([[1., 2.]], np.float32)}, steps_per_frame=5)
    assert lab.editor._handle({"type": "update", "name": "b",
                               "params": {"tau_m": "4."}})["ok"]
    assert lab.run(5) == 5 and not lab.error and _owners_current(ctx, adv)
    assert lab.editor._handle({"type": "remove", "name": "b"})["ok"]
    assert lab.run(5) == 5 and not lab.error and _steps(adv) == ["a.advance_state"]
    hz.counts["step_paths_checked"] += 2


def _same_graph(ctx, code: str) -> Context:
    scope: dict = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(code, scope)
    rebuilt = scope["ctx"]
    g1, g2 = ctx.graph(), rebuilt.graph()
    for g in (g1, g2):
        g.pop("structure_version")
        # (processes by name: a JointProcess made before its members is rebuilt after them)
        g["processes"] = sorted(g["processes"], key=lambda p: p["name"])
    assert g1 == g2
    return rebuilt


def test_to_code_writes_members_before_the_joint_process_that_runs_them(hz):
    with Context("order") as ctx:
        a = RateCell("a", n_units=2, tau_m=0.)
        b = RateCell("b", n_units=2, tau_m=10.)
        a.zF >> b.j
        joint = JointProcess("joint")                 # made first, members added later
        p = MethodProcess("p") >> a.advance_state
        q = MethodProcess("q") >> b.advance_state
        joint >> p >> q >> a.reset
    code = ctx.to_code()
    hz.counts["step_paths_checked"] += 1
    assert code.index("MethodProcess('p')") < code.index("JointProcess('joint')")
    rebuilt = _same_graph(ctx, code)
    assert _steps(rebuilt.processes["joint"]) == ["a.advance_state", "b.advance_state",
                                                 "a.reset"]


def test_to_code_rebuilds_a_displaced_process_a_joint_still_runs(hz):
    ctx, a, adv, both = _displaced()
    code = ctx.to_code()
    hz.counts["step_paths_checked"] += 1
    rebuilt = _same_graph(ctx, code)
    # the rebuilt JointProcess runs a -> b (the displaced process), the name "adv" is the reset
    assert _steps(rebuilt.processes["both"]) == ["a.advance_state", "b.advance_state"]
    assert _steps(rebuilt.processes["adv"]) == ["a.reset", "b.reset"]


def test_save_to_json_refuses_two_processes_of_one_name_in_use(hz, tmp_path):
    ctx, a, adv, both = _displaced()
    hz.counts["bad_input"] += 1
    with pytest.raises(ValueError, match=r"process 'both' runs a process named 'adv' that a "
                                         r"later process of that name replaced"):
        ctx.save_to_json(str(tmp_path), "m")
    assert os.listdir(tmp_path) == []                 # nothing half-written is left


def test_ngclearn_folder_keeps_a_joint_process_s_own_methods_and_member_order(hz, tmp_path):
    with Context("jf") as ctx:
        a = RateCell("a", n_units=2, tau_m=0.)
        b = RateCell("b", n_units=2, tau_m=10.)
        a.zF >> b.j
        joint = JointProcess("joint")                 # before its member, in roots.json too
        p = MethodProcess("p") >> a.advance_state
        joint >> p >> b.advance_state
        joint.watch(b.z)
    folder = ctx.save_to_json(str(tmp_path), "jf")
    loaded = Context.load(str(tmp_path), os.path.basename(folder))
    hz.counts["step_paths_checked"] += 1
    assert _steps(loaded.processes["joint"]) == ["a.advance_state", "b.advance_state"]
    assert [i if isinstance(i, str) else i.name for i in
            [x.name if isinstance(x, MethodProcess) else repr(x)
             for x in loaded.processes["joint"].items]] == ["p", "b.advance_state"]
    assert [c.path for c in loaded.processes["joint"].watched] == ["jf/b:z"]


class Plastic(Component):
    """z = w j, and (only when ``plastic``) an ``evolve`` step w <- w + eta j (a component whose
    set of methods depends on an argument, so an update can take a step away)."""
    j: Compartment
    z: Compartment
    w: Compartment

    def __init__(self, name, plastic=True, **kwargs):
        super().__init__(name, **kwargs)
        self.plastic = plastic
        self.j = Compartment(jnp.zeros((1, 2)), kind="input")
        self.z = Compartment(jnp.zeros((1, 2)), kind="output")
        self.w = Compartment(jnp.ones((1, 2)), kind="parameter")
        if not plastic:
            self.evolve = None                        # no learning step at all

    @compilable
    def advance_state(self):
        self.z.set(self.w.get() * self.j.get())

    @compilable
    def evolve(self, dt):
        self.w.set(self.w.get() + 0.1 * dt * self.j.get())


def test_a_step_that_no_longer_fits_is_dropped_with_a_message_naming_it(hz):
    with Context("fit") as ctx:
        a = RateCell("a", n_units=2, tau_m=0.)
        w = Plastic("w")
        a.zF >> w.j
        adv = MethodProcess("adv") >> a.advance_state >> w.advance_state >> w.evolve
    lab = Lab(ctx, adv, clamp={a.j: np.ones((1, 2), np.float32)}, steps_per_frame=2)
    before = _steps(adv)
    dropped = lab.editor.update("w", plastic=False)
    hz.counts["step_paths_checked"] += 1
    assert before == ["a.advance_state", "w.advance_state", "w.evolve"]
    assert _steps(adv) == ["a.advance_state", "w.advance_state"]
    assert dropped == ["process 'adv': fit/w has no compilable method 'evolve'; that step was "
                       "dropped"]
    assert "that step was dropped" in lab.editor.notice     # shown in the editor
    assert lab.run(2) == 2 and not lab.error
    np.testing.assert_array_equal(np.asarray(ctx["w"].z.get()), [[1., 1.]])   # z = w j = 1
