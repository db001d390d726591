"""Measurements for analysing models: reconstruction/likelihood scores, classification scores,
and neuroscience statistics of spike trains.

Conventions (as in ngc-learn 3.2.3): inputs are (N x D) matrices, one sample per row. With
``preserve_batch=True`` a per-sample score comes back as an (N x 1) column; otherwise the mean
over samples comes back as a 0-d array. The squared/absolute "mean" errors sum over the D
dimensions of a sample and average over samples (the negative Gaussian / Laplacian
log-likelihood up to constants).

``analyze_scores`` needs no scikit-learn: its confusion matrix and macro precision/recall are
computed here with numpy, with scikit-learn's conventions (classes = sorted union of labels and
guesses; 0/0 counts as 0).
"""
from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

Array = jax.Array


def _per_sample(score: Array, preserve_batch: bool) -> Array:
    return score if preserve_batch else jnp.mean(score)


@functools.partial(jax.jit, static_argnames=("preserve_batch",))
def measure_MSE(mu: Array, x: Array, preserve_batch: bool = False) -> Array:
    """MSE(mu, x) = (1/N) sum_n sum_d (mu_nd - x_nd)^2   (per sample: sum_d (mu_nd - x_nd)^2)"""
    return _per_sample(jnp.sum(jnp.square(mu - x), axis=1, keepdims=True), preserve_batch)


@functools.partial(jax.jit, static_argnames=("preserve_batch",))
def measure_RMSE(mu: Array, x: Array, preserve_batch: bool = False) -> Array:
    """RMSE(mu, x) = sqrt(MSE(mu, x)) (the square root of what measure_MSE returns)"""
    return jnp.sqrt(measure_MSE(mu, x, preserve_batch))


@functools.partial(jax.jit, static_argnames=("preserve_batch",))
def measure_MAE(shift: Array, x: Array, preserve_batch: bool = False) -> Array:
    """MAE(shift, x) = (1/N) sum_n sum_d |shift_nd - x_nd|"""
    return _per_sample(jnp.sum(jnp.abs(shift - x), axis=1, keepdims=True), preserve_batch)


@functools.partial(jax.jit, static_argnames=("preserve_batch",))
def measure_BCE(p: Array, x: Array, offset: float = 1e-7,
                preserve_batch: bool = False) -> Array:
    """Binary cross entropy, p' = clip(p, offset, 1 - offset):

    | BCE_n = -sum_d [ x_nd ln p'_nd + (1 - x_nd) ln(1 - p'_nd) ]
    """
    pc = jnp.clip(p, offset, 1.0 - offset)
    bce = -jnp.sum(x * jnp.log(pc) + (1.0 - x) * jnp.log(1.0 - pc), axis=1, keepdims=True)
    return _per_sample(bce, preserve_batch)


@functools.partial(jax.jit, static_argnames=("preserve_batch",))
def measure_CatNLL(p: Array, x: Array, offset: float = 1e-7,
                   preserve_batch: bool = False) -> Array:
    """Categorical negative log-likelihood: NLL_n = -sum_c x_nc ln clip(p_nc, offset, 1-offset)"""
    pc = jnp.clip(p, offset, 1.0 - offset)
    return _per_sample(-jnp.sum(x * jnp.log(pc), axis=1, keepdims=True), preserve_batch)


@functools.partial(jax.jit, static_argnames=("preserve_batch",))
def measure_KLD(p_xHat: Array, p_x: Array, preserve_batch: bool = False) -> Array:
    """Raw KL divergence per row, divided by the number of categories C (ngc-learn's scaling):

    | KLD_n = (1/C) sum_c p_nc [ln p_nc - ln q_nc],  p = clip(p_x), q = clip(p_xHat),
    | clip to [1e-6, 1 - 1e-6]
    """
    p = jnp.clip(p_x, 1e-6, 1.0 - 1e-6)
    q = jnp.clip(p_xHat, 1e-6, 1.0 - 1e-6)
    kld = jnp.sum(p * (jnp.log(p) - jnp.log(q)), axis=1, keepdims=True) / p_x.shape[1]
    return _per_sample(kld, preserve_batch)


@functools.partial(jax.jit, static_argnames=("use_chol_prec",))
def measure_gaussian_KLD(mu1: Array, Sigma1: Array, mu2: Array, Sigma2: Array,
                         use_chol_prec: bool = True) -> Array:
    """KL(N(mu1, S1) || N(mu2, S2)) for D-dimensional Gaussians, mu given as (N x D) rows:

    | KL = (1/2) [ ln(det S2 / det S1) + tr(S2^-1 S1) + (mu2 - mu1) S2^-1 (mu2 - mu1)^T - D ]

    Returns an (N x 1) column (one value per mean row). With ``use_chol_prec`` the precision
    S2^-1 = C^-T C^-1 comes from the Cholesky factor S2 = C C^T, otherwise from a pseudo-inverse.
    (ngc-learn 3.2.3 adds the quadratic term twice; ngclab computes the formula above, so the two
    agree only when mu1 = mu2.)
    """
    D = mu1.shape[1]
    _, logdet1 = jnp.linalg.slogdet(Sigma1)
    _, logdet2 = jnp.linalg.slogdet(Sigma2)
    if use_chol_prec:
        c_inv = jnp.linalg.pinv(jnp.linalg.cholesky(Sigma2))
        prec2 = c_inv.T @ c_inv
    else:
        prec2 = jnp.linalg.pinv(Sigma2)
    dmu = mu2 - mu1
    quad = jnp.sum((dmu @ prec2) * dmu, axis=1, keepdims=True)
    return 0.5 * ((logdet2 - logdet1) + jnp.trace(prec2 @ Sigma1) + quad - D)


@functools.partial(jax.jit, static_argnames=("is_log",))
def measure_BIC(X: Array, n_model_params: int, max_model_score: Any,
                is_log: bool = True) -> Array:
    """Bayesian information criterion: BIC = -2 ln L + K ln N, N = rows of X, K = parameters.

    ``max_model_score`` is ln L if ``is_log`` else L (its log is taken).
    """
    ll = jnp.asarray(max_model_score, jnp.float32)
    ll = ll if is_log else jnp.log(ll)
    return -2.0 * ll + jnp.log(X.shape[0] * 1.0) * n_model_params


@functools.partial(jax.jit, static_argnames=("extract_label_indx",))
def measure_ACC(mu: Array, y: Array, extract_label_indx: bool = True) -> Array:
    """Accuracy = (1/N) sum_n [argmax_c mu_nc == label_n]; label_n = argmax_c y_nc if
    ``extract_label_indx`` else y_n (integer labels). (ngc-learn 3.2.3 fails when
    ``extract_label_indx=False``; here the labels are then used as given.)"""
    labels = jnp.argmax(y, axis=1) if extract_label_indx else jnp.reshape(y, (-1,))
    return jnp.sum(jnp.argmax(mu, axis=1) == labels) / (y.shape[0] * 1.0)


def analyze_scores(mu: Array, y: Array, extract_label_indx: bool = True
                   ) -> tuple[np.ndarray, float, float, Array, Array, Array]:
    """Classification summary of predictions ``mu`` (N x C) against targets ``y``.

    Returns (confusion matrix, macro precision, macro recall, misses, accuracy, adjusted
    accuracy), where confusion[i, j] counts samples of class k_i guessed as k_j (k = sorted union
    of true and guessed classes), precision_k = TP_k / (TP_k + FP_k), recall_k = TP_k /
    (TP_k + FN_k) (0 when the denominator is 0), misses = number of all-zero rows of mu, and the
    adjusted accuracy counts misses as wrong.
    """
    mu_np, y_np = np.asarray(mu), np.asarray(y)
    labels = np.argmax(y_np, axis=1) if extract_label_indx else np.reshape(y_np, (-1,))
    guesses = np.argmax(mu_np, axis=1)
    classes = np.union1d(labels, guesses)
    li, gi = np.searchsorted(classes, labels), np.searchsorted(classes, guesses)
    conf = np.zeros((len(classes), len(classes)), dtype=np.int64)
    np.add.at(conf, (li, gi), 1)
    tp = np.diag(conf).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        prec = np.where(conf.sum(0) > 0, tp / conf.sum(0), 0.0)
        rec = np.where(conf.sum(1) > 0, tp / conf.sum(1), 0.0)
    miss = (np.sum(mu_np, axis=1) == 0.0) * 1.0
    hit = (guesses == labels) * 1.0
    n = y_np.shape[0] * 1.0
    return (conf, float(prec.mean()), float(rec.mean()), jnp.asarray(miss.sum(), jnp.float32),
            jnp.asarray(hit.sum() / n, jnp.float32),
            jnp.asarray(np.sum(hit * (1.0 - miss)) / n, jnp.float32))


analyze_categorization_performance = analyze_scores


@functools.partial(jax.jit, static_argnames=("preserve_batch",))
def measure_firingRate(spikes: Array, preserve_batch: bool = False) -> Array:
    """Firing rate of each neuron over a (T x D) spike train: r_d = (1/T) sum_t s_td.

    Returns the (1 x D) rates, or their mean over neurons."""
    rates = jnp.sum(spikes, axis=0, keepdims=True) / (spikes.shape[0] * 1.0)
    return rates if preserve_batch else jnp.mean(rates)


@functools.partial(jax.jit, static_argnames=("preserve_batch",))
def measure_fanoFactor(spikes: Array, preserve_batch: bool = False) -> Array:
    """Fano factor of each neuron over a (T x D) train: F_d = Var_t[s_td] / E_t[s_td]
    (population variance; a silent neuron gives 0/0 = nan, as in ngc-learn).

    Returns (1 x D) factors, or their mean."""
    mu = jnp.mean(spikes, axis=0, keepdims=True)
    var = jnp.square(jnp.std(spikes, axis=0, keepdims=True))
    fano = var / mu
    return fano if preserve_batch else jnp.mean(fano)


@functools.partial(jax.jit, static_argnames=("preserve_batch",))
def measure_breadthOfTuningCurve(responses: Array, preserve_batch: bool = False) -> Array:
    """Breadth of tuning curve (BTC) of each neuron.

    ``responses`` is (B x T x D): B trials, T stimulus conditions, D neurons; a (T x D) matrix is
    read as one trial. With r = the trial-mean response (T x D):

    | C_d = Var_t[r_td] / E_t[r_td],  BTC_d = 1 / (1 + C_d^2),  BTC_d = 0 if E_t[r_td] = 0

    BTC > 0.5 means broad tuning (most conditions drive the neuron), < 0.5 sparse tuning.
    Returns the length-D vector of BTCs (squeezed, as in ngc-learn), or their mean.
    """
    r = responses[None] if responses.ndim == 2 else responses
    r = jnp.mean(r, axis=0, keepdims=True)
    mu = jnp.mean(r, axis=1, keepdims=True)
    var = jnp.square(jnp.std(r, axis=1, keepdims=True))
    c = var / jnp.where(mu == 0.0, 1.0, mu)
    btc = jnp.squeeze(jnp.where(mu == 0.0, 0.0, 1.0 / (1.0 + jnp.square(c))))
    return btc if preserve_batch else jnp.mean(btc)


def measure_breadth_TC(spikes: Array, preserve_batch: bool = False) -> Array:
    """Older name of :func:`measure_breadthOfTuningCurve` (ngc-learn 3.2.3 keeps it too)."""
    return measure_breadthOfTuningCurve(spikes, preserve_batch)


@functools.partial(jax.jit, static_argnames=("preserve_batch", "flip_measure",))
def measure_sparsity(codes: Array, tolerance: float = 0.0, preserve_batch: bool = True,
                     flip_measure: bool = False) -> Array:
    """Fraction of active units per code (row): rho_n = (1/D) sum_d [x_nd > tolerance].

    Near 0 means sparse codes, near 1 dense ones; ``flip_measure`` returns 1 - rho_n.
    Returns (N x 1) with ``preserve_batch`` (the default), else the mean over rows."""
    rho = jnp.sum((codes > tolerance).astype(jnp.float32), axis=1, keepdims=True) / (
        codes.shape[1] * 1.0)
    rho = 1.0 - rho if flip_measure else rho
    return rho if preserve_batch else jnp.mean(rho)


# --- agreement of two labelings (clustering scores) -------------------------------------------
# Labels may be any integers: they are renamed 0..K-1 by their sorted unique values before the
# contingency table is counted (so negative or gappy labels count like any others).

def _contingency(labels_true: Any, labels_pred: Any) -> np.ndarray:
    """n_ij = #{samples with true class i and predicted cluster j} (float64, classes x clusters)."""
    a, b = np.asarray(labels_true).ravel(), np.asarray(labels_pred).ravel()
    if a.shape != b.shape:
        raise ValueError(f"metric_utils: labels_true has {a.size} labels but labels_pred has "
                         f"{b.size}; both must label the same samples")
    _, ia = np.unique(a, return_inverse=True)
    _, ib = np.unique(b, return_inverse=True)
    table = np.zeros((ia.max(initial=-1) + 1, ib.max(initial=-1) + 1))
    np.add.at(table, (ia, ib), 1.0)
    return table


def _pairs(n: np.ndarray) -> np.ndarray:
    """C(n, 2) = n (n - 1) / 2, the number of pairs among n items (summed)."""
    return np.sum(n * (n - 1.0) / 2.0)


def _entropy(counts: np.ndarray, n: float) -> float:
    """H = -sum_k (c_k/N) ln(c_k/N) over the non-empty cells."""
    p = counts[counts > 0] / n
    return float(-np.sum(p * np.log(p)))


def measure_ARI(labels_true: Array, labels_pred: Array) -> Array:
    """Adjusted Rand index of two labelings of the same N samples:

    | a_i = sum_j n_ij,  b_j = sum_i n_ij,  C(x) = x (x - 1) / 2
    | index = sum_ij C(n_ij),  expected = sum_i C(a_i) sum_j C(b_j) / C(N)
    | ARI = (index - expected) / ((sum_i C(a_i) + sum_j C(b_j)) / 2 - expected)

    1 for identical partitions (whatever the label names), about 0 for chance agreement;
    1 when the denominator is 0 (both labelings all one cluster or all singletons; N <= 1)."""
    table = _contingency(labels_true, labels_pred)
    n = float(table.sum())
    if n <= 1:
        return jnp.asarray(1.0, dtype=jnp.float32)
    sum_a, sum_b = _pairs(table.sum(axis=1)), _pairs(table.sum(axis=0))
    expected = sum_a * sum_b / (n * (n - 1.0) / 2.0)
    denominator = (sum_a + sum_b) / 2.0 - expected
    ari = 1.0 if denominator == 0.0 else (_pairs(table) - expected) / denominator
    return jnp.asarray(ari, dtype=jnp.float32)


def measure_FMI(labels_true: Array, labels_pred: Array) -> Array:
    """Fowlkes-Mallows index, the geometric mean of pairwise precision and recall:

    | TP = sum_ij C(n_ij),  P_true = sum_i C(a_i),  P_pred = sum_j C(b_j)
    | FMI = TP / sqrt(P_true P_pred)   (0 when no pair shares a class or a cluster)"""
    table = _contingency(labels_true, labels_pred)
    denominator = np.sqrt(_pairs(table.sum(axis=1)) * _pairs(table.sum(axis=0)))
    fmi = 0.0 if denominator == 0.0 else _pairs(table) / denominator
    return jnp.asarray(fmi, dtype=jnp.float32)


def measure_Vmeasure(labels_true: Array, labels_pred: Array, beta: float = 1.0) -> Array:
    """V-measure, the weighted harmonic mean of homogeneity h and completeness c:

    | h = 1 - H(true | pred) / H(true),  c = 1 - H(pred | true) / H(pred)
    | H(true | pred) = H(true, pred) - H(pred),  H(pred | true) = H(true, pred) - H(true)
    | V = (1 + beta) h c / (beta h + c)

    h = 1 when H(true) = 0 and c = 1 when H(pred) = 0 (so one sample scores 1);
    beta > 1 weighs completeness more, beta < 1 homogeneity."""
    table = _contingency(labels_true, labels_pred)
    n = float(table.sum())
    if n == 0:
        return jnp.asarray(1.0, dtype=jnp.float32)
    h_true, h_pred = _entropy(table.sum(axis=1), n), _entropy(table.sum(axis=0), n)
    h_joint = _entropy(table.ravel(), n)
    homogeneity = 1.0 if h_true == 0.0 else 1.0 - (h_joint - h_pred) / h_true
    completeness = 1.0 if h_pred == 0.0 else 1.0 - (h_joint - h_true) / h_pred
    denominator = beta * homogeneity + completeness
    v = 0.0 if denominator == 0.0 else (1.0 + beta) * homogeneity * completeness / denominator
    return jnp.asarray(v, dtype=jnp.float32)


__all__ = ["measure_MSE", "measure_RMSE", "measure_MAE", "measure_BCE", "measure_CatNLL",
           "measure_KLD", "measure_gaussian_KLD", "measure_BIC", "measure_ACC", "analyze_scores",
           "analyze_categorization_performance", "measure_firingRate", "measure_fanoFactor",
           "measure_breadthOfTuningCurve", "measure_breadth_TC", "measure_sparsity",
           "measure_ARI", "measure_FMI", "measure_Vmeasure"]
