"""Patched synapses: several small dense cables along the diagonal of one weight matrix."""
from ngclab.components.synapses.patched.hebbianPatchedSynapse import HebbianPatchedSynapse
from ngclab.components.synapses.patched.patchedSynapse import PatchedSynapse
from ngclab.components.synapses.patched.staticPatchedSynapse import StaticPatchedSynapse

__all__ = ["HebbianPatchedSynapse", "PatchedSynapse", "StaticPatchedSynapse"]
