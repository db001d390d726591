"""Input encoders: spike trains (and filtered signals) from intensities."""
from ngclab.components.input_encoders.bernoulliCell import BernoulliCell
from ngclab.components.input_encoders.ganglionCell import RetinalGanglionCell
from ngclab.components.input_encoders.latencyCell import LatencyCell
from ngclab.components.input_encoders.phasorCell import PhasorCell
from ngclab.components.input_encoders.poissonCell import PoissonCell
from ngclab.components.input_encoders.TTFSCell import TTFSCell

__all__ = ["BernoulliCell", "LatencyCell", "PhasorCell", "PoissonCell", "RetinalGanglionCell",
           "TTFSCell"]
