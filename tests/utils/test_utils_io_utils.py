"""ngclab.utils.io_utils: makedir and pickle-free serialize / deserialize."""
from __future__ import annotations

import json
import pickle

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ngclab.utils.io_utils import deserialize, makedir, makedirs, serialize


def test_makedir(tmp_path):
    makedir(str(tmp_path / "a" / "b" / "c"))
    makedir(str(tmp_path / "a" / "b" / "c"))  # existing: no error
    makedirs([str(tmp_path / "x"), str(tmp_path / "y" / "z")])
    assert (tmp_path / "a/b/c").is_dir() and (tmp_path / "y/z").is_dir()


def test_plain_data_roundtrip_is_json(tmp_path):
    obj = {"eta": 0.1, "name": "W1", "shape": (3, 4), "flags": [True, None], 3: "int key",
           ("a", 1): {"nested": [1, 2.5]}}
    f = tmp_path / "cfg.json"
    serialize(str(f), obj)
    header = json.loads(f.read_text())  # a readable JSON file with ngclab's header
    assert header["__ngclab__"] == "serialize" and header["version"] == 1
    back = deserialize(str(f))
    assert back == obj and isinstance(back["shape"], tuple)


def test_arrays_roundtrip_as_npz(tmp_path):
    W = jax.random.normal(jax.random.PRNGKey(0), (3, 2))
    obj = {"W": W, "b": np.arange(3, dtype=np.int16), "opt": ([jnp.zeros(2)], jnp.asarray(2.0)),
           "scalar": np.float32(1.5), "meta": {"eta": 0.01}}
    f = tmp_path / "params.bin"
    serialize(str(f), obj)
    assert f.exists() and not (tmp_path / "params.bin.npz").exists()
    with np.load(str(f), allow_pickle=False) as npz:  # loadable without pickle
        assert "__ngclab__" in npz.files
    back = deserialize(str(f))
    assert isinstance(back["W"], jax.Array) and isinstance(back["b"], np.ndarray)
    np.testing.assert_array_equal(back["W"], W)
    assert back["b"].dtype == np.int16 and back["b"].tolist() == [0, 1, 2]
    assert isinstance(back["opt"], tuple) and float(back["opt"][1]) == 2.0
    assert back["scalar"] == np.float32(1.5) and back["meta"] == {"eta": 0.01}


def test_refuses_foreign_files(tmp_path):
    cases = {"plain.json": json.dumps({"a": 1}).encode(), "junk.bin": b"\x80\x04garbage",
             "text.txt": b"hello"}
    p = tmp_path / "pickled.pkl"
    p.write_bytes(pickle.dumps({"a": 1}))
    np.savez(str(tmp_path / "other.npz"), x=np.ones(2))
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    for name in list(cases) + ["pickled.pkl", "other.npz"]:
        with pytest.raises(ValueError, match=name):
            deserialize(str(tmp_path / name))
    with pytest.raises(FileNotFoundError):
        deserialize(str(tmp_path / "missing"))


def test_unsupported_objects(tmp_path):
    with pytest.raises(TypeError, match="object"):
        serialize(str(tmp_path / "f"), {"fn": object()})
    with pytest.raises(TypeError, match="object-dtype"):
        serialize(str(tmp_path / "f"), np.array([{"a": 1}], dtype=object))
