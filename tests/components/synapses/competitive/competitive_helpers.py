"""Helpers of the competitive / Gerstner synapse tests: the ngc-learn reference cases of
tests/reference/competitive_reference.json, rebuilt and run in ngclab (with the plasticity
tests' case runner, which reads the same case layout)."""
from __future__ import annotations

import numpy as np

from tests.components.synapses.plasticity.plasticity_helpers import ATOL, comparable, value
from tests.helpers import reference


def cases() -> dict:
    """competitive_reference.json's cases by name (written under ngc-learn 3.2.3)."""
    return {c["name"]: c for c in reference("competitive")["cases"]}


def compare_record(spec, snaps, stale_after_reset=(), not_initially=()) -> int:
    """Assert every compartment ngc-learn recorded equals ngclab's after every step; returns
    how many values were compared.

    ``stale_after_reset``: compartments ngc-learn's reset leaves at their old value (its reset
    skips DenseSynapse's); ngclab's reset clears them. After a reset step they are checked as
    that: ngclab's zeros, ngc-learn's value unchanged from the step before.
    ``not_initially``: compartments whose construction value the caller checks itself."""
    n = 0
    for step, theirs_all in enumerate(spec["record"]):
        after_reset = step > 0 and spec["steps"][step - 1]["methods"] == ["reset"]
        for cname, entry in theirs_all.items():
            if step == 0 and cname in not_initially:
                continue
            mine, theirs = snaps[step][cname], value(entry)
            if after_reset and cname in stale_after_reset:
                np.testing.assert_array_equal(mine, np.zeros_like(mine))
                np.testing.assert_array_equal(theirs, value(spec["record"][step - 1][cname]))
                n += 1
                continue
            np.testing.assert_allclose(mine, comparable(mine, theirs), atol=ATOL, rtol=0,
                                       err_msg=f"{spec['name']} step {step} {cname}")
            n += 1
    return n
