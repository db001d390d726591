"""Helpers of the spiking tests: the ngc-learn reference file and comparisons."""
from tests_helpers import arr, assert_close, reference  # noqa: F401 (re-exported)


def spiking_ref() -> dict:
    """tests/reference/spiking_reference.json, written under ngc-learn 3.2.3."""
    return reference("spiking")
