"""Fixtures of the lab tests: a Lab on the tutorial circuit (tests/lab/lab_helpers.py)."""
import numpy as np
import pytest

from ngclab.lab import Lab
from tests.lab.lab_helpers import tutorial


@pytest.fixture
def lab():
    ctx, a, W, b, adv, rst = tutorial()
    return Lab(ctx, advance=adv, reset=rst, clamp={a.j: np.ones((1, 10))},
               watch=[b.zF, W.weights], steps_per_frame=50)
