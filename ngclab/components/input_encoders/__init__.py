"""Input encoders: spike trains from intensities."""
from ngclab.components.input_encoders.bernoulliCell import BernoulliCell
from ngclab.components.input_encoders.poissonCell import PoissonCell

__all__ = ["BernoulliCell", "PoissonCell"]
