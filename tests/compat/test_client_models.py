"""ngc-learn client code runs unchanged: tests/compat/client_models.py after the porting rule.

The model code is written once, for ngc-learn (ngclearn / ngcsimlib imports); here it runs after
the one rule "replace ngclearn and ngcsimlib by ngclab" (compat_porting.py). Expected numbers
come from the same file run under ngc-learn 3.2.3 (tests/reference/compat_reference.py ->
tests/reference/compat_reference.json, keys "pcn", "sc", "rbm"): per-step numbers of the first
mini-batch at atol 1e-5, numbers after training at atol 1e-4 (both with rtol 1e-5, for sums
over a mini-batch).

Every component is built with the default batch_size=1 and driven by mini-batches of 50.
"""
import re
import warnings

import numpy as np
import pytest

from tests.compat.compat_porting import HERE, port, ported_module
from tests.helpers import assert_close, reference


@pytest.fixture(scope="module")
def models():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # ngclab's OrderWarnings about the zoo's step orders
        return ported_module()


@pytest.fixture(scope="module")
def pcn(models):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return models.pcn_experiment()


@pytest.fixture(scope="module")
def sc(models):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return models.sc_experiment()


@pytest.fixture(scope="module")
def rbm(models):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return models.rbm_experiment()


def steps_close(got, want, what):
    assert len(got) == len(want), f"{what}: {len(got)} steps, ngc-learn {len(want)}"
    for k, (g, w) in enumerate(zip(got, want)):
        assert g.keys() == w.keys(), what
        for name in w:
            assert_close(g[name], w[name], f"{what} step {k} {name}", atol=1e-5)


def trained_close(got, want, keys, what):
    for name in keys:
        assert_close(got[name], want[name], f"{what} {name}", atol=1e-4)


def test_the_porting_rule_only_renames_the_imports():
    with open(f"{HERE}/client_models.py", encoding="utf-8") as fh:
        source = fh.read()
    ported = port(source)
    assert not re.search(r"\bngclearn\b|\bngcsimlib\b", ported)
    # the texts differ exactly where ngc-learn's package names stood
    names = re.findall(r"\b(?:ngclearn|ngcsimlib)\b", source)
    assert len(names) >= 10
    assert ported == re.sub(r"\bngclearn\b|\bngcsimlib\b", "ngclab", source)
    assert ported.count("ngclab") == source.count("ngclab") + len(names)


def test_the_ported_module_is_the_ngclab_one(models):
    import ngclab.components as C
    assert models.RateCell is C.RateCell and models.HebbianSynapse is C.HebbianSynapse
    assert issubclass(models.BernoulliStochasticCell, C.JaxComponent)
    # a model file names the custom cell by the class path ngc-learn writes for it
    from ngclab.core.component import registered_classes
    assert registered_classes()["client_models.BernoulliStochasticCell"] is \
        models.BernoulliStochasticCell


def test_pcn_batches_of_50_run_a_circuit_built_for_batch_one(models, pcn):
    model, _ = pcn
    assert model.z1.batch_size == 1 and model.W1.batch_size == 1
    x, y = models.unseen_digits()
    model.process(x, y, adapt_synapses=False)
    assert model.z1.z.shape == (50, 32) and model.e3.dmu.shape == (50, 10)
    model.reset.run()                         # reset goes back to the constructor's batch
    assert model.z1.z.shape == (1, 32)


def test_pcn_first_mini_batch_step_by_step(pcn):
    # compat_reference.json "pcn" / "first_batch": energy, sums of z1, z2, e3.dmu per step
    _, out = pcn
    want = reference("compat")["pcn"]
    steps_close(out["first_batch"], want["first_batch"], "pcn first batch")
    for name in ("W1_after_first_batch", "W3_after_first_batch", "b3_after_first_batch"):
        assert_close(out[name], want[name], f"pcn {name}", atol=1e-5)


def test_pcn_energies_and_accuracies_after_training(pcn):
    _, out = pcn
    want = reference("compat")["pcn"]
    trained_close(out, want, ("epoch_energy", "train_acc", "test_acc"), "pcn")
    assert out["test_acc"][-1] > 0.5          # it learns (10 classes: chance is 0.1)


def test_sparse_coding_first_mini_batch_step_by_step(sc):
    # compat_reference.json "sc" / "first_batch": e0.L and sums of z1, |z1| per step
    model, out = sc
    want = reference("compat")["sc"]
    assert out["n_patches"] == want["n_patches"] == 600
    assert_close(out["patch_sum"], want["patch_sum"], "patches", atol=1e-5)
    steps_close(out["first_batch"], want["first_batch"], "sc first batch")
    assert_close(out["W1_after_first_batch"], want["W1_after_first_batch"], "sc W1", atol=1e-5)
    assert model.z1.batch_size == 1


def test_sparse_coding_after_training(sc):
    model, out = sc
    want = reference("compat")["sc"]
    trained_close(out, want, ("epoch_L", "recon_mse"), "sc")
    # the dictionary's rows stay unit vectors (the renormalisation after each update)
    rows = np.linalg.norm(np.asarray(model.W1.weights.get()), axis=1)
    np.testing.assert_allclose(rows, 1., rtol=1e-5)
    assert model.z1.z.shape == (600, 24)      # the last call ran all patches as one batch


def test_harmonium_first_mini_batch(rbm):
    # compat_reference.json "rbm" / "first_batch": sums after one CD-1 step (Bernoulli samples
    # drawn from the same keys as ngc-learn's)
    model, out = rbm
    want = reference("compat")["rbm"]["first_batch"]
    assert out["first_batch"].keys() == want.keys()
    for name in want:
        assert_close(out["first_batch"][name], want[name], f"rbm {name}", atol=1e-5)
    assert model.z1.batch_size == 1 and model.z1.s.shape == (200, 32)   # energy of all 200


def test_harmonium_after_training(rbm):
    _, out = rbm
    want = reference("compat")["rbm"]
    trained_close(out, want, ("epoch_recon", "energy"), "rbm")
