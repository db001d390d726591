"""SparseExponentialSynapse and the row-table products it uses (ngclab.components.synapses.
_sparse): random cables, active rows, the event-driven and full products against a dense x @ W,
the conductance step by hand, the overflow error, batches, constructor errors."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import ngclab.components as C
from ngclab import Context, MethodProcess
from ngclab.components.synapses._sparse import (active_rows, propagate_rows, propagate_table,
                                                random_targets)
from ngclab.components.synapses.sparseExponentialSynapse import EventCapacityError
from ngclab.utils.distribution_generator import DistributionGenerator as DG

DT = 0.1


def dense_of(targets: np.ndarray, weights, n_out: int) -> np.ndarray:
    """The (n_pre, n_out) matrix a row table stands for (numpy, by loops)."""
    W = np.zeros((targets.shape[0], n_out), np.float32)
    for i, row in enumerate(targets):
        for r, j in enumerate(row):
            if j < n_out:
                W[i, j] += np.asarray(weights)[i, r]
    return W


@pytest.mark.parametrize("p", [0.05, 0.5])   # rejection of repeats / dense Bernoulli draws
def test_random_targets_are_distinct_sorted_rows_with_binomial_degrees(p):
    n_pre, n_out = 300, 200
    t = random_targets(7, n_pre, n_out, p)
    assert t.dtype == np.int32 and t.shape[0] == n_pre
    degree = (t < n_out).sum(1)
    assert t.shape[1] == degree.max()
    for row, d in zip(t, degree):
        assert np.all(np.diff(row[:d]) > 0) and np.all(row[d:] == n_out)   # sorted, distinct
    # degrees ~ Binomial(n_out, p): mean n_out p within 4 standard errors of the mean
    sem = np.sqrt(n_out * p * (1 - p) / n_pre)
    assert abs(degree.mean() - n_out * p) < 4 * sem
    # targets uniform over the outputs: each of 4 quarters gets ~1/4 of the edges
    quarters = np.bincount(t[t < n_out] // (n_out // 4), minlength=4) / degree.sum()
    assert np.all(np.abs(quarters - 0.25) < 0.02)
    assert np.array_equal(t, random_targets(7, n_pre, n_out, p))          # a seed, a cable
    assert not np.array_equal(t, random_targets(8, n_pre, n_out, p))


ROWS = {k: jax.jit(lambda x, k=k: active_rows(x, k)) for k in (1, 5, 12)}


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2 ** 16), st.floats(0., 0.3), st.sampled_from(sorted(ROWS)))
def test_active_rows_are_the_first_nonzero_units(seed, density, capacity):
    rs = np.random.RandomState(seed)
    x = (rs.uniform(size=(3, 40)) < density) * rs.uniform(0.5, 2., (3, 40))
    rows, count = ROWS[capacity](jnp.asarray(x, jnp.float32))
    for b in range(3):
        nz = np.nonzero(x[b])[0]
        assert int(count[b]) == nz.size
        want = np.full(capacity, 40)
        want[:min(capacity, nz.size)] = nz[:capacity]
        np.testing.assert_array_equal(np.asarray(rows[b]), want)


N_PRE, N_OUT = 30, 25
TARGETS = random_targets(5, N_PRE, N_OUT, 0.2)


@jax.jit
def both_products(x, w):
    rows, count = active_rows(x, N_PRE)
    return (propagate_rows(x, rows, count, TARGETS, w, N_OUT),
            propagate_table(x, TARGETS, w, N_OUT))


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2 ** 16), st.floats(0., 0.4))
def test_row_products_equal_the_dense_product(seed, density):
    rs = np.random.RandomState(seed)
    w = jnp.asarray(rs.uniform(0.1, 1., TARGETS.shape) * (TARGETS < N_OUT), jnp.float32)
    x = jnp.asarray((rs.uniform(size=(2, N_PRE)) < density) * 1., jnp.float32)
    want = np.asarray(x) @ dense_of(TARGETS, w, N_OUT)
    events, table = both_products(x, w)
    np.testing.assert_allclose(events, want, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(table, want, rtol=1e-6, atol=1e-6)


def test_the_event_product_adds_only_the_first_capacity_rows():
    targets = np.array([[0, 1], [1, 3], [2, 3]], np.int32)     # n_out = 3: 3 pads
    w = jnp.ones((3, 2))
    x = jnp.asarray([[1., 1., 1.]])
    rows, count = active_rows(x, 2)
    assert int(count[0]) == 3 and list(np.asarray(rows[0])) == [0, 1]
    # rows 0 and 1 only: unit 0 once, unit 1 twice (row 2 is beyond the capacity)
    np.testing.assert_array_equal(propagate_rows(x, rows, count, targets, w, 3), [[1., 2., 0.]])


def build_syn(capacity=12, syn_rest=None, batch=1, **kw):
    with Context("m") as ctx:
        S = C.SparseExponentialSynapse("S", (20, 10), tau_decay=5., g_syn_bar=0.7,
                                       syn_rest=syn_rest, g_conduct_factor=1.5, p_conn=0.3,
                                       event_capacity=capacity, batch_size=batch, key=3, **kw)
        adv = MethodProcess("adv") >> S.advance_state
        reset = MethodProcess("reset") >> S.reset
    return ctx, S, adv, reset


@pytest.mark.parametrize("capacity", [12, None])   # seed 0 fires at most 9 a step
@pytest.mark.parametrize("syn_rest", [None, -80.])
def test_conductance_step_by_hand(capacity, syn_rest):
    ctx, S, adv, _ = build_syn(capacity, syn_rest)
    W = np.asarray(S.dense_weights())
    assert set(np.unique(W)) <= {0., 1.} and W.sum() == (S.targets < 10).sum()   # nonplastic
    rs = np.random.RandomState(0)
    g = np.zeros((1, 10), np.float32)
    v = np.full((1, 10), -65., np.float32)
    for k in range(6):
        s = (rs.uniform(size=(1, 20)) < 0.2).astype(np.float32)
        S.inputs.set(jnp.asarray(s))
        S.v.set(jnp.asarray(v))
        adv.run(t=k * DT, dt=DT)
        # g <- g (1 - dt / tau) + g_bar (s @ W);  i = -gcf g (v - E) or -gcf g
        g = g * np.float32(1. - DT / 5.) + np.float32(0.7) * (s @ W)
        i = -g * 1.5 * ((v - syn_rest) if syn_rest is not None else 1.)
        np.testing.assert_allclose(S.g_syn.get(), g, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(S.outputs.get(), i, rtol=1e-5, atol=1e-5)
        np.testing.assert_array_equal(S.i_syn.get(), S.outputs.get())
        if capacity:
            fired = np.nonzero(s[0])[0]
            ev = np.asarray(S.events.get()[0])
            np.testing.assert_array_equal(ev[:fired.size], fired[:capacity])
            assert np.all(ev[fired.size:] == -1)


def test_pre_units_and_plastic_weights():
    ctx, S, adv, _ = build_syn(4, pre_units=(5, 12), is_nonplastic=False,
                               weight_init=DG.uniform(0.2, 0.4))
    W = np.asarray(S.dense_weights())
    assert S.weights.shape == (7, S.targets.shape[1])
    assert np.all(W[:5] == 0.) and np.all(W[12:] == 0.) and W[5:12].any()
    nz = W[W != 0.]
    assert nz.min() >= 0.2 and nz.max() < 0.4
    s = np.zeros((1, 20), np.float32)
    s[0, [1, 6, 13]] = 1.          # only unit 6 is in pre_units
    S.inputs.set(jnp.asarray(s))
    adv.run(t=0., dt=DT)
    np.testing.assert_allclose(S.g_syn.get(), 0.7 * W[6][None], rtol=1e-6)
    assert list(np.asarray(S.events.get()[0])) == [6, -1, -1, -1]


def test_overflow_poisons_the_conductance_and_raises_with_step_and_count():
    ctx, S, adv, reset = build_syn(3)
    s = np.zeros((30, 1, 20), np.float32)
    s[4, 0, :2] = 1.        # within capacity
    s[12, 0, :5] = 1.       # 5 > 3: step 12
    s[20, 0, :7] = 1.       # 7 > 3
    out = adv.scan(30, dt=DT, clamp={S.inputs: jnp.asarray(s)},
                   record=[S.g_syn], check_finite=False)
    g = np.asarray(out[S.g_syn.path])
    assert np.isfinite(g[:12]).all() and np.isnan(g[12:]).all()
    np.testing.assert_allclose(np.asarray(S.overflow.get()), [2., 12 * DT, DT, 5., 7.],
                               rtol=1e-6)
    with pytest.raises(EventCapacityError, match=r"SparseExponentialSynapse 'S': 5 input units "
                       r"fired in one step at t = 1\.2 ms \(step 12.*event_capacity=3; 2 step"):
        S.check_overflow()
    try:
        S.check_overflow()
    except EventCapacityError as err:
        assert (err.step, err.count, err.capacity) == (12, 5, 3)
    reset.run()
    S.check_overflow()              # reset forgets it
    assert np.all(np.asarray(S.overflow.get()) == 0.)


def test_a_batch_of_inputs_runs_row_by_row():
    ctx, S, adv, _ = build_syn()
    rs = np.random.RandomState(1)
    s = (rs.uniform(size=(5, 3, 20)) < 0.15).astype(np.float32)
    out = adv.scan(5, dt=DT, clamp={S.inputs: jnp.asarray(s)}, record=[S.outputs])
    W = np.asarray(S.dense_weights())
    g = np.zeros((3, 10), np.float32)
    for k in range(5):
        g = g * np.float32(1. - DT / 5.) + np.float32(0.7) * (s[k] @ W)
    np.testing.assert_allclose(np.asarray(out[S.outputs.path])[-1], -1.5 * g, rtol=1e-5)
    S.check_overflow()    # at most 12 units fired in a step: nothing was lost


@pytest.mark.parametrize("kw,match", [
    (dict(pre_units=(4, 2)), r"pre_units must be \(start, stop\) with 0 <= start < stop <= "
                             r"n_inputs=20, got \(4, 2\)"),
    (dict(pre_units=(0, 21)), r"pre_units"),
    (dict(event_capacity=0), r"event_capacity must be a positive integer"),
    (dict(p_conn=0.), r"p_conn must be a probability in \(0, 1\]"),
    (dict(bias_init=DG.constant(0.)), r"bias_init must be None"),
    (dict(tau_decay=0.), r"tau_decay must be >="),
    (dict(shape=(20,)), r"shape must be \(n_inputs, n_outputs\)"),
    (dict(bogus=1), r"unexpected keyword"),
])
def test_bad_arguments_are_refused(kw, match):
    args = dict(shape=(20, 10), tau_decay=5., g_syn_bar=1., syn_rest=None)
    with Context("m") as ctx:
        with pytest.raises((ValueError, TypeError), match=match) as err:
            C.SparseExponentialSynapse("x", **{**args, **kw})
    assert "SparseExponentialSynapse 'x'" in str(err.value)
    assert not ctx.components and not ctx.state
