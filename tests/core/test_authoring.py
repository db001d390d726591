"""Authoring a component the ngc-learn 3 way: compartments, knobs, @compilable, help(), repr."""
import jax.numpy as jnp
import numpy as np

from ngclab import Compartment, Component, Context, Knob, MethodProcess, compilable


class LeakyIntegrator(Component):
    """tau dv/dt = -v + R j ; outputs v."""

    def __init__(self, name, n_units, tau=10., R=1., batch_size=1, **kwargs):
        super().__init__(name, **kwargs)
        self.j = Compartment(jnp.zeros((batch_size, n_units)), kind="input")
        self.v = Compartment(jnp.zeros((batch_size, n_units)), kind="output")
        self.tau = Knob(tau, low=1e-6, doc="time constant")
        self.R = Knob(R, doc="resistance")

    @compilable
    def advance_state(self, dt):
        v = self.v.get()
        self.v.set(v + dt / self.tau * (-v + self.R * self.j.get()))

    @compilable
    def reset(self):
        self.v.set(jnp.zeros_like(self.v.get()))

    @classmethod
    def help(cls):
        return {cls.__name__: {"cell_type": "leaky integrator"},
                "compartments": {"inputs": {"j": "input current"}, "outputs": {"v": "potential"}},
                "dynamics": "tau dv/dt = -v + R j",
                "hyperparameters": {"n_units": "size", "tau": "time constant", "R": "resistance"}}


def test_custom_component_runs_compiled_with_knobs():
    with Context("m") as ctx:
        cell = LeakyIntegrator("cell", n_units=3, tau=4., R=2.)
        proc = MethodProcess("p") >> cell.advance_state
    cell.j.set(jnp.ones((1, 3)))
    proc.run(dt=1.)
    # v1 = 0 + 1/4 (-0 + 2*1) = 0.5
    np.testing.assert_allclose(cell.v.get(), 0.5)
    cell.R.set(0.)
    proc.run(dt=1.)
    # v2 = 0.5 + 1/4 (-0.5 + 0) = 0.375
    np.testing.assert_allclose(cell.v.get(), 0.375)
    assert proc.compile_count == 1
    assert cell.hyperparameters == {"name": "cell", "n_units": 3, "tau": 4., "R": 2.,
                                    "batch_size": 1}
    assert set(ctx.knobs()) == {"m/cell:tau", "m/cell:R"}


def test_help_and_repr():
    info = LeakyIntegrator.help()
    assert info["dynamics"] == "tau dv/dt = -v + R j"
    with Context("m"):
        cell = LeakyIntegrator("cell", n_units=2)
    cell.v.set(jnp.array([[1., 3.]]))
    text = repr(cell)
    assert "LeakyIntegrator 'cell' (m/cell)" in text
    assert "v            output    (1, 2)" in text and "mean=2 min=1 max=3" in text
    assert "tau          knob      ()             = 10" in text


def test_unknown_constructor_keywords_are_refused_and_leave_nothing_behind():
    import pytest
    with Context("m") as ctx:
        with pytest.raises(TypeError, match=r"LeakyIntegrator 'cell': unexpected keyword "
                                            r"argument\(s\) \['tua'\]"):
            LeakyIntegrator("cell", n_units=2, tua=3.)
    assert not ctx.components and not ctx.state
