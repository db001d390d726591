"""A step's first call after other steps wrote: the inputs go in as the vectors they are in.

ngclab.core.compiled (``CompiledStep._first_call``): once a step has found its inputs laid out
the same way ``GATHER_AFTER`` times (the first advance after a reset, evolve after the advance
runs), one program of its own takes those packed vectors and slices them inside, instead of
slicing and repacking them in separate compiled calls first. Nothing a user can read may change:
the reference is the same training with that program out of reach (``GATHER_AFTER`` above any
count), which takes the inputs the way the rest of the suite checks against the equations.

The model and the mini-batch loop are the PCN of test_deferred (as ported ngc-learn code writes
it: reset, clamp, ten advance runs, evolve, read the loss).
"""
import numpy as np
import pytest

from ngclab.core import compiled
from tests.core.test_deferred import batches, pcn

pytestmark = pytest.mark.filterwarnings("ignore::ngclab.core.checks.OrderWarning")


def train(name, n_batches, knob_moves=False):
    """Losses read per mini-batch, the final state, the processes."""
    ctx, cells, procs = pcn(name)
    z0, z1, W1, W2, e1, e2, E2 = cells
    adv, evolve, reset = procs
    losses = []
    for i in range(n_batches):
        x, y = batches(i)
        reset.run()
        if knob_moves:                  # a knob the advance step bundles, moved per batch
            z1.tau_m.set(np.float32(8. + i))
        z0.j.set(x)
        e2.target.set(y)
        for t in range(10):
            adv.run(t=float(t), dt=1.)
        evolve.run()
        losses.append(np.asarray(e2.L.get()))
    return losses, {p: np.asarray(v) for p, v in ctx.state.items()}, procs


def gathered_off(monkeypatch):
    monkeypatch.setattr(compiled, "GATHER_AFTER", 10 ** 9)


@pytest.mark.parametrize("knob_moves", [False, True])
def test_a_training_loop_with_gathered_inputs_reads_the_same_numbers(monkeypatch, knob_moves):
    losses, state, (adv, evolve, reset) = train("gather", 7, knob_moves)
    # the first advance after a reset (batch-1 leaves), the second (the leaves it left at
    # batch 1), and evolve each got a program of their own; the plain programs are the same
    assert adv.gathered_compile_count >= 2 and evolve.gathered_compile_count >= 1
    plain = adv.compile_count
    gathered_off(monkeypatch)
    want_losses, want_state, (want_adv, want_evolve, _) = train("gather_ref", 7, knob_moves)
    assert want_adv.gathered_compile_count == want_evolve.gathered_compile_count == 0
    assert want_adv.compile_count == plain
    for got, want in zip(losses, want_losses):
        np.testing.assert_array_equal(got, want)
    for p, v in want_state.items():
        np.testing.assert_array_equal(state[p.replace("gather_ref/", "gather/")], v, err_msg=p)


def test_few_mini_batches_compile_nothing_more(monkeypatch):
    # a short script (or a test) never pays for the extra programs
    _, _, (adv, evolve, reset) = train("gather_short", compiled.GATHER_AFTER - 1)
    assert adv.gathered_compile_count == evolve.gathered_compile_count == 0


def test_a_step_keeps_count_of_a_bounded_number_of_input_layouts():
    _, _, (adv, _, _) = train("gather_bound", 6)
    for step in adv._programs.values():
        assert len(step._recipes) <= compiled.MAX_RECIPES
        assert compiled.describe(step)["gathered_compiles"] == step.gathered_compiles
