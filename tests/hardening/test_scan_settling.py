"""A scan shorter than the steps a new batch size takes to spread (found by the editor fuzz).

A RateCell built at batch 1 whose top-down input is set at batch 3: after one step z has batch 3
(z = j + j_td / tau) while j, written back as j * f'(z) from the old z, still has batch 1; only
the second step gives j batch 3. ``run()`` takes that one step fine. ``scan(1)`` computes the
shapes the leaves settle at (two steps on) and packs its results to those shapes, so the state
it stores lists j as (3, 2) in a vector that holds j's (1, 2): the next read of the state fails
with a TypeError from a reshape inside the core instead of giving the state.
"""
import numpy as np

from ngclab import Context, MethodProcess
from ngclab.components import RateCell


def _cell():
    with Context("settle") as ctx:
        cell = RateCell("z", n_units=2, tau_m=10.)
        adv = MethodProcess("advance") >> cell.advance_state
    cell.j.set(np.full((1, 2), 0.5, np.float32))
    cell.j_td.set(np.ones((3, 2), np.float32))
    return ctx, cell, adv


def test_a_one_step_scan_while_a_batch_size_spreads_gives_run_s_state():
    ctx, cell, adv = _cell()
    adv.run(t=0., dt=1.)
    by_run = {k: np.asarray(v) for k, v in ctx.state.items()}
    # Euler step: z = 0 + 1 * (0.5 * 1 + 1) / 10 = 0.15, at batch 3; j = 0.5 * f'(0) = 0.5, batch 1
    np.testing.assert_allclose(by_run["settle/z:z"], np.full((3, 2), 0.15), rtol=1e-6)
    assert by_run["settle/z:j"].shape == (1, 2)

    ctx2, cell2, adv2 = _cell()
    adv2.scan(1, t0=0., dt=1.)
    by_scan = {k: np.asarray(v) for k, v in ctx2.state.items()}
    for k, v in by_run.items():
        assert by_scan[k].shape == v.shape, k
        np.testing.assert_array_equal(by_scan[k], v, err_msg=k)
