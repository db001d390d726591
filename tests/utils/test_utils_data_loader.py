"""ngclab.utils.data_loader.DataLoader against ngc-learn 3.2.3 and its contract."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ngclab.utils.data_loader import DataLoader
from tests.helpers import close, np_arr

KW = {"shuffle_equal": {}, "shuffle_unequal": {"ensure_equal_batches": False},
      "noshuffle_equal": {"disable_shuffle": True}}


@pytest.mark.parametrize("case", list(KW))
def test_batches_match_ngclearn(ref, case):
    r = ref["data_loader"]
    X, Y = jnp.asarray(np_arr(r["X"])), jnp.asarray(np_arr(r["Y"]))
    loader = DataLoader([("x", X), ("y", Y)], batch_size=4, key=jax.random.PRNGKey(3), **KW[case])
    for epoch in r["cases"][case]:  # two passes: the key advances between them
        batches = list(loader)
        assert len(batches) == len(epoch)
        for ours, theirs in zip(batches, epoch):
            assert [ours[0][0], ours[1][0]] == theirs["names"]
            close(ours[0][1], theirs["x"])  # ngc-learn 3.2.3 batch for the same key
            close(ours[1][1], theirs["y"])


def test_sampling_without_replacement_and_padding():
    X = np.arange(10, dtype=np.float32)[:, None]
    seen = [np.asarray(b[0][1]).ravel() for b in DataLoader([("x", X)], 4, key=0)]
    assert [len(s) for s in seen] == [4, 4, 4]
    first_pass = np.concatenate(seen)[:10]
    assert sorted(first_pass.tolist()) == list(range(10))  # each sample exactly once
    # the 2 padding rows of the last batch repeat the first two of the pass
    np.testing.assert_array_equal(seen[2][2:], seen[0][:2])
    short = [len(b[0][1]) for b in DataLoader([("x", X)], 4, ensure_equal_batches=False, key=0)]
    assert short == [4, 4, 2]


def test_determinism_and_numpy_inputs():
    X = np.arange(20, dtype=np.float32).reshape(10, 2)
    a = [b[0][1] for b in DataLoader([("x", X)], 3, key=7)]
    b = [b[0][1] for b in DataLoader([("x", X)], 3, key=jax.random.PRNGKey(7))]
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
        assert isinstance(u, np.ndarray)  # numpy in, numpy out
    loader = DataLoader([("x", X)], 3, key=7)
    e1 = np.concatenate([b[0][1] for b in loader])
    e2 = np.concatenate([b[0][1] for b in loader])
    assert not np.array_equal(e1, e2)  # a new permutation each pass
    assert len(loader) == 4


def test_errors():
    with pytest.raises(ValueError, match="at least one"):
        DataLoader([], 2)
    with pytest.raises(ValueError, match="batch size 5"):
        DataLoader([("x", np.zeros((3, 1)))], 5)
    with pytest.raises(ValueError, match="'y' has 2 rows"):
        DataLoader([("x", np.zeros((3, 1))), ("y", np.zeros((2, 1)))], 1)
