"""ngclab.utils.model_utils: activations, derivatives, create_function and array helpers."""
from __future__ import annotations

import math

import hypothesis.extra.numpy as hnp
import hypothesis.strategies as st
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given

from ngclab.utils import model_utils as mu
from tests.helpers import HSET, close, np_arr

# functions compared elementwise with ngc-learn 3.2.3 on the reference input x (2 x 8)
SAME_AS_REF = ["identity", "d_identity", "relu", "d_relu", "lrelu", "d_lrelu", "relu6",
               "d_relu6", "tanh", "d_tanh", "sigmoid", "d_sigmoid", "softplus", "d_softplus",
               "silu", "d_silu", "gelu", "d_gelu", "elu", "d_elu", "telu", "d_telu", "sine",
               "d_sine", "heaviside", "d_heaviside", "threshold", "d_threshold", "softmax",
               "d_softmax", "binarize", "one_hot"]


@pytest.mark.parametrize("name", SAME_AS_REF)
def test_matches_ngclearn(ref, name):
    x = jnp.asarray(np_arr(ref["activations"]["x"]))
    close(getattr(mu, name)(x), ref["activations"][name])  # expected: ngc-learn 3.2.3 output


@pytest.mark.parametrize("key,call", [
    ("sine_omega2", lambda x: mu.sine(x, 2.0)),
    ("d_sine_omega2", lambda x: mu.d_sine(x, 2.0)),
    ("elu_alpha0.5", lambda x: mu.elu(x, 0.5)),
    ("d_elu_alpha0.5", lambda x: mu.d_elu(x, 0.5)),
    ("swish_beta1.5", lambda x: mu.swish(x, 1.5)),
    ("d_swish_beta1.5", lambda x: mu.d_swish(x, 1.5)),
    ("softmax_tau0.5", lambda x: mu.softmax(x, 0.5)),
    ("d_softmax_tau0.5", lambda x: mu.d_softmax(x, 0.5)),
    ("threshold_thr0.3", lambda x: mu.threshold(x, 0.3)),
    ("bkwta_3", lambda x: mu.bkwta(x, 3)),
    ("bkwta_default", lambda x: mu.bkwta(x)),
    ("binarize_thr0", lambda x: mu.binarize(x, 0.0)),
    ("clamp_min_0.5", lambda x: mu.clamp_min(x, 0.5)),
    ("clamp_max_0.5", lambda x: mu.clamp_max(x, 0.5)),
    ("clip_-1_2", lambda x: mu.clip(x, -1.0, 2.0)),
    ("d_clip_-1_2", lambda x: mu.d_clip(x, -1.0, 2.0)),
    ("threshold_soft_0.5", lambda x: mu.threshold_soft(x, 0.5)),
    ("normalize_matrix_o1_a0", lambda x: mu.normalize_matrix(x, 2.0, 1, 0)),
    ("normalize_matrix_o1_a1", lambda x: mu.normalize_matrix(x, 2.0, 1, 1)),
    ("normalize_matrix_o2_a0", lambda x: mu.normalize_matrix(x, 2.0, 2, 0)),
    ("normalize_matrix_o2_a1", lambda x: mu.normalize_matrix(x, 2.0, 2, 1)),
    ("layer_normalize_row0", lambda x: mu.layer_normalize(x[:1], 0.5, 2.0)),
])
def test_parameterised_matches_ngclearn(ref, key, call):
    x = jnp.asarray(np_arr(ref["activations"]["x"]))
    close(call(x), ref["activations"][key])  # expected: ngc-learn 3.2.3 output


def test_inverse_functions_match_ngclearn(ref):
    a = ref["activations"]
    close(mu.inverse_tanh(jnp.asarray(np_arr(a["x_unit"]))), a["inverse_tanh"])
    close(mu.inverse_logistic(jnp.asarray(np_arr(a["x_prob"]))), a["inverse_logistic"])


def test_inverse_logistic_explicit_clip_bound_works_where_ngclearn_fails(ref):
    # ngc-learn 3.2.3 raises when clip_bound is passed (Python `if` on a traced value)
    assert ref["activations"]["inverse_logistic_noclip"] == {"error": "TracerBoolConversionError"}
    p = jnp.asarray([0.01, 0.5, 0.99])
    # hand: ln(p / (1 - p + 1e-6)) without clipping
    close(mu.inverse_logistic(p, 0.0), np.log(np.array([0.01, 0.5, 0.99]) /
                                               (1 - np.array([0.01, 0.5, 0.99]) + 1e-6)),
          atol=1e-4)
    close(jax.jit(mu.inverse_logistic)(p, 0.03), mu.inverse_logistic(p))


def test_inverse_tanh_is_twice_artanh():
    x = jnp.asarray([-0.5, 0.0, 0.3])
    close(mu.inverse_tanh(x), 2 * np.arctanh([-0.5, 0.0, 0.3]))  # ngc-learn's definition


def test_threshold_cauchy_formula_where_ngclearn_fails(ref):
    assert ref["activations"]["threshold_cauchy_0.5"] == {"error": "TypeError"}
    # hand: lmbda = 0.5; x = 2 -> (2 + sqrt(3.5))/2; x = -1 -> (-1 - sqrt(0.5))/2; |x| < 0.5 -> 0
    out = mu.threshold_cauchy(jnp.asarray([2.0, -1.0, 0.3, -0.2]), 0.5)
    close(out, [(2 + math.sqrt(3.5)) / 2, (-1 - math.sqrt(0.5)) / 2, 0.0, 0.0])


def test_layer_normalize_is_per_row_unlike_ngclearn(ref):
    x = np_arr(ref["activations"]["x"])
    out = np.asarray(mu.layer_normalize(jnp.asarray(x), 0.5, 2.0))
    # hand: each row standardised by its own mean / population std, then *2 + 0.5
    expect = (x - x.mean(1, keepdims=True)) / x.std(1, keepdims=True) * 2.0 + 0.5
    close(out, expect, atol=1e-5)
    # ngc-learn 3.2.3 uses one std over the whole batch, so for 2 rows it differs
    assert not np.allclose(out, ref["activations"]["layer_normalize_batch"], atol=1e-3)


def test_drop_out_matches_ngclearn(ref):
    x = jnp.asarray(np_arr(ref["activations"]["x"]))
    out, mask = mu.drop_out(jax.random.PRNGKey(11), x, 0.3)
    close(out, ref["activations"]["drop_out_key11_rate0.3"]["out"])
    close(mask, ref["activations"]["drop_out_key11_rate0.3"]["mask"])
    m = np.asarray(mask)  # inverted drop-out: each entry is 0 or 1 / (1 - rate)
    assert np.all(np.isclose(m, 0.0) | np.isclose(m, 1 / 0.7))


# -------------------------------------------------------------------- hand-computed values
def test_hand_values():
    # each expectation is the docstring equation evaluated by hand
    close(mu.relu(jnp.asarray([-1.0, 0.0, 2.0])), [0.0, 0.0, 2.0])
    close(mu.d_relu(jnp.asarray([-1.0, 0.0, 2.0])), [0.0, 1.0, 1.0])  # relu'(0) := 1
    close(mu.lrelu(jnp.asarray([-2.0, 3.0])), [-0.02, 3.0])
    close(mu.relu6(jnp.asarray([-1.0, 3.0, 9.0])), [0.0, 3.0, 6.0])
    close(mu.d_relu6(jnp.asarray([-1.0, 0.0, 6.0, 6.5])), [0.0, 1.0, 1.0, 0.0])
    close(mu.sigmoid(jnp.asarray([0.0, math.log(3.0)])), [0.5, 0.75])  # 1/(1+1/3) = 0.75
    close(mu.d_sigmoid(jnp.asarray([0.0])), [0.25])
    close(mu.softplus(jnp.asarray([0.0, 100.0])), [math.log(2.0), 100.0])
    close(mu.elu(jnp.asarray([-1.0, 2.0]), 2.0), [2.0 * (math.exp(-1) - 1), 2.0])
    close(mu.telu(jnp.asarray([0.0, 1.0])), [0.0, math.tanh(math.e)])
    close(mu.d_telu(jnp.asarray([0.0])), [math.tanh(1.0)])  # tanh(e^0) + 0
    close(mu.sine(jnp.asarray([math.pi / 60])), [1.0])  # sin(30 * pi/60)
    close(mu.gelu(jnp.asarray([1.0])), [1.0 / (1.0 + math.exp(-1.702))])
    close(mu.softmax(jnp.asarray([[0.0, math.log(3.0)]])), [[0.25, 0.75]])
    close(mu.softmax(jnp.asarray([[0.0, math.log(3.0)]]), 0.5), [[0.1, 0.9]])  # 1:9
    close(mu.bkwta(jnp.asarray([[1.0, 5.0, 3.0, 4.0]]), 2), [[0.0, 1.0, 0.0, 1.0]])
    close(mu.heaviside(jnp.asarray([-0.1, 0.0])), [0.0, 1.0])
    close(mu.threshold(jnp.asarray([0.99, 1.0])), [0.0, 1.0])
    close(mu.threshold_soft(jnp.asarray([-2.0, 0.2, 1.5]), 0.5), [-1.5, 0.0, 1.0])
    close(mu.binarize(jnp.asarray([0.5, 0.51])), [0.0, 1.0])
    close(mu.clamp_min(jnp.asarray([-1.0, 2.0]), 0.0), [0.0, 2.0])
    close(mu.clamp_max(jnp.asarray([-1.0, 2.0]), 0.0), [-1.0, 0.0])
    close(mu.one_hot(jnp.asarray([[0.1, 0.7, 0.2], [0.5, 0.2, 0.3]])), [[0, 1, 0], [1, 0, 0]])
    # columns [3, 4] and [1, -1]: L1 norms 7 and 2 -> scaled to norm 1
    close(mu.normalize_matrix(jnp.asarray([[3.0, 1.0], [4.0, -1.0]]), 1.0, 1, 0),
          [[3 / 7, 0.5], [4 / 7, -0.5]])
    # L2 norms 5 and sqrt(2)
    close(mu.normalize_matrix(jnp.asarray([[3.0, 1.0], [4.0, -1.0]]), 1.0, 2, 0),
          [[0.6, 1 / math.sqrt(2)], [0.8, -1 / math.sqrt(2)]])


def test_d_softmax_is_jacobian():
    x = jnp.asarray([[0.3, -1.0, 2.0], [0.0, 0.5, 0.1]])
    jac = mu.d_softmax(x, 0.7)
    for b in range(2):
        expect = jax.jacobian(lambda v: mu.softmax(v[None], 0.7)[0])(x[b])
        close(jac[b], expect, atol=1e-6)


def test_d_identity_is_a_constant_one():
    # f(x) = x has slope 1 everywhere; computed as a constant (no product with x), XLA can drop
    # the multiplication by it in a cell's update (ngc-learn's x * 0 + 1 is NaN at inf / NaN)
    x = jnp.asarray([[-2.5, 0., 3.], [jnp.inf, -jnp.inf, jnp.nan]])
    out = mu.d_identity(x)
    assert out.dtype == x.dtype and out.shape == x.shape
    np.testing.assert_array_equal(np.asarray(out), np.ones((2, 3), np.float32))
    prims = {e.primitive.name for e in jax.make_jaxpr(mu.d_identity.__wrapped__)(x).eqns}
    assert not prims & {"mul", "add"}, prims
    assert mu.d_identity(jnp.arange(3)).dtype == jnp.float32   # ints: a float slope, as before


# -------------------------------------------------------------------- derivatives vs jax.grad
SMOOTH = [("tanh", mu.tanh, mu.d_tanh), ("sigmoid", mu.sigmoid, mu.d_sigmoid),
          ("softplus", mu.softplus, mu.d_softplus), ("silu", mu.silu, mu.d_silu),
          ("gelu", mu.gelu, mu.d_gelu), ("elu", mu.elu, mu.d_elu),
          ("telu", mu.telu, mu.d_telu), ("sine", mu.sine, mu.d_sine),
          ("relu", mu.relu, mu.d_relu), ("lrelu", mu.lrelu, mu.d_lrelu),
          ("relu6", mu.relu6, mu.d_relu6), ("identity", mu.identity, mu.d_identity),
          ("swish", lambda v: mu.swish(v, 1.3), lambda v: mu.d_swish(v, 1.3))]
_grad_fns = {n: jax.jit(jax.vmap(jax.grad(f))) for n, f, _ in SMOOTH}
_d_fns = {n: jax.jit(d) for n, _, d in SMOOTH}
xs = hnp.arrays(np.float32, (16,), elements=st.floats(-8, 8, width=32))


@pytest.mark.parametrize("name", [n for n, _, _ in SMOOTH])
@HSET
@given(x=xs)
def test_derivative_matches_autodiff(name, x):
    # kinks (0 for relu/lrelu, 0 and 6 for relu6) follow ngc-learn's one-sided convention;
    # compare away from them
    x = x[(np.abs(x) > 1e-3) & (np.abs(x - 6.0) > 1e-3)]
    x = np.concatenate([x, np.zeros(16 - len(x), np.float32) + 0.5])
    close(_d_fns[name](x), _grad_fns[name](x), atol=2e-4, rtol=1e-4)


@HSET
@given(x=hnp.arrays(np.float32, (3, 5), elements=st.floats(-30, 30, width=32)),
       tau=st.floats(0.1, 4.0))
def test_softmax_rows_are_distributions(x, tau):
    s = np.asarray(mu.softmax(jnp.asarray(x), tau))
    assert np.all(s >= 0) and np.allclose(s.sum(1), 1.0, atol=1e-5)
    # plain-numpy formula exp(x/tau) / sum exp(x/tau), with the max removed
    z = x.astype(np.float64) / tau
    e = np.exp(z - z.max(1, keepdims=True))
    close(s, e / e.sum(1, keepdims=True), atol=1e-5)


# -------------------------------------------------------------------- create_function
NAMES = ["tanh", "bkwta", "sine", "sigmoid", "relu", "lrelu", "relu6", "elu", "silu", "gelu",
         "telu", "softplus", "softmax", "unit_threshold", "heaviside", "heaviside_ste",
         "identity"]


@pytest.mark.parametrize("name", NAMES)
def test_create_function_matches_ngclearn(ref, name):
    x = jnp.asarray(np_arr(ref["activations"]["x"]))
    fx, dfx = mu.create_function(name)
    close(fx(x), ref["create_function"][name]["fx"])
    close(dfx(x), ref["create_function"][name]["dfx"])


@pytest.mark.parametrize("name", ["swish", "relu7"])
def test_create_function_unknown(ref, name):
    assert ref["create_function"][name] == {"error": "RuntimeError"}  # ngc-learn raises too
    with pytest.raises(ValueError, match="tanh.*identity"):
        mu.create_function(name)
    with pytest.raises(RuntimeError):  # still catchable the ngc-learn way
        mu.create_function(name)


def test_create_function_args():
    fx, dfx = mu.create_function("bkwta", args=1)
    close(fx(jnp.asarray([[1.0, 3.0, 2.0]])), [[0.0, 1.0, 0.0]])
    fx, dfx = mu.create_function("elu", args={"alpha": 2.0})
    close(fx(jnp.asarray([-1.0])), [2.0 * (math.exp(-1.0) - 1.0)])
    close(dfx(jnp.asarray([-1.0])), [2.0 * math.exp(-1.0)])
    fx, _ = mu.create_function("unit_threshold", args=0.5)
    close(fx(jnp.asarray([0.4, 0.5])), [0.0, 1.0])
    with pytest.raises(ValueError, match="no hyperparameter"):
        mu.create_function("tanh", args=2.0)


def test_every_listed_function_has_docstring_and_jits():
    x = jnp.linspace(-2.0, 2.0, 8).reshape(2, 4)
    for name in mu.__all__:
        f = getattr(mu, name)
        if not callable(f) or name in ("create_function", "UnknownFunctionError"):
            continue
        assert f.__doc__ and f.__doc__.strip(), name
    for f in (mu.relu, mu.d_elu, mu.softmax, mu.d_softmax, mu.layer_normalize, mu.clamp_min,
              mu.binarize, mu.one_hot, mu.threshold_cauchy, mu.inverse_logistic):
        args = (x, 0.5) if f in (mu.clamp_min, mu.threshold_cauchy) else (x,)
        close(jax.jit(f)(*args), f(*args))  # traced scalars work like Python ones


def test_tensorstats_and_pull_equations():
    s = mu.tensorstats(jnp.asarray([[1.0, -3.0], [2.0, 0.0]]))
    assert s["mean"] == 0.0 and s["mag"] == 3.0 and s["min"] == -3.0 and s["max"] == 2.0
    s = mu.tensorstats({"a": np.ones(2), "b": [np.zeros(2)]})
    assert s["mean"] == 0.5 and s["std"] == 0.5
    assert mu.tensorstats("text") is None

    class C:
        def __init__(self, eq=None):
            if eq:
                self.equation = eq

    class Ctrl:
        components = {"z": C("tau dz/dt = -z + j"), "W": C()}
    assert mu.pull_equations(Ctrl()) == "z:  tau dz/dt = -z + j"
