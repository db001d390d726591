"""AttentiveProbe: a learned query attends over the embedding sequence, then a self-attention
block and a residual MLP read out the result (ngc-learn 3.2.3's ``AttentiveProbe``; trained with
Adam).

| cross_attention(q_in, kv): Q = q_in Wq + bq, K = kv Wk + bk, V = kv Wv + bv, split into H heads
|   of width E = width / H;  A = softmax(Q K^T / sqrt(E)) (masked entries -> -inf), dropout(A);
|   out = concat_heads(A V) Wout + bout
| f = cross_attention(LN_in(query), LN_in2(x))          (LN_in only if use_LN_input)
| f = f + cross_attention_self(LN(f), LN(f));  f = f[:, 0]       (LN only if use_LN)
| h = gelu(LN1(f) Wh1 + bh1);  h = gelu(LN2(h) Wh2 + bh2);  f = f + LN3(h) Wh3 + bh3
| y = f Wy + by;  y <- softmax(y) if use_softmax
| loss = -mean_n sum_c t_nc log max(y_nc, 1e-5)  (softmax)  or  mean_n sum_c (y_nc - t_nc)^2
| weights and biases ~ N(0, 0.02^2) (25 keys split from dkey, as ngc-learn), LN shifts 0 and
| scales 1, query 0; eta <- max(min_eta, eta (1 - eta_decay)) after every update

``probe_params`` keeps ngc-learn's 37-entry layout (query, cross-attention, self-attention, LN,
MLP, output, input-LN parameters).

Differences from ngc-learn 3.2.3, where it is broken: its learnable query has one row per
batch position (shape (batch_size, 1, dim)), so each position of a batch learns its own query
and batches of another size (the dev batches, a last partial batch) fail; ngclab learns one
query (1, 1, dim) shared by every example. Its layer normalisation of the (B, 1, dim)
attention output subtracts the mean over the length-1 sequence axis, which zeroes the features
when use_LN (the default); ngclab normalises each example's feature vector (ngclab's
``layer_normalize``). With use_LN=False the outputs and gradients are ngc-learn's (the query's
gradient is the sum of ngc-learn's per-position ones).
"""
from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
from jax import random

from ngclab.utils.analysis.probe import Probe
from ngclab.utils.model_utils import drop_out, gelu, layer_normalize
from ngclab.utils.optim.adam import adam_init, adam_step


def masked_fill(x: jax.Array, mask: jax.Array, value=0) -> jax.Array:
    """x with ``value`` where ``mask`` is True."""
    return jnp.where(mask, jnp.broadcast_to(value, x.shape), x)


@partial(jax.jit, static_argnums=(5, 6))
def cross_attention(dkey, params, x1, x2, mask, n_heads: int = 8, dropout_rate: float = 0.0):
    """Multi-head attention of queries x1 (B, T, Dq) over keys/values x2 (B, S, Dkv); ``mask``
    (B, T, S) True = not attended, or None. Returns (B, T, Dout)."""
    Wq, bq, Wk, bk, Wv, bv, Wout, bout = params
    B, T, _ = x1.shape
    S = x2.shape[1]

    def heads(z, length):  # (B, L, H E) -> (B, H, L, E)
        return z.reshape(B, length, n_heads, -1).transpose(0, 2, 1, 3)

    q, k, v = heads(x1 @ Wq + bq, T), heads(x2 @ Wk + bk, S), heads(x2 @ Wv + bv, S)
    score = jnp.einsum("bhte,bhse->bhts", q, k) / jnp.sqrt(q.shape[-1])
    if mask is not None:
        score = masked_fill(score, mask[:, None, :, :], value=-jnp.inf)
    score = jax.nn.softmax(score, axis=-1).astype(q.dtype)
    if dropout_rate > 0.0:
        score, _ = drop_out(dkey, score, rate=dropout_rate)
    out = jnp.einsum("bhts,bhse->bhte", score, v).transpose(0, 2, 1, 3).reshape(B, T, -1)
    return out @ Wout + bout


@partial(jax.jit, static_argnums=(4, 5, 6, 7, 8))
def run_attention_probe(dkey, params, encodings, mask, n_heads: int, dropout: float = 0.0,
                        use_LN=False, use_LN_input=False, use_softmax=True):
    """(outputs (B, C), features (B, dim)) of the probe for ``encodings`` (B, S, D)."""
    (query, Wq, bq, Wk, bk, Wv, bv, Wout, bout, Wqs, bqs, Wks, bks, Wvs, bvs, Wouts, bouts,
     ln_attn_mu, ln_attn_scale, Wh1, bh1, ln1_mu, ln1_scale, Wh2, bh2, ln2_mu, ln2_scale, Wh3,
     bh3, ln3_mu, ln3_scale, Wy, by, ln_q_mu, ln_q_scale, ln_x_mu, ln_x_scale) = params
    key_cross, key_self = random.split(dkey, 2)
    query = jnp.broadcast_to(query, (encodings.shape[0],) + query.shape[1:])
    if use_LN_input:
        query = layer_normalize(query, ln_q_mu, ln_q_scale)
        encodings = layer_normalize(encodings, ln_x_mu, ln_x_scale)
    f = cross_attention(key_cross, (Wq, bq, Wk, bk, Wv, bv, Wout, bout), query, encodings,
                        mask, n_heads, dropout)
    g = layer_normalize(f, ln_attn_mu, ln_attn_scale) if use_LN else f
    f = f + cross_attention(key_self, (Wqs, bqs, Wks, bks, Wvs, bvs, Wouts, bouts), g, g, None,
                            n_heads, dropout)
    f = f[:, 0]
    ln = (lambda z, m, s: layer_normalize(z, m, s)) if use_LN else (lambda z, m, s: z)
    h = gelu(ln(f, ln1_mu, ln1_scale) @ Wh1 + bh1)
    h = gelu(ln(h, ln2_mu, ln2_scale) @ Wh2 + bh2)
    f = f + ln(h, ln3_mu, ln3_scale) @ Wh3 + bh3
    y = f @ Wy + by
    return (jax.nn.softmax(y) if use_softmax else y), f


@partial(jax.jit, static_argnums=(5, 6, 7, 8, 9))
def eval_attention_probe(dkey, params, encodings, labels, mask, n_heads: int,
                         dropout: float = 0.0, use_LN=False, use_LN_input=False,
                         use_softmax=True):
    """(loss, outputs) of the probe on ``encodings`` and targets ``labels``."""
    y, _ = run_attention_probe(dkey, params, encodings, mask, n_heads, dropout, use_LN,
                               use_LN_input, use_softmax)
    if use_softmax:
        return -jnp.mean(jnp.sum(jnp.log(y.clip(min=1e-5)) * labels, axis=1, keepdims=True)), y
    return jnp.mean(jnp.sum(jnp.square(y - labels), axis=1, keepdims=True)), y


class AttentiveProbe(Probe):
    """An attentive probe.

    Args:
        dkey: JAX PRNG key
        source_seq_length: S, the embeddings' sequence length
        input_dim: D, the embeddings' width
        out_dim: C, the number of outputs
        num_heads: attention heads (Default: 8)
        attn_dim: width of the cross-attention projections, a multiple of num_heads (Default: 64)
        target_seq_length: query length (Default: 1)
        learnable_query_dim: width of the query and of the features, a multiple of num_heads
            (Default: 32)
        batch_size: examples per update (Default: 1)
        hid_dim: accepted, unused (the MLP widths are learnable_query_dim and 4x it, as in
            ngc-learn)
        use_LN, use_LN_input: layer normalisation inside / of the inputs (Default: True, False)
        use_softmax: softmax outputs and cross-entropy loss (Default: True)
        dropout: attention drop-out rate during updates (Default: 0.5)
        eta, eta_decay, min_eta: Adam step size and its decay per update (Default: 0.0002, 0,
            1e-5)
    """

    def __init__(self, dkey, source_seq_length, input_dim, out_dim, num_heads=8, attn_dim=64,
                 target_seq_length=1, learnable_query_dim=32, batch_size=1, hid_dim=32,
                 use_LN=True, use_LN_input=False, use_softmax=True, dropout=0.5, eta=0.0002,
                 eta_decay=0.0, min_eta=1e-5, **kwargs):
        super().__init__(dkey, batch_size, **kwargs)
        for name, width in (("attn_dim", attn_dim), ("learnable_query_dim", learnable_query_dim)):
            if width % num_heads != 0:
                raise ValueError(f"AttentiveProbe: {name} ({width}) must be a multiple of "
                                 f"num_heads ({num_heads})")
        self.dkey, *keys = random.split(self.dkey, 26)
        self.num_heads, self.source_seq_length = num_heads, source_seq_length
        self.input_dim, self.out_dim = input_dim, out_dim
        self.use_softmax, self.use_LN, self.use_LN_input = use_softmax, use_LN, use_LN_input
        self.dropout = dropout
        q, a = learnable_query_dim, attn_dim
        shapes = [(q, a), (1, a), (input_dim, a), (1, a), (input_dim, a), (1, a), (a, q), (1, q),
                  (q, q), (1, q), (q, q), (1, q), (q, q), (1, q), (q, q), (1, q)]
        attn = [random.normal(k, s) * 0.02 for k, s in zip(keys[:16], shapes)]
        mlp_shapes = [(q, q), (1, q), (q, 4 * q), (1, 4 * q), (4 * q, q), (1, q), (q, out_dim),
                      (1, out_dim)]
        Wh1, bh1, Wh2, bh2, Wh3, bh3, Wy, by = [random.normal(k, s) * 0.02
                                                for k, s in zip(keys[16:24], mlp_shapes)]
        ones, zeros = jnp.ones, jnp.zeros
        self.probe_params = (
            zeros((1, target_seq_length, q)), *attn[:8], *attn[8:], zeros((1, q)), ones((1, q)),
            Wh1, bh1, zeros((1, q)), ones((1, q)), Wh2, bh2, zeros((1, q)), ones((1, q)),
            Wh3, bh3, zeros((1, 4 * q)), ones((1, 4 * q)), Wy, by,
            zeros((1, q)), ones((1, q)), zeros((1, input_dim)), ones((1, input_dim)))
        self.mask = np.zeros((batch_size, target_seq_length, source_seq_length), bool)
        self.dev_mask = np.zeros((self.dev_batch_size, target_seq_length, source_seq_length),
                                 bool)
        self.grad_fx = jax.value_and_grad(eval_attention_probe, argnums=1, has_aux=True)
        self.optim_params = adam_init(self.probe_params)
        self.eta, self.eta_decay, self.min_eta = eta, eta_decay, min_eta
        self.noise_key = keys[24]

    def _mask(self, embeddings):
        return jnp.zeros((embeddings.shape[0], self.probe_params[0].shape[1],
                          embeddings.shape[1]), bool)

    def _noise(self, dkey):
        return self.noise_key if dkey is None else random.split(dkey, 2)[1]

    def process(self, embeddings, dkey=None):
        outs, _ = run_attention_probe(self._noise(dkey), self.probe_params, embeddings,
                                      self._mask(embeddings), self.num_heads, 0.0,
                                      use_LN=self.use_LN, use_LN_input=self.use_LN_input,
                                      use_softmax=self.use_softmax)
        return outs

    def update(self, embeddings, labels, dkey=None):
        (loss, outputs), grads = self.grad_fx(
            self._noise(dkey), self.probe_params, embeddings, labels, self._mask(embeddings),
            self.num_heads, self.dropout, self.use_LN, self.use_LN_input, self.use_softmax)
        self.optim_params, params = adam_step(self.optim_params, list(self.probe_params),
                                              list(grads), eta=self.eta)
        self.probe_params = tuple(params)
        self.eta = max(self.min_eta, self.eta - self.eta_decay * self.eta)
        return loss, outputs


__all__ = ["AttentiveProbe", "cross_attention", "run_attention_probe", "eval_attention_probe",
           "masked_fill"]
