"""``ngcsimlib.operations`` as ngc-learn's code imports it: ``Summation(a.zF, b.zF) >> c.j``."""
from ngclab.core.compartment import Operation as BaseOp, Product, Summation


def summation(*compartments):
    """``Summation(*compartments)`` (the functional spelling of older ngc-learn code)."""
    return Summation(*compartments)


def product(*compartments):
    """``Product(*compartments)``."""
    return Product(*compartments)


__all__ = ["BaseOp", "Product", "Summation", "product", "summation"]
