"""ngclab.utils as a package: the seed-002 module names, and no dependency on ngc-learn."""
from __future__ import annotations

import importlib
import pathlib

import pytest

SEED_MODULES = ["data_loader", "distribution_generator", "io_utils", "metric_utils",
                "model_utils", "patch", "patch_utils", "surrogate_fx", "optim"]
UTILS_DIR = pathlib.Path(__file__).resolve().parents[2] / "ngclab" / "utils"


@pytest.mark.parametrize("name", SEED_MODULES)
def test_seed_module_imports(name):
    mod = importlib.import_module(f"ngclab.utils.{name}")
    assert mod.__doc__ and mod.__doc__.strip()


def test_package_exports():
    import ngclab.utils as u
    from ngclab.utils.optim import get_opt_init_fn, get_opt_step_fn  # noqa: F401
    assert callable(u.DistributionGenerator.uniform) and callable(u.initialize_params)
    assert callable(u.tensorstats)


def test_no_ngclearn_or_sklearn_or_pickle_imports():
    for path in UTILS_DIR.rglob("*.py"):
        text = path.read_text()
        for banned in ("import ngclearn", "from ngclearn", "sklearn", "import pickle",
                       "allow_pickle=True"):
            assert banned not in text, f"{path.name} contains {banned!r}"
