"""ngclab.utils.masks: block masks over image patches for self-supervised (JEPA-style)
training (ngc-learn 3.2.3's ``ngclearn.utils.masks``)."""
from ngclab.utils.masks.multiblock2d import MaskCollator

__all__ = ["MaskCollator"]
