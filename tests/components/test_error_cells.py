"""Gaussian, Laplacian and Bernoulli error cells. Expected values are hand-computed from the
equations in each cell's module docstring (log-likelihood L and its derivatives); the
ngc-learn 3.2.3 comparison lives in test_reference.py."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from ngclab import Context, MethodProcess
from ngclab.components import BernoulliErrorCell, GaussianErrorCell, LaplacianErrorCell, RateCell

MU = np.array([[0.5, -1., 2.], [0., 0.25, -0.5]], np.float32)
TARGET = np.array([[1., 1., 1.], [-1., 0., 0.5]], np.float32)


def make(cls, **kw):
    kw.setdefault("n_units", 3)
    kw.setdefault("batch_size", 2)
    with Context("m") as ctx:
        c = cls("e", **kw)
    return ctx, c


def test_gaussian_scalar_sigma():
    _, c = make(GaussianErrorCell, sigma=2.)
    assert c.Sigma.shape == (1, 1) and c.L.shape == ()
    c.mu.set(MU)
    c.target.set(TARGET)
    c.advance_state(dt=1.)
    e = TARGET - MU
    np.testing.assert_allclose(float(c.L.get()), -0.5 * np.sum(e * e) / 2., rtol=1e-6)
    np.testing.assert_allclose(np.asarray(c.dmu.get()), e / 2., rtol=1e-6)
    np.testing.assert_allclose(np.asarray(c.dtarget.get()), -e / 2., rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(c.dSigma.get()), [[1.]])


@settings(max_examples=25, deadline=None)
@given(sigma=st.floats(0.1, 5.), mu=st.lists(st.floats(-3, 3, width=32), min_size=3,
                                             max_size=3))
def test_gaussian_dmu_is_the_gradient_of_L(sigma, mu):
    # dmu = dL/dmu (ngc-learn's sign: L is a log-likelihood, dmu points uphill)
    _, c = make(GaussianErrorCell, sigma=sigma, batch_size=1)
    target = jnp.array([[0.3, -0.2, 1.]])
    mu = jnp.array([mu], jnp.float32)
    c.mu.set(mu)
    c.target.set(target)
    c.advance_state(dt=1.)
    grad = jax.grad(lambda m: -0.5 * jnp.sum((target - m) ** 2) / sigma)(mu)
    np.testing.assert_allclose(np.asarray(c.dmu.get()), np.asarray(grad), rtol=1e-5, atol=1e-6)


def test_gaussian_full_covariance_and_per_unit_variances():
    cov = np.array([[2., 0.5, 0.], [0.5, 1., 0.2], [0., 0.2, 3.]], np.float32)
    _, c = make(GaussianErrorCell, sigma=cov)
    assert c.full_covariance and "sigma" not in c.knobs
    c.mu.set(MU)
    c.target.set(TARGET)
    c.advance_state(dt=1.)
    e = (TARGET - MU).astype(np.float64)
    prec_e = e @ np.linalg.inv(cov)
    np.testing.assert_allclose(np.asarray(c.dmu.get()), prec_e, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(float(c.L.get()), -0.5 * np.sum(prec_e * e), rtol=1e-5)
    var = np.array([[1., 2., 4.]], np.float32)
    _, c = make(GaussianErrorCell, sigma=var)
    c.mu.set(MU)
    c.target.set(TARGET)
    c.advance_state(dt=1.)
    e = TARGET - MU
    np.testing.assert_allclose(np.asarray(c.dmu.get()), e / var, rtol=1e-6)
    np.testing.assert_allclose(float(c.L.get()), -0.5 * np.sum(e * e / var), rtol=1e-6)


def test_sigma_knob_and_wired_sigma():
    ctx, c = make(GaussianErrorCell, sigma=1.)
    c.mu.set(MU)
    c.target.set(TARGET)
    c.sigma.set(4.)
    c.advance_state(dt=1.)
    np.testing.assert_allclose(np.asarray(c.Sigma.get()), [[4.]])
    np.testing.assert_allclose(np.asarray(c.dmu.get()), (TARGET - MU) / 4., rtol=1e-6)
    with ctx:
        s = RateCell("s", 1, 0.)
        s.zF >> c.Sigma
    s.j.set(jnp.array([[0.5]]))
    s.advance_state(dt=1.)
    c.advance_state(dt=1.)  # the wire wins over the knob
    np.testing.assert_allclose(np.asarray(c.dmu.get()), (TARGET - MU) / 0.5, rtol=1e-6)


@pytest.mark.parametrize("cls,pred,deriv", [(GaussianErrorCell, "mu", "dmu"),
                                            (LaplacianErrorCell, "shift", "dshift"),
                                            (BernoulliErrorCell, "p", "dp")])
def test_modulator_and_mask_last_one_step(cls, pred, deriv):
    ctx, c = make(cls)
    with ctx:
        p = MethodProcess("p") >> c.advance_state
    getattr(c, pred).set(np.clip(np.abs(MU) / 3, 0.1, 0.9))
    c.target.set(np.clip(TARGET, 0, 1))
    p.run(t=0., dt=1.)
    base_d, base_t = np.asarray(getattr(c, deriv).get()), np.asarray(c.dtarget.get())
    mod = np.array([[2., 1., 0.5], [1., 3., 1.]], np.float32)
    mask = np.array([[1., 0., 1.], [0., 1., 1.]], np.float32)
    c.modulator.set(mod)
    c.mask.set(mask)
    p.run(t=1., dt=1.)
    np.testing.assert_allclose(np.asarray(getattr(c, deriv).get()), base_d * mod * mask,
                               rtol=1e-6)
    np.testing.assert_allclose(np.asarray(c.dtarget.get()), base_t * mod * mask, rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(c.mask.get()), 1.)  # eaten after one step
    p.run(t=2., dt=1.)
    np.testing.assert_allclose(np.asarray(getattr(c, deriv).get()), base_d * mod, rtol=1e-6)


def test_laplacian_log_likelihood_and_derivatives():
    _, c = make(LaplacianErrorCell, scale=0.5)
    c.shift.set(MU)
    c.target.set(TARGET)
    c.advance_state(dt=1.)
    e = TARGET - MU
    # L = -||e||_1 / scale (ngc-learn 3.2.3 instead counts mismatches: -sum|sign(e)| / scale)
    np.testing.assert_allclose(float(c.L.get()), -np.abs(e).sum() / 0.5, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(c.dshift.get()), np.sign(e) / 0.5)
    np.testing.assert_allclose(np.asarray(c.dtarget.get()), -np.sign(e) / 0.5)
    c.scale.set(2.)
    c.advance_state(dt=1.)
    np.testing.assert_allclose(float(c.L.get()), -np.abs(e).sum() / 2., rtol=1e-6)


def test_bernoulli_probabilities_and_logits():
    p = np.array([[0.2, 0.5, 0.9], [0.00001, 0.7, 0.999999]], np.float32)
    x = np.array([[1., 0., 1.], [0., 1., 1.]], np.float32)
    _, c = make(BernoulliErrorCell)
    c.p.set(p)
    c.target.set(x)
    c.advance_state(dt=1.)
    q = np.clip(p, 1e-4, 1 - 1e-4)  # clipped away from 0 and 1
    np.testing.assert_allclose(float(c.L.get()),
                               np.sum(x * np.log(q) + (1 - x) * np.log(1 - q)), rtol=1e-5)
    np.testing.assert_allclose(np.asarray(c.dp.get()), x / q - (1 - x) / (1 - q), rtol=1e-5)
    np.testing.assert_allclose(np.asarray(c.dtarget.get()), np.log(q) - np.log(1 - q),
                               rtol=1e-5)
    logits = np.array([[0., 2., -1.], [3., -2., 0.5]], np.float32)
    _, c = make(BernoulliErrorCell, input_logits=True)
    c.p.set(logits)
    c.target.set(x)
    c.advance_state(dt=1.)
    s = 1 / (1 + np.exp(-logits))
    np.testing.assert_allclose(np.asarray(c.dp.get()), x - s, rtol=1e-5, atol=1e-6)
    # dp is dL/dlogit: check against autodiff of the log-likelihood
    g = jax.grad(lambda z: jnp.sum(x * jnp.log(jax.nn.sigmoid(z))
                                   + (1 - x) * jnp.log(1 - jax.nn.sigmoid(z))))(
        jnp.asarray(logits))
    np.testing.assert_allclose(np.asarray(c.dp.get()), np.asarray(g), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cls,zeros,ones", [
    (GaussianErrorCell, ["mu", "dmu", "target", "dtarget"], ["modulator", "mask"]),
    (LaplacianErrorCell, ["shift", "dshift", "target", "dtarget"], ["modulator", "mask"]),
    (BernoulliErrorCell, ["p", "dp", "target", "dtarget"], ["modulator", "mask"])])
def test_reset_batched_reset_and_help(cls, zeros, ones):
    ctx, c = make(cls)
    for n in zeros + ones:
        getattr(c, n).set(jnp.full((2, 3), 0.3))
    c.L.set(5.)
    c.reset()
    for n in zeros:
        np.testing.assert_array_equal(np.asarray(getattr(c, n).get()), 0.)
    for n in ones:
        np.testing.assert_array_equal(np.asarray(getattr(c, n).get()), 1.)
    assert float(c.L.get()) == 0.
    c.batched_reset(5)
    assert c.batch_size == 5
    for n in zeros + ones:
        assert getattr(c, n).shape == (5, 3)
    with ctx:
        p = MethodProcess("p") >> c.advance_state
    p.run(t=0., dt=1.)
    info = cls.help()
    assert set(info) == {cls.__name__, "compartments", "dynamics", "hyperparameters"}
    assert set(info["compartments"]["outputs"]) >= {"L", "dtarget"}


def test_map_shapes_and_validation():
    _, c = make(GaussianErrorCell, shape=(2, 2, 1), n_units=4)
    assert c.mu.shape == (2, 2, 2, 1)
    with Context("m") as ctx:
        for kw, text in [({"sigma": 0.}, "sigma"), ({"sigma": np.ones((4, 4))}, "broadcast"),
                         ({"sigma": "big"}, "sigma"), ({"typo": 1}, "typo")]:
            with pytest.raises((ValueError, TypeError), match=text):
                GaussianErrorCell("g", 3, **kw)
        with pytest.raises(ValueError, match="scale"):
            LaplacianErrorCell("l", 3, scale=-1.)
        with pytest.raises(ValueError, match="shape"):
            BernoulliErrorCell("b", 3, shape=(3,))
    assert not ctx.components
