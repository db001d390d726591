"""The lab tests import their helpers as ``lab_helpers`` (a unique module name)."""
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from lab_helpers import tutorial  # noqa: E402
from ngclab.lab import Lab  # noqa: E402


@pytest.fixture
def lab():
    ctx, a, W, b, adv, rst = tutorial()
    return Lab(ctx, advance=adv, reset=rst, clamp={a.j: np.ones((1, 10))},
               watch=[b.zF, W.weights], steps_per_frame=50)
