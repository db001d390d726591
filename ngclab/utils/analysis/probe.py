"""Probe: the fitting and batched-prediction loops every probe shares (ngc-learn 3.2.3's
``Probe``). Embeddings are (N, T, D) sequences or (N, D) vectors (taken as T = 1); labels are
(N, C) (one-hot for classifiers).

| predict(data): process(batch) for consecutive batches of ``batch_size`` (the last one
|   possibly shorter), concatenated
| fit((X, Y), dev): per epoch: shuffle with the probe's key, update(batch) on every batch
|   (the data padded to a multiple of batch_size with its first rows), accuracy =
|   fraction of argmax(prediction) == argmax(label); the best accuracy (on the dev set if
|   given, else on the training epoch) is returned; stops after ``patience`` epochs without
|   a better one

Difference from ngc-learn 3.2.3, where it is broken: its ``predict`` drops the last partial
batch, so predictions are missing for the last N mod batch_size rows (and ``fit`` with a dev
set of such a size fails comparing shapes); ngclab predicts every row.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import random


def as_sequences(data) -> jax.Array:
    """(N, D) -> (N, 1, D); (N, T, D) unchanged."""
    data = jnp.asarray(data)
    return data[:, None, :] if data.ndim < 3 else data


def flatten_sequences(embeddings) -> jax.Array:
    """(N, T, D) -> (N, T D); (N, D) unchanged."""
    embeddings = jnp.asarray(embeddings)
    return embeddings.reshape(embeddings.shape[0], -1) if embeddings.ndim > 2 else embeddings


class Probe:
    """Base of the probes.

    Args:
        dkey: JAX PRNG key
        batch_size: examples per update / per prediction call (Default: 1)
        dev_batch_size: examples per call when predicting the dev set (Default: 1)
    """

    def __init__(self, dkey, batch_size=1, dev_batch_size=1, **kwargs):
        who = type(self).__name__
        for name, v in (("batch_size", batch_size), ("dev_batch_size", dev_batch_size)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ValueError(f"{who}: {name} must be an int >= 1, got {v!r}")
        self.dkey = dkey
        self.batch_size = batch_size
        self.dev_batch_size = dev_batch_size

    def process(self, embeddings, dkey=None):
        """The probe's outputs for a batch of embeddings."""
        return None

    def update(self, embeddings, labels, dkey=None):
        """Adapt to one batch; returns (loss, outputs)."""
        return None, None

    def predict(self, data, batch_size=None):
        """Outputs for every row of ``data``, computed ``batch_size`` rows at a time."""
        size = self.batch_size if batch_size is None else batch_size
        X = as_sequences(data)
        outs = [self.process(X[s:s + size], dkey=None) for s in range(0, X.shape[0], size)]
        return jnp.concatenate(outs, axis=0)

    def fit(self, dataset, dev_dataset=None, n_iter=50, patience=20):
        """Fit to ``dataset`` = (X, Y); returns the best accuracy seen."""
        data, labels = dataset
        dev_data, dev_labels = (None, None) if dev_dataset is None else dev_dataset
        X, Y = as_sequences(data), jnp.asarray(labels)
        extra = X.shape[0] % self.batch_size
        if extra > 0:  # pad with the first rows so that every batch is full
            X = jnp.concatenate((X, X[:extra]), axis=0)
            Y = jnp.concatenate((Y, Y[:extra]), axis=0)
        n = X.shape[0]
        impatience, best = 0, 0.0
        for epoch in range(n_iter):
            self.dkey, sub = random.split(self.dkey, 2)
            order = random.permutation(sub, n)
            Xs, Ys = X[order], Y[order]
            loss_sum, hits = 0.0, 0.0
            for s in range(0, n, self.batch_size):
                xb, yb = Xs[s:s + self.batch_size], Ys[s:s + self.batch_size]
                self.dkey, sub = random.split(self.dkey, 2)
                loss, out = self.update(xb, yb, dkey=sub)
                hits = hits + jnp.sum(jnp.argmax(out, axis=1) == jnp.argmax(yb, axis=1))
                loss_sum = loss_sum + loss * xb.shape[0]
            line = f"\r{epoch} L = {loss_sum / n:.4f} Acc = {hits / n:.4f}"
            if dev_data is not None:
                line += f"  Dev.Acc = {best:.4f}"
            if hasattr(self, "eta"):
                line += f"  LR = {self.eta:.6f}"
            print(line, end="")
            acc = hits / n
            impatience += 1
            if dev_data is not None:
                out = self.predict(dev_data, batch_size=self.dev_batch_size)
                acc = jnp.mean(jnp.argmax(out, axis=1) == jnp.argmax(jnp.asarray(dev_labels),
                                                                      axis=1))
            if acc > best:
                best, impatience = acc, 0
            if impatience > patience:
                break
        print()
        return best
