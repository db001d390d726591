"""ngclab.utils.optim: sgd / adam / nag steps against ngc-learn 3.2.3 and by hand."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ngclab.utils.optim import OPTIMIZER_NAMES, get_opt_init_fn, get_opt_step_fn
from ngclab.utils.optim.adam import adam_step
from tests.helpers import close, np_arr


def flat(tree) -> np.ndarray:
    """All numbers of a pytree (arrays, or the nested lists of the JSON) in leaf order."""
    return np.concatenate([np.ravel(np.asarray(x, np.float64))
                           for x in jax.tree_util.tree_leaves(tree)])


REF_KEYS = ["sgd_eta0.1", "adam_eta0.05", "adam_eta0.01_beta10.5_beta20.9_eps0.0001",
            "nag_eta0.1_mu0.8", "sgd", "adam"]


@pytest.mark.parametrize("key", REF_KEYS)
def test_three_steps_match_ngclearn(ref, key):
    r = ref["optim"]
    case = r[key]
    theta = [jnp.asarray(np_arr(r["W0"])), jnp.asarray(np_arr(r["b0"]))]
    opt_params = get_opt_init_fn(case["name"])(theta)
    step = get_opt_step_fn(case["name"], **case["hyper"])
    close(flat(opt_params), flat(case["trace"][0]["opt_params"]))
    for g, expected in zip(r["grads"], case["trace"][1:]):
        grads = [jnp.asarray(np_arr(g[0])), jnp.asarray(np_arr(g[1]))]
        opt_params, theta = step(opt_params, theta, grads)
        # expected: ngc-learn 3.2.3's opt_params and parameters after the same step
        close(theta[0], expected["theta"][0])
        close(theta[1], expected["theta"][1])
        close(flat(opt_params), flat(expected["opt_params"]))


def test_sign_convention_is_descent():
    # by hand: theta - eta * update
    W = [jnp.asarray([1.0, 2.0])]
    sgd = get_opt_step_fn("sgd", eta=0.5)
    _, [W1] = sgd(get_opt_init_fn("sgd")(W), W, [jnp.asarray([1.0, -2.0])])
    close(W1, [0.5, 3.0])
    # adam's first step moves by eta * sign(g) (m_hat / sqrt(v_hat) = g / |g|), downhill
    _, [W2] = get_opt_step_fn("adam", eta=0.1)(get_opt_init_fn("adam")(W), W,
                                                [jnp.asarray([3.0, -0.5])])
    close(W2, [0.9, 2.1], atol=1e-6)


def test_adam_two_steps_by_hand():
    b1, b2, eta, eps = 0.9, 0.999, 0.01, 1e-8
    g1, g2 = 2.0, -1.0
    m = (1 - b1) * g1
    v = (1 - b2) * g1 ** 2
    m = b1 * m + (1 - b1) * g2
    v = b2 * v + (1 - b2) * g2 ** 2
    theta1 = 1.0 - eta * 1.0  # first step: m_hat/sqrt(v_hat) = sign(g1)
    theta2 = theta1 - eta * (m / (1 - b1 ** 2)) / (np.sqrt(v / (1 - b2 ** 2)) + eps)
    step = get_opt_step_fn("adam", eta=eta)
    s = get_opt_init_fn("adam")([jnp.asarray([1.0])])
    s, th = step(s, [jnp.asarray([1.0])], [jnp.asarray([g1])])
    s, th = step(s, th, [jnp.asarray([g2])])
    close(th[0], [theta2], atol=1e-6)
    close(s[0][0], [m]), close(s[1][0], [v], atol=1e-7)
    assert float(s[2]) == 2.0


def test_nag_by_hand():
    step = get_opt_step_fn("nag", eta=0.1, mu=0.5)
    s = get_opt_init_fn("nag")([jnp.asarray([1.0])])
    s, th = step(s, [jnp.asarray([1.0])], [jnp.asarray([1.0])])
    close(th[0], [0.9])  # t = 1: no momentum, phi = 1 - 0.1
    s, th = step(s, th, [jnp.asarray([1.0])])
    close(th[0], [0.8 + 0.5 * (0.8 - 0.9)])  # phi = 0.9 - 0.1; theta = phi + mu (phi - phi_prev)


def test_eta_override_at_call_time_and_no_recompile():
    W = [jnp.ones((2, 2))]
    g = [jnp.ones((2, 2))]
    step = get_opt_step_fn("sgd", eta=0.1)
    s0 = get_opt_init_fn("sgd")(W)
    close(step(s0, W, g)[1][0], 0.9 * np.ones((2, 2)))
    close(step(s0, W, g, eta=0.25)[1][0], 0.75 * np.ones((2, 2)))  # override wins

    @jax.jit
    def run(eta, s, W):
        return step(s, W, g, eta=eta)

    for eta in (0.1, 0.2, 0.3):  # eta is traced: one compile for all values
        out = run(jnp.float32(eta), s0, W)
        close(out[1][0], (1 - eta) * np.ones((2, 2)))
    assert run._cache_size() == 1

    adam = get_opt_step_fn("adam", eta=0.01)
    s = get_opt_init_fn("adam")(W)
    before = adam_step._cache_size()
    adam(s, W, g, eta=0.02)
    adam(s, W, g, eta=0.03)
    assert adam_step._cache_size() - before <= 1


@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
def test_state_is_a_pytree_of_float32_arrays(name):
    W = [jnp.zeros((3, 2)), jnp.zeros((1, 2))]
    s = get_opt_init_fn(name)(W)
    leaves = jax.tree_util.tree_leaves(s)
    assert leaves and all(isinstance(x, jax.Array) and x.dtype == jnp.float32 for x in leaves)
    s2, _ = get_opt_step_fn(name)(s, W, [jnp.ones((3, 2)), jnp.ones((1, 2))])
    assert jax.tree_util.tree_structure(s2) == jax.tree_util.tree_structure(s)
    # savable with numpy without pickle
    np.savez(__import__("io").BytesIO(), *[np.asarray(x) for x in jax.tree_util.tree_leaves(s2)])


def test_unknown_names(ref):
    assert ref["optim"]["unknown_name"] == "KeyError"  # ngc-learn: a bare KeyError
    with pytest.raises(ValueError, match=r"'rmsprop'.*\['sgd', 'adam', 'nag'\]"):
        get_opt_init_fn("rmsprop")
    with pytest.raises(ValueError, match="valid ones"):
        get_opt_step_fn("rmsprop", eta=0.1)
    with pytest.raises(TypeError, match="beta1"):
        get_opt_step_fn("sgd", beta1=0.9)
