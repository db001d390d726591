"""Second half of utils_more_reference.py: ngc-learn 3.2.3 outputs of the density mixtures,
the analysis probes and effective-dimension measures, and the regression circuits."""
from __future__ import annotations


def add_model_references(ref: dict, rs) -> None:
    pass
