"""StaticSparseTensorSynapse: a locally connected synaptic cable whose efficacies never change.

| outputs[b, s, o] = g * sum_p sum_k inputs[b, map[s, p], k] * W[p, s, k, o] + b[s, o]

Identical to :class:`SparseTensorSynapse` (same parameters, compartments and numbers); the
separate name says "no plasticity" in a circuit, as in ngc-learn.
"""
from __future__ import annotations

from ngclab.components.synapses.sparseTensorSynapse import SparseTensorSynapse


class StaticSparseTensorSynapse(SparseTensorSynapse):
    """A static locally connected synaptic cable.

    Args: as :class:`SparseTensorSynapse` (name, n_in_streams, K_local, O_local, P_l, stride,
    convergent_factor, dilation, invert_conn, normalize, norm_axis, weight_init, bias_init,
    g_conduct_factor, p_conn, use_block_matrix_format, batch_size).
    """
