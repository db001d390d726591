"""StaticPatchedSynapse: a patched (block-diagonal) synaptic cable whose efficacies never change.

| outputs = (inputs @ W) * resist_scale + b ;  pre_out = post_in @ W^T   (W block structured)

Identical to :class:`PatchedSynapse` (same parameters, compartments and numbers); the separate
name says "no plasticity" in a circuit, as in ngc-learn.
"""
from __future__ import annotations

from ngclab.components.synapses.patched.patchedSynapse import PatchedSynapse


class StaticPatchedSynapse(PatchedSynapse):
    """A static patched synaptic cable.

    Args: as :class:`PatchedSynapse` (name, shape, n_sub_models, stride_shape, weight_init,
    bias_init, resist_scale, p_conn, batch_size).
    """
