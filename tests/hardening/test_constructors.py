"""Every public constructor in ngclab.components under bad input (table-driven).

For each class in ``ngclab.components.__all__`` and each of its parameters that appears in BAD,
each bad value is tried (the other required parameters get valid values). The constructor must
raise ValueError or TypeError with a message that names the class, the component and the
parameter (for names of things -- act_fx, prior, integration_type, optim_type, threshold -- the
message lists the valid ones), and the Context must be unchanged: no component, no state leaf.

Rows in KNOWN_GAPS are inputs the components currently accept silently or report without naming
the parameter; they are listed in the hardening report for the component owners rather than
asserted here (the components are not ours to edit).
"""
import inspect

import numpy as np
import pytest

import ngclab.components as C
from ngclab import Context

NAN, INF = float("nan"), float("inf")

#: valid values for required parameters (so only the parameter under test is bad)
VALID = dict(n_units=3, shape=(3, 2), tau_m=10., tau_x=10., alpha=0.5, tau_w=10., tau_theta=10.)

#: bad values by parameter name: wrong types, zero/negative sizes, non-finite numbers,
#: unknown names, shapes that do not fit
BAD = {
    "n_units": [0, -1, 2.5, "3", True, None],
    "batch_size": [0, -1, 1.5, "1", None],
    "tau_m": [-1., NAN, INF, "fast", None],
    "tau_x": [-1., 0., NAN, INF, "fast", None],
    "tau_w": [-1., 0., NAN, "fast"],
    "tau_theta": [-1., 0., NAN, "fast"],
    "act_fx": ["bogus", 3],
    "prior": [("bogus", 0.), "gaussian", ("gaussian",), ("gaussian", NAN)],
    "integration_type": ["bogus", 3],
    "threshold": [("bogus", 0.), ("soft_threshold", -1.)],
    "eta": [NAN, INF, "x"],
    "optim_type": ["bogus"],
    "resist_scale": [NAN, "x"],
    "output_scale": [NAN, "x"],
    "sigma": [-1., 0., NAN, "x"],
    "weight_init": ["bogus", 3],
    "bias_init": ["bogus", 3],
    "w_bound": [NAN, -1., "x"],
    "p_conn": [1.5, -0.1, 0., NAN],
    "alpha": [NAN, "x"],
    "ema_window_len": [0, -1, 2.5],
    "mask": ["x", np.ones((5, 5))],
    "is_nonnegative": ["yes"],
    "w_decay": [NAN, -1.],
}
#: ``shape`` means (n_in, n_out) for synapses and (height, width, channels) for cells
BAD_SHAPE = [(0, 2), (3, -1), (3,), "ab", (2.5, 2), (3, 2, 1, 1, 1)]
BAD_SYNAPSE_SHAPE = BAD_SHAPE + [None]

#: names of things: the message must list the valid ones
NAMED = {"act_fx", "prior", "integration_type", "optim_type", "threshold"}

#: (class, parameter, repr(value)) accepted silently or reported without naming the parameter
KNOWN_GAPS = {
    ("RateCell", "tau_m", "-1.0"),                    # accepted: silently stateless
    ("RateCell", "threshold", "('soft_threshold', -1.0)"),  # message is "knob: initial value..."
    ("RewardErrorCell", "ema_window_len", "2.5"),     # accepted
    ("DenseSynapse", "mask", "'x'"),                  # "could not convert string to float"
    ("StaticSynapse", "mask", "'x'"),
    ("HebbianSynapse", "is_nonnegative", "'yes'"),    # accepted (truthy)
    ("HebbianSynapse", "w_decay", "-1.0"),            # accepted (a negative decay grows W)
    ("BCMSynapse", "w_decay", "-1.0"),
} | {(c, "p_conn", v) for c in ("DenseSynapse", "StaticSynapse", "HebbianSynapse",
                                 "BCMSynapse") for v in ("1.5", "0.0")}  # accepted (full)


def _rows():
    rows = []
    for cname in C.__all__:
        cls = getattr(C, cname)
        params = inspect.signature(cls.__init__).parameters
        is_synapse = "n_units" not in params
        for pname in params:
            if pname == "shape":
                values = BAD_SYNAPSE_SHAPE if is_synapse else BAD_SHAPE
            else:
                values = BAD.get(pname, [])
            for v in values:
                if (cname, pname, repr(v)) not in KNOWN_GAPS:
                    rows.append((cname, pname, v))
        rows.append((cname, "typo_param", 1))         # an unknown keyword (a typo)
    return rows


ROWS = _rows()


def _id(row):
    cname, pname, v = row
    text = repr(v) if not isinstance(v, np.ndarray) else f"array{v.shape}"
    return f"{cname}-{pname}-{text}"


@pytest.mark.parametrize("row", ROWS, ids=[_id(r) for r in ROWS])
def test_bad_constructor_arguments_are_refused(hz, row):
    cname, pname, value = row
    cls = getattr(C, cname)
    params = inspect.signature(cls.__init__).parameters
    args = {k: v for k, v in VALID.items()
            if k in params and params[k].default is inspect.Parameter.empty}
    args[pname] = value
    with Context("m") as ctx:
        keep = cls("keep", **_valid(params))
    err = hz.refused(ctx, lambda: _build(ctx, cls, args), (ValueError, TypeError),
                     rf"{cname} 'x'")
    msg = str(err)
    assert pname in msg or (pname == "typo_param" and "typo_param" in msg), msg
    if pname in NAMED and isinstance(value, str) and value != "gaussian":
        assert "valid" in msg, msg
    # the failed name is free again: a valid component of that name can be built
    assert "x" not in ctx.components and keep.name in ctx.components
    with ctx:
        cls("x", **_valid(params))
    assert list(ctx.components) == ["keep", "x"]


def _valid(params):
    return {k: VALID[k] for k in params
            if k in VALID and params[k].default is inspect.Parameter.empty}


def _build(ctx, cls, args):
    with ctx:
        cls("x", **args)


def test_every_registered_class_was_tried():
    tried = {r[0] for r in ROWS}
    assert tried == set(C.__all__)
    assert len(ROWS) >= 5 * len(C.__all__)
