"""A Sweep view cancelled while a chunk is in flight (the browser test's flake: one more member
counted after "cancelled" was shown).

The kernel may take the cancel message while the loop computes a chunk. That chunk then finishes
and its members count; the status must say "cancelled" only after that, so that the browser,
which reads the count when it sees "cancelled", never sees the count move again.

Expected numbers from the tutorial circuit's equations (tests.helpers.build_tutorial: b
integrates tau dz/dt = 2 x by Euler steps of dt = 1), after 4 steps b.z = 4 * 2 x / tau.
"""
import asyncio

import jax.numpy as jnp
import numpy as np
import pytest

from ngclab.lab import SweepView
from tests.helpers import build_tutorial

X = 0.5


def _view(chunk=2):
    ctx, a, W, b, adv, reset = build_tutorial("svc", n_units=2)
    taus = np.linspace(2., 20., 8)
    v = SweepView(ctx, adv, {b.tau_m: taus}, 4, b.z, how="last",
                  clamp={a.j: X * jnp.ones((1, 2))}, chunk=chunk)
    return v, taus


def _record(v):
    """Every (trait, value) change the browser would be sent, in order."""
    seen = []
    v.observe(lambda ch: seen.append((ch["name"], ch["new"])), names=["status", "done"])
    return seen


@pytest.mark.parametrize("cancel_in_chunk", [2, 3])
def test_a_cancel_during_a_chunk_says_cancelled_after_that_chunk_counts(cancel_in_chunk):
    v, taus = _view()
    seen = _record(v)
    chunks = {"n": 0}
    run_chunk = v.runner.run_chunk

    def chunk_with_a_cancel_arriving():
        chunks["n"] += 1
        if chunks["n"] == cancel_in_chunk:
            v.cancel()                  # the message taken while this chunk computes
            assert v.status == "running", "cancelled shown before the chunk in flight counted"
        return run_chunk()

    v.runner.run_chunk = chunk_with_a_cancel_arriving

    async def session():
        v.play()
        await v._task

    asyncio.run(session())
    done = 2 * cancel_in_chunk              # the chunk in flight counted: chunk=2 members each
    assert v.status == "cancelled" and v.done == done
    np.testing.assert_allclose(v.values[:done], 4 * 2 * X / taus[:done], rtol=1e-5)
    assert np.isnan(v.values[done:]).all()
    # what the browser saw: the last count came before "cancelled", nothing after it
    last_status = max(i for i, (k, val) in enumerate(seen) if k == "status")
    assert seen[last_status] == ("status", "cancelled")
    assert all(k != "done" for k, _ in seen[last_status + 1:]), seen
    assert [val for k, val in seen if k == "done"][-1] == done
    with pytest.raises(ValueError, match="cancelled; restart"):
        v.play()
    v.restart()
    assert (v.status, v.done) == ("ready", 0) and v.run() and v.status == "done"


def test_a_cancel_between_chunks_or_while_paused_says_cancelled_at_once():
    v, taus = _view()
    assert v.step() and v.done == 2
    v.cancel()                                  # no loop running: nothing in flight
    assert v.status == "cancelled" and v.done == 2
    with pytest.raises(ValueError, match="cancelled; restart"):
        v.run()


def test_a_play_while_a_cancel_is_pending_is_refused():
    v, taus = _view()
    run_chunk = v.runner.run_chunk
    refusals = []

    def chunk():
        if v.done == 2:
            v.cancel()
            with pytest.raises(ValueError, match="cancelled; restart"):
                v.play()                          # a play click right after the cancel
            refusals.append(True)
        return run_chunk()

    v.runner.run_chunk = chunk

    async def session():
        v.play()
        await v._task

    asyncio.run(session())
    assert refusals == [True] and v.status == "cancelled" and v.done == 4
