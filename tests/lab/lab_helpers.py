"""Helpers of the lab tests: the tutorial circuit a -> W -> b and a headless reference run."""
import numpy as np

from ngclab import Context, MethodProcess
from ngclab.components import HebbianSynapse, RateCell


def tutorial(n=10):
    with Context("model") as ctx:
        a = RateCell("a", n_units=n, tau_m=0.)
        W = HebbianSynapse("W", shape=(n, n))
        b = RateCell("b", n_units=n, tau_m=20.)
        a.zF >> W.inputs
        W.outputs >> b.j
        adv = MethodProcess("advance") >> a.advance_state >> W.advance_state >> b.advance_state
        rst = MethodProcess("reset") >> a.reset >> W.reset >> b.reset
    return ctx, a, W, b, adv, rst


def headless(steps, x=None):
    ctx, a, W, b, adv, rst = tutorial()
    x = np.ones((1, 10), np.float32) if x is None else x
    return adv.scan(steps=steps, clamp={a.j: x}, record=[b.zF])["model/b:zF"], ctx
