"""Helpers shared by the test folders."""


def build_tutorial(name: str = "model", n_units: int = 1):
    """a (RateCell, tau_m=0) -> Wab (HebbianSynapse, weights 1) -> b (RateCell, tau_m=20)."""
    from ngclab import Context, MethodProcess
    from ngclab.components import HebbianSynapse, RateCell
    from ngclab.utils.distribution_generator import DistributionGenerator

    with Context(name) as ctx:
        a = RateCell("a", n_units=n_units, tau_m=0., act_fx="identity")
        Wab = HebbianSynapse("Wab", shape=(n_units, n_units),
                             weight_init=DistributionGenerator.constant(value=1.))
        b = RateCell("b", n_units=n_units, tau_m=20., act_fx="identity")
        a.zF >> Wab.inputs
        Wab.outputs >> b.j
        advance = MethodProcess("advance") >> a.advance_state >> Wab.advance_state >> b.advance_state
        reset = MethodProcess("reset") >> a.reset >> Wab.reset >> b.reset
    return ctx, a, Wab, b, advance, reset
