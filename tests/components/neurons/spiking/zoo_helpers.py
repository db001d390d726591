"""Helpers of the neuron-zoo tests (AdEx, FitzHugh-Nagumo, Izhikevich, Hodgkin-Huxley): the
ngc-learn reference file and building a cell in a Context with its advance/reset processes."""
import ngclab.components as C
from ngclab import Context, MethodProcess
from tests.helpers import reference

ZOO = ("AdExCell", "FitzhughNagumoCell", "IzhikevichCell", "HodgkinHuxleyCell")
#: the compartments each class evolves (besides j and key)
STATE = {"AdExCell": ("v", "w", "s", "tols"), "FitzhughNagumoCell": ("v", "w", "s", "tols"),
         "IzhikevichCell": ("v", "w", "s", "tols"),
         "HodgkinHuxleyCell": ("v", "n", "m", "h", "s", "tols")}
#: arguments a class needs (HodgkinHuxleyCell has no default tau_v)
REQUIRED = {"HodgkinHuxleyCell": {"tau_v": 1.}}


def zoo_ref() -> dict:
    """tests/reference/spiking_zoo_reference.json, written under ngc-learn 3.2.3."""
    return reference("spiking_zoo")


def build(cls_name: str, n: int = 2, ctx_name: str = "zoo", **kwargs):
    """(ctx, cell, advance, reset) for one cell of class ``cls_name``."""
    with Context(ctx_name) as ctx:
        z = getattr(C, cls_name)("z", n, **{**REQUIRED.get(cls_name, {}), **kwargs})
        adv = MethodProcess("adv") >> z.advance_state
        rst = MethodProcess("rst") >> z.reset
    return ctx, z, adv, rst
