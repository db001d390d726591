"""StaticSynapse: a dense synaptic cable whose efficacies never change.

| outputs = ((x @ (W * mask)) * gate) * g_conduct_factor + b

Identical to :class:`DenseSynapse` (same parameters, compartments and numbers); the separate
name says "no plasticity" in a circuit, as in ngc-learn.
"""
from __future__ import annotations

from ngclab.components.synapses.denseSynapse import DenseSynapse


class StaticSynapse(DenseSynapse):
    """A static dense synaptic cable: outputs = (x @ W) * gate * g_conduct_factor + b.

    Args: as :class:`DenseSynapse` (name, shape, weight_init, bias_init, g_conduct_factor,
    p_release_mean, p_conn, max_delay_steps, mask, batch_size).
    """
