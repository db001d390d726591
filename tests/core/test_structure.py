"""The core's structure: modules import one way, components join their Context only once built,
the lean scan program equals a plain lax.scan bit for bit."""
import ast
from pathlib import Path

import jax.numpy as jnp
import numpy as np
import pytest

from ngclab import Compartment, Component, Context, JointProcess, Knob, MethodProcess, compilable
from ngclab.components import GaussianErrorCell, LIFCell, RateCell
from ngclab.core.scanning import run_scan

CORE = Path(__file__).resolve().parents[2] / "ngclab" / "core"


def core_imports() -> dict[str, set[str]]:
    """module -> core modules it imports, anywhere in the file (also inside functions)."""
    graph = {}
    for path in CORE.glob("*.py"):
        if path.name == "__init__.py":
            continue
        deps = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module.startswith("ngclab.core."):
                    deps.add(node.module.split(".")[2])
                elif node.module == "ngclab.core":
                    deps.update(a.name for a in node.names)
            elif isinstance(node, ast.Import):
                deps.update(a.name.split(".")[2] for a in node.names
                            if a.name.startswith("ngclab.core."))
        graph[path.stem] = deps - {path.stem}
    return graph


def test_core_modules_import_in_one_direction():
    graph = core_imports()
    assert "store" in graph and not graph["store"]          # the bottom imports nothing
    done, order = set(), []
    while len(done) < len(graph):
        ready = sorted(m for m in graph if m not in done and graph[m] <= done)
        assert ready, f"import cycle among {sorted(set(graph) - done)}: " + \
            str({m: sorted(graph[m] - done) for m in graph if m not in done})
        done.update(ready)
        order += ready
    assert order.index("component") < order.index("context")
    assert order.index("process") < order.index("context")


def test_the_core_reads_no_private_member_of_another_core_module():
    """No ``module._private`` access across core modules (``obj._x`` on objects a module owns is
    fine; this checks attribute access on imported modules)."""
    for path in CORE.glob("*.py"):
        tree = ast.parse(path.read_text())
        modules = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
                   and n.module == "ngclab.core" for a in n.names}
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and \
                    node.value.id in modules and node.attr.startswith("_"):
                pytest.fail(f"{path.name} reads {node.value.id}.{node.attr}")


class Fails(Component):
    """A component whose constructor fails after declaring compartments."""
    x: Compartment

    def __init__(self, name, bad=True, **kwargs):
        super().__init__(name, **kwargs)
        self.x = Compartment(jnp.zeros((1, 2)), kind="input")
        self.x.set(jnp.ones((1, 2)))           # compartments work inside __init__
        if bad:
            raise ValueError(f"Fails {name!r}: bad is True")


def test_a_component_joins_its_context_only_when_its_constructor_succeeded():
    with Context("reg") as ctx:
        with pytest.raises(ValueError, match="bad is True"):
            Fails("f")
        assert not ctx.components and not ctx.state and not ctx.compartments
        ok = Fails("f", bad=False)
    assert list(ctx.components) == ["f"]
    np.testing.assert_array_equal(np.asarray(ok.x.get()), np.ones((1, 2)))
    assert set(ctx.state) == {"reg/f:key", "reg/f:x"}


def test_declared_compartments_match_what_components_build():
    assert Fails.declared() == {"key": "Compartment", "x": "Compartment"}
    with Context("decl"):
        f = Fails("f", bad=False)
    assert list(f.compartments) == list(Fails.declared())


def test_replace_component_keeps_steps_a_joint_process_holds_directly():
    with Context("jp") as ctx:
        a = RateCell("a", n_units=2, tau_m=0.)
        b = RateCell("b", n_units=2, tau_m=10.)
        a.zF >> b.j
        p = MethodProcess("p") >> a.advance_state
        jp = JointProcess("jp") >> p >> b.advance_state
        p.watch(b.z)
    ctx.replace_component("b", tau_m=5.)
    assert [repr(s) for s in jp.steps] == ["a.advance_state", "b.advance_state"]
    new_b = ctx["b"]
    assert jp.items[1].component is new_b and p.watched == [new_b.z]
    assert float(new_b.tau_m.get()) == 5.
    a.j.set(jnp.ones((1, 2)))
    jp.run(t=0., dt=1.)                                   # z = dt / tau_m * j = 0.2
    np.testing.assert_allclose(np.asarray(new_b.z.get()), 0.2, rtol=1e-6)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_keywords_are_refused_and_change_nothing(bad):
    with Context("kw") as ctx:
        b = RateCell("b", n_units=2, tau_m=10.)
        p = MethodProcess("p") >> b.advance_state
    b.j.set(jnp.ones((1, 2)))
    p.run(t=0., dt=1.)                                    # the fast path is warm
    before = {k: np.asarray(v) for k, v in ctx.state.items()}
    with pytest.raises(ValueError, match=r"process 'p': keyword dt=.* must be a finite real"):
        p.run(t=1., dt=bad)
    with pytest.raises(ValueError, match="dt must be a finite number"):
        p.scan(3, dt=bad)
    with pytest.raises(ValueError, match="keyword t=.* must be a finite"):
        p.run(t=bad, dt=1.)
    for k, v in ctx.state.items():
        np.testing.assert_array_equal(np.asarray(v), before[k])


class Noisy(Component):
    """x' = x * decay + noise (a knob scales it), to give the scan leaves of every kind."""
    x: Compartment
    noise: Compartment
    decay: Knob

    def __init__(self, name, **kwargs):
        super().__init__(name, **kwargs)
        self.x = Compartment(jnp.ones((2, 3)), kind="state")
        self.noise = Compartment(jnp.zeros((2, 3)), kind="output")
        self.decay = Knob(0.9, low=0.)

    @compilable
    def advance_state(self, t, dt):
        import jax
        key, sub = jax.random.split(self.key.get())
        self.key.set(key)
        self.noise.set(jax.random.normal(sub, (2, 3)) * 0.1)
        self.x.set(self.x.get() * self.decay.get() + self.noise.get() + t * dt * 1e-3)


def test_the_lean_scan_program_equals_a_plain_lax_scan_bit_for_bit():
    with Context("lean") as ctx:
        n = Noisy("n")
        e = GaussianErrorCell("e", n_units=3, batch_size=2)
        s = LIFCell("s", n_units=3, tau_m=20., batch_size=2)
        n.x >> e.mu
        e.dmu >> s.j
        p = MethodProcess("p") >> n.advance_state >> e.advance_state >> s.advance_state
    start = ctx.snapshot()
    target = jnp.linspace(0., 2., 30).reshape(10, 1, 3) * jnp.ones((10, 2, 3))
    results = {}
    for lean in (True, False):
        ctx.restore(start)
        e.mask.set(jnp.zeros((2, 3)))                     # a settled leaf: lean's prologue
        out = run_scan(p, 10, 0., 0.5, {e.target: target}, [s.v, e.dmu, n.noise],
                       None, {}, lean=lean)
        results[lean] = ({k: np.asarray(v) for k, v in out.items()},
                         {k: np.asarray(v) for k, v in ctx.state.items()})
    for part in (0, 1):
        for k, v in results[True][part].items():
            np.testing.assert_array_equal(v, results[False][part][k], err_msg=k)
