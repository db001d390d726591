"""KNNProbe: a k-nearest-neighbour read-out of flattened embeddings (ngc-learn 3.2.3's
``KNNProbe``). ``update(X, Y)`` stores the examples; ``process(x)`` finds the K stored examples
nearest to each x and combines their targets:

| distance: Minkowski ||x - m||_p (p = 2 "euclidean", 1 "manhattan", inf "chebyshev"), or
|   cosine similarity x.m / ((||x|| + 1e-12)(||m|| + 1e-12)) ("cosine", larger = nearer)
| classifier: one_hot(argmax_c sum_{k nearest} Y_kc)   (vote_style "mode" or "mean" alike)
| regressor:  mean_{k nearest} Y_k

Differences from ngc-learn 3.2.3, where it is broken: its ``fit`` fails (``update`` returns
nothing there) and would keep only the last batch; ngclab's ``fit`` stores the whole data set
and returns the accuracy on the dev set (or the training set). Unknown distance names,
predictor types and vote styles raise a ValueError (ngc-learn silently uses Minkowski / a
classifier / the mode).
"""
from __future__ import annotations

import warnings
from functools import partial

import jax
import jax.numpy as jnp
from jax import lax, random

from ngclab.utils.analysis.probe import Probe, as_sequences, flatten_sequences

DISTANCES = {"minkowski": None, "euclidean": 2, "manhattan": 1, "chebyshev": jnp.inf,
             "cosine": 2}


@partial(jax.jit, static_argnums=(2, 3, 4))
def _nearest(x, memory, K, dist_order=2, dist_metric="minkowski"):
    """(closeness values, indices) of the K stored rows nearest to each row of x."""
    if dist_metric == "cosine":
        eps = 1e-12
        closeness = (x / (jnp.linalg.norm(x, axis=1, keepdims=True) + eps)) @ \
            (memory / (jnp.linalg.norm(memory, axis=1, keepdims=True) + eps)).T
    else:
        closeness = -jnp.linalg.norm(x[:, None, :] - memory[None, :, :], ord=dist_order, axis=2)
    return lax.top_k(closeness, K)


class KNNProbe(Probe):
    """A k-nearest-neighbour probe.

    Args:
        dkey: JAX PRNG key
        source_seq_length, input_dim, out_dim: the embeddings' (T, D) and the targets' width
        batch_size: (Default: 1)
        num_neighbors: K (Default: 1; the old keyword ``K`` still works, with a warning)
        distance_function: (name, order): ("minkowski", p), ("euclidean", _), ("manhattan", _),
            ("chebyshev", _) or ("cosine", _) (Default: ("minkowski", 2))
        predictor_type: "classifier" or "regressor" (Default: "classifier")
        vote_style: "mode" or "mean" (Default: "mode")
    """

    def __init__(self, dkey, source_seq_length, input_dim, out_dim, batch_size=1,
                 num_neighbors=1, distance_function=("minkowski", 2),
                 predictor_type="classifier", vote_style="mode", **kwargs):
        if "K" in kwargs:
            warnings.warn("KNNProbe: K is deprecated, use num_neighbors", DeprecationWarning,
                          stacklevel=2)
            num_neighbors = kwargs.pop("K")
        super().__init__(dkey, batch_size, **kwargs)
        self.dkey, *_ = random.split(self.dkey, 3)
        self.source_seq_length, self.input_dim, self.out_dim = source_seq_length, input_dim, \
            out_dim
        if isinstance(num_neighbors, bool) or not isinstance(num_neighbors, int) \
                or num_neighbors < 1:
            raise ValueError(f"KNNProbe: num_neighbors must be an int >= 1, got {num_neighbors!r}")
        self.K = num_neighbors
        name, order = distance_function
        key = next((k for k in DISTANCES if k in str(name).lower()), None)
        if key is None:
            raise ValueError(f"KNNProbe: unknown distance_function {name!r}; valid: "
                             f"{', '.join(DISTANCES)}")
        self.distance_function = distance_function
        self.dist_metric = "cosine" if key == "cosine" else "minkowski"
        self.dist_order = order if DISTANCES[key] is None else DISTANCES[key]
        for what, value, valid in (("predictor_type", predictor_type, ("classifier", "regressor")),
                                   ("vote_style", vote_style, ("mode", "mean"))):
            if value not in valid:
                raise ValueError(f"KNNProbe: unknown {what} {value!r}; valid: {', '.join(valid)}")
        self.predictor_type, self.vote_style = predictor_type, vote_style
        self.pred_fx = 1 if predictor_type == "regressor" else 0
        self.vote_fx = 1 if vote_style == "mean" else 0
        self.probe_params = (jnp.ones((1, 1)), jnp.ones((1, 1)))  # (stored X, stored Y)

    def process(self, embeddings, dkey=None):
        memory, targets = self.probe_params
        _, idx = _nearest(flatten_sequences(embeddings), memory, self.K, self.dist_order,
                          self.dist_metric)
        votes = jnp.sum(targets[idx], axis=1)  # (B, C): summed targets of the K neighbours
        if self.pred_fx == 1:
            return votes / self.K
        return jax.nn.one_hot(jnp.argmax(votes, axis=1), num_classes=targets.shape[1])

    def update(self, embeddings, labels, dkey=None):
        """Store the examples (a K-NN learns by remembering); returns (0, predictions)."""
        self.probe_params = (flatten_sequences(embeddings), jnp.asarray(labels))
        return 0.0, self.process(embeddings)

    def fit(self, dataset, dev_dataset=None, n_iter=50, patience=20):
        """Store ``dataset``; returns the accuracy on ``dev_dataset`` (or on ``dataset``)."""
        data, labels = dataset
        self.probe_params = (flatten_sequences(as_sequences(data)), jnp.asarray(labels))
        X, Y = (data, labels) if dev_dataset is None else dev_dataset
        out = self.predict(X)
        return jnp.mean(jnp.argmax(out, axis=1) == jnp.argmax(jnp.asarray(Y), axis=1))


__all__ = ["KNNProbe"]
