"""Shared fixtures: the ngc-learn tutorial circuit a -> Wab -> b."""
import functools
import os
import re

import pytest

# Tests run on the CPU with float32, as ngc-learn's reference values were computed.
os.environ.setdefault("JAX_PLATFORMS", "cpu")

# Most of the suite's time is XLA compiling small programs, and many tests, the notebook kernels
# they start and the two pytest workers compile the same ones. JAX's persistent compilation cache
# (keyed by the program and the compiler's version and options, so a hit is the same executable)
# lets every process after the first load them from disk. Set through the environment so that
# subprocesses (papermill and nbval kernels, nbgrader, the CLI) share it; pytest's cache folder
# holds it (``pytest --cache-clear`` empties it). Set JAX_COMPILATION_CACHE_DIR yourself to move it.
_JAX_CACHE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                          ".pytest_cache", "jax-compilation-cache")
os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", _JAX_CACHE)
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES", "0")

from tests.helpers import build_tutorial  # noqa: E402  (after JAX_PLATFORMS, before jax starts)


@pytest.fixture
def tutorial():
    return build_tutorial()


# -- spreading the suite over pytest-xdist's workers (``--dist loadgroup`` in pyproject.toml) -----
# Tests go to the workers one by one, except those of a file that declares a module-scoped fixture
# (a JupyterLab server, a trained model, a graded course): a file like that stays on one worker, so
# its fixture is built once. (xdist's own loadgroup reads ``xdist_group`` marks by rewriting node
# ids, which pytest 9 no longer allows; the scheduler below groups by file instead.) xdist starts
# the biggest groups first; among the single tests the slow folders listed here go first, so that
# no long test starts last and runs alone at the end.
SLOW_FIRST = ("tests/notebooks/", "tests/bench/", "tests/binder/", "tests/compat/",
              "tests/core/test_batch.py")
_SHARED_FIXTURE = re.compile(r"@pytest\.fixture\([^)]*scope=[\"'](module|package|class)[\"']")


@functools.lru_cache(maxsize=None)
def _shares_fixtures(path: str) -> bool:
    try:
        return bool(_SHARED_FIXTURE.search(open(path, encoding="utf-8").read()))
    except OSError:
        return False


def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling
    root = str(config.rootpath)

    class SharedFixtureScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return path if _shares_fixtures(os.path.join(root, path)) else nodeid

    return SharedFixtureScheduling(config, log)


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda it: not it.nodeid.startswith(SLOW_FIRST))
