"""The CUBA network in the lab's run loop (ngclab.models.cuba.lab_guard): a reset puts the cells
back at their random start, and a chunk that lost spikes stops the run with the capacity error
(its step and count), not with the run loop's NaN message."""
import re
import warnings

import jax.numpy as jnp
import numpy as np
import pytest

from ngclab.components.synapses.sparseExponentialSynapse import EventCapacityError
from ngclab.lab.runner import Runner
from ngclab.models import cuba

warnings.filterwarnings("ignore", message=".*sees the previous step's value")


def guarded(net, steps_per_frame):
    run = Runner(net.ctx, net.advance, net.reset, dt=cuba.DT, steps_per_frame=steps_per_frame)
    run.observers.append(cuba.lab_guard(net))
    return run


def test_a_reset_puts_the_cells_back_at_their_random_start():
    net = cuba.build(50, p_conn=0.1, seed=2, event_capacity=None)
    run = guarded(net, 100)
    assert run.run(300) == 300 and run.error == ""
    run.reset()
    # the LIFCell's own reset sets v = v_rest = El (above threshold); the guard draws the start
    np.testing.assert_array_equal(np.asarray(net.P.v.get()), np.asarray(cuba.initial_voltages(50, 2)))
    assert run.step_count == 0 and run.status == "ready"


def test_lost_spikes_stop_the_run_with_the_capacity_error():
    net = cuba.build(200, p_conn=0.1, seed=4, event_capacity=2)
    net.P.v.set(jnp.full((1, 200), -49.5))      # everyone close to threshold: a volley
    start = net.ctx.snapshot()
    with pytest.raises(EventCapacityError) as headless:   # the same steps, headless, in the
        for first in range(0, 60, 20):                     # lab's chunks of 20
            cuba.run(net, 20, t0=first * cuba.DT)
    step = headless.value.step
    net.ctx.restore(start)
    run = guarded(net, 20)
    assert run.run(60) < 60
    first = step // 20 * 20                     # the chunk of the first overflowing step
    assert run.status == "error" and run.step_count == first
    assert str(headless.value) in run.error, run.error
    assert f"during steps {first}-{first + 19}" in run.error
    assert not re.search(r"NaN/Inf in", run.error)
    # the state is as it was before the failed chunk: finite, no overflow recorded
    assert np.isfinite(np.asarray(net.Ce.g_syn.get())).all()
    net.Ce.check_overflow()
    net.Ci.check_overflow()
