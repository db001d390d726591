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


def train(name, n_batches, knob_moves=False, peek_after=None):
    """Losses read per mini-batch, the final state, the processes; with ``peek_after`` = k,
    also the values of e1.L and e2.dmu read right after advance run k of each batch."""
    ctx, cells, procs = pcn(name)
    z0, z1, W1, W2, e1, e2, E2 = cells
    adv, evolve, reset = procs
    losses, peeks = [], []
    for i in range(n_batches):
        x, y = batches(i)
        reset.run()
        if knob_moves:                  # a knob the advance step bundles, moved per batch
            z1.tau_m.set(np.float32(8. + i))
        z0.j.set(x)
        e2.target.set(y)
        for t in range(10):
            adv.run(t=float(t), dt=1.)
            if t == peek_after:
                peeks.append((np.asarray(e1.L.get()), np.asarray(e2.dmu.get())))
        evolve.run()
        losses.append(np.asarray(e2.L.get()))
    if peek_after is not None:
        losses = [*losses, *(v for pair in peeks for v in pair)]
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


def first_leans(process):
    """Per compiled step of ``process``, its gathered layouts' lean first calls (``Lean``)."""
    return [seen[2] for step in process._programs.values() for seen in step._recipes.values()
            if seen[2] is not None]


def test_unread_first_calls_run_lean_and_never_compile_the_full_gathered_program():
    # the first advance runs after a reset write the 7 leaves the step reads back and leave the
    # loss, the error units, the layer outputs to a Deferred; nothing reads them before the
    # next run overwrites them, so the gathered full program is never even compiled
    _, _, (adv, evolve, _) = train("gather_lean", 7)
    leans = first_leans(adv)
    assert len(leans) >= 2 and all(lean.on and lean.reads == 0 for lean in leans)
    for step in adv._programs.values():
        for seen in step._recipes.values():
            if seen[2] is not None:
                assert seen[1] is None


@pytest.mark.parametrize("peek_after", [0, 1, 2])
def test_outputs_read_right_after_a_lean_first_call_are_the_full_programs(monkeypatch,
                                                                          peek_after):
    # reading a deferred leaf (e1.L, e2.dmu) after a lean first call runs the gathered full
    # program on the same inputs: the values read, the losses and the final state are those
    # of the same loop with the gathered programs out of reach
    losses, state, (adv, _, _) = train("gather_peek", 7, peek_after=peek_after)
    if peek_after < 2:         # (run 2 onwards is the steady step's own: lean or chained)
        # read every call, the first calls went back to their full program (Lean.called)
        # (the lean first calls of the run read; the other runs' stay lean)
        leans = first_leans(adv)
        assert sum(lean.reads >= 1 and not lean.on for lean in leans) == 1
        assert sum(lean.on and lean.reads == 0 for lean in leans) == len(leans) - 1
    gathered_off(monkeypatch)
    want, want_state, _ = train("gather_peek_ref", 7, peek_after=peek_after)
    assert len(losses) == len(want) == 7 * 3
    for got, ref in zip(losses, want):
        np.testing.assert_array_equal(got, ref)
    for p, v in want_state.items():
        np.testing.assert_array_equal(state[p.replace("gather_peek_ref/", "gather_peek/")], v,
                                      err_msg=p)
