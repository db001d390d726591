"""ngclab.utils.viz: plots of spike trains, compartment traces, receptive fields, 2-D latent
codes and confusion matrices (ngc-learn 3.2.3's ``ngclearn.utils.viz`` modules and names).

Functions that write an image file draw on their own matplotlib Figure (rendered by the Agg
canvas, without pyplot's global state or a backend switch), save it and return it; functions
that draw for an interactive session (``compartment_plot``, ``compartment_raster``) draw with
pyplot as ngc-learn does and return the figure too.
"""
from ngclab.utils.viz import (classification_analysis, compartment_plot, compartment_raster,
                              dim_reduce, raster, spike_plot, synapse_plot)

__all__ = ["classification_analysis", "compartment_plot", "compartment_raster", "dim_reduce",
           "raster", "spike_plot", "synapse_plot"]
