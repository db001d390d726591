"""A step that reads nothing (a reset to rest values) runs its compiled program once.

Its results depend on nothing it is given, so ngclab.core.compiled stores the first call's
arrays again on every later call (jax arrays are immutable). What users see must be what the
program gives each time: the rest values (zeros of the compartments' shapes, from the reset
rule), after any number of runs in between. A step with an effect (a debug callback) is never
treated so: its effect must happen on every call.
"""
import jax
import jax.numpy as jnp
import numpy as np

from ngclab import Context, MethodProcess
from ngclab.components import RateCell
from ngclab.core import Compartment, Component, compilable, compiled


def test_reset_gives_the_rest_values_every_time_and_compiles_once():
    with Context("constant_reset") as ctx:
        z = RateCell("z", n_units=3, tau_m=5., act_fx="tanh")
        adv = MethodProcess("advance") >> z.advance_state
        reset = MethodProcess("reset") >> z.reset
    for k in range(4):
        z.j.set(jnp.full((2, 3), 1. + k))       # batch 2 into a cell built for batch 1
        for t in range(3):
            adv.run(t=float(t), dt=1.)
        assert float(jnp.abs(z.z.get()).sum()) > 0.
        reset.run()
        # RateCell.reset: j, j_td, z, zF back to zeros of batch size 1
        for c in (z.j, z.j_td, z.z, z.zF):
            np.testing.assert_array_equal(np.asarray(c.get()), np.zeros((1, 3), np.float32))
    step = reset._last_run[3]
    assert step._constant and reset.compile_count == 1
    state = {p: np.asarray(v) for p, v in ctx.state.items()}
    reset.run()
    for p, v in ctx.state.items():                 # a second reset in a row: nothing moves
        np.testing.assert_array_equal(np.asarray(v), state[p], err_msg=p)


class Beeper(Component):
    """Sets a counter to 1 and reports each call through a debug callback (an effect)."""

    def __init__(self, name, heard, **kwargs):
        super().__init__(name, **kwargs)
        self.heard = heard
        self.one = Compartment(jnp.zeros(()), kind="output")

    @compilable
    def beep(self):
        jax.debug.callback(lambda: self.heard.append(1))
        self.one.set(jnp.ones(()))


def test_a_step_with_an_effect_runs_every_time():
    heard = []
    with Context("constant_effect"):
        b = Beeper("b", heard)
        proc = MethodProcess("p") >> b.beep
    for _ in range(5):
        proc.run()
    jax.effects_barrier()
    assert len(heard) == 5
    assert not proc._last_run[3]._constant
    assert float(b.one.get()) == 1.


def test_describe_says_whether_a_step_is_constant():
    with Context("constant_describe"):
        z = RateCell("z", n_units=2, tau_m=5.)
        adv = MethodProcess("advance") >> z.advance_state
        reset = MethodProcess("reset") >> z.reset
    reset.run()
    adv.run(t=0., dt=1.)
    assert compiled.describe(reset._last_run[3])["constant"] is True
    assert compiled.describe(adv._last_run[3])["constant"] is False
