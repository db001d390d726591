"""A Context knows its leaves' shapes (``shape_signature``, which picks compiled programs) without
reading every leaf after a change it has seen before (``Context.shapes_changed(cause)``).

A mini-batch loop in ported ngc-learn code changes the batch size several times per batch: the
reset puts rest values of batch 1 back, ``set`` puts in a batch of 50, and the first steps spread
it. The same cause from the same shapes gives the same shapes, so each change is read from the
leaves once and looked up afterwards. Checked here against the leaves themselves
(``State.shapes()``), after every call of loops that mix batch sizes, restores and a structural
change.
"""
import jax.numpy as jnp

from ngclab.core.state import State
from tests.core.test_batch import circuit


LEAF_SHAPES = State.shapes   # the real read (the counted one below is what ngclab calls)


def signature_is_the_leaves(ctx) -> None:
    assert ctx.shape_signature() == LEAF_SHAPES(ctx._state)
    assert ctx._shape_ids[ctx.shape_signature()] == ctx.shape_id()


def count_reads(monkeypatch) -> list:
    """Every State.shapes() call (a read of every leaf's shape)."""
    calls = []
    real = State.shapes

    def counted(self):
        calls.append(1)
        return real(self)

    monkeypatch.setattr(State, "shapes", counted)
    return calls


def mini_batch(ctx, a, e, adv, evolve, reset, x, y, steps=3):
    reset.run()
    signature_is_the_leaves(ctx)
    a.j.set(x)
    signature_is_the_leaves(ctx)
    e.target.set(y)
    for t in range(steps):
        adv.run(t=float(t), dt=1.)
        signature_is_the_leaves(ctx)
    evolve.run()
    signature_is_the_leaves(ctx)


def test_the_signature_follows_the_leaves_through_batches_of_every_size(monkeypatch):
    ctx, a, W, b, e, adv, evolve, reset = circuit(name="shapes1")
    reads = count_reads(monkeypatch)
    sizes = [5, 5, 2, 5, 1, 2, 2, 5]
    for k, n in enumerate(sizes):
        x = jnp.full((n, 3), 0.1 * (k + 1))
        mini_batch(ctx, a, e, adv, evolve, reset, x, x * 2.)
        if k == 2:      # a restore (no cause): its shapes are read, as every change without one
            ctx.restore(ctx.snapshot())
            signature_is_the_leaves(ctx)
    # each (shapes before, change) pair is read once, then looked up: far fewer reads than
    # shape changes (8 batches of reset, set, spreading steps)
    assert reads
    reads.clear()
    for k in range(6):
        mini_batch(ctx, a, e, adv, evolve, reset, jnp.full((5, 3), 0.5), jnp.ones((5, 3)))
    assert reads == [], "a repeated mini-batch read its leaves' shapes again"


def test_a_structural_change_forgets_the_remembered_changes():
    ctx, a, W, b, e, adv, evolve, reset = circuit(name="shapes2")
    x = jnp.full((4, 3), 0.3)
    for _ in range(2):
        mini_batch(ctx, a, e, adv, evolve, reset, x, x)
    assert ctx._transitions
    ctx.structure_changed()
    assert not ctx._transitions
    for _ in range(2):
        mini_batch(ctx, a, e, adv, evolve, reset, x, x)
    signature_is_the_leaves(ctx)
