"""Every public constructor in ngclab.components under bad input (table-driven).

For each class in ``ngclab.components.__all__`` the table gives valid base arguments (BASE,
realistic values taken from the constructors and ngc-learn 3.2.3's examples), and for each of
its parameters the bad values of BAD (overridden per family or class in BAD_FOR: a conv
``shape`` is (k, k, n_in, n_out), a dense one (n_in, n_out), a cell's (height, width, channels);
LIFCell's tau_theta = 0 is valid, it turns adaptation off). COMBOS adds inputs that are bad only
together (a filter larger than its VALID input map). Each bad input must raise ValueError or
TypeError with a message that names the class, the component and the parameter (as a word:
``shape`` does not count as named by ``x_shape``), listing the valid ones for names of things
(NAMED), and leave the Context unchanged: no component, no state leaf. There are no known gaps:
every row is asserted.
"""
import inspect
import re

import numpy as np
import pytest

import ngclab.components as C
from ngclab import Context

NAN, INF = float("nan"), float("inf")
HUGE = 1e39            # finite in float64, inf in float32 (the state's dtype)
TINY = 1e-9            # positive, but below every knob's lower bound (1e-6)

CONV = dict(shape=(3, 3, 1, 2), x_shape=(5, 5))
STDP = dict(CONV, A_plus=0.01, A_minus=0.005)
#: valid arguments for every class (required parameters, realistic values)
BASE = {
    "JaxComponent": {},   # the base class of custom components: name and key only
    "BernoulliErrorCell": dict(n_units=3), "GaussianErrorCell": dict(n_units=3),
    "LaplacianErrorCell": dict(n_units=3), "LeakyNoiseCell": dict(n_units=3, tau_x=10.),
    "RateCell": dict(n_units=3, tau_m=10.), "RewardErrorCell": dict(n_units=3, alpha=0.5),
    "LIFCell": dict(n_units=3, tau_m=100.), "BernoulliCell": dict(n_units=3),
    "PoissonCell": dict(n_units=3), "VarTrace": dict(n_units=3, tau_tr=20., a_delta=0.),
    "DenseSynapse": dict(shape=(3, 2)), "StaticSynapse": dict(shape=(3, 2)),
    "BCMSynapse": dict(shape=(3, 2), tau_w=10., tau_theta=10.),
    "HebbianSynapse": dict(shape=(3, 2)),
    "GerstnerHebbianSynapse": dict(shape=(3, 2)),
    "ConvSynapse": CONV, "DeconvSynapse": CONV, "StaticConvSynapse": CONV,
    "StaticDeconvSynapse": CONV, "HebbianConvSynapse": CONV, "HebbianDeconvSynapse": CONV,
    "TraceSTDPConvSynapse": STDP, "TraceSTDPDeconvSynapse": STDP,
    # plasticity synapses
    "TraceSTDPSynapse": dict(shape=(3, 2), A_plus=0.01, A_minus=0.005),
    "STDPSynapse": dict(shape=(3, 2), A_plus=0.01, A_minus=0.005),
    "ExpSTDPSynapse": dict(shape=(3, 2), A_plus=0.01, A_minus=0.005, exp_beta=1.),
    "EventSTDPSynapse": dict(shape=(3, 2), eta=0.01),
    "InhibitorySTDPSynapse": dict(shape=(3, 2)),
    "SOMSynapse": dict(n_inputs=3, n_units_x=2, n_units_y=2),
    "HopfieldSynapse": dict(shape=(3, 2), eta=0.1),
    "MPSSynapse": dict(shape=(3, 2)),
    "VectorQuantizeSynapse": dict(shape=(3, 2)),
    "ART2ASynapse": dict(shape=(3, 2)),
    "MSTDPETSynapse": dict(shape=(3, 2), A_plus=0.01, A_minus=0.005),
    "REINFORCESynapse": dict(shape=(3, 2)),
    "OjaTensorSynapse": dict(n_in_streams=4, K_local=2, O_local=2, P_l=2),
    # biophysical spiking cells
    "AdExCell": dict(n_units=3), "FitzhughNagumoCell": dict(n_units=3),
    "IzhikevichCell": dict(n_units=3), "HodgkinHuxleyCell": dict(n_units=3, tau_v=1.),
    # integrate-and-fire family
    "IFCell": dict(n_units=3, tau_m=10.),
    "SLIFCell": dict(n_units=3, tau_m=10., resist_m=1., thr=0.4),
    "WTASCell": dict(n_units=3, tau_m=1.), "QuadLIFCell": dict(n_units=3, tau_m=10.),
    "RAFCell": dict(n_units=3), "LIFSRM": dict(n_units=3, tau_m=10.),
    "RAFSRM": dict(n_units=3),
    # sparse tensor and patched synapses
    "SparseTensorSynapse": dict(n_in_streams=4, K_local=2, O_local=3, P_l=2),
    "StaticSparseTensorSynapse": dict(n_in_streams=4, K_local=2, O_local=3, P_l=2),
    "PatchedSynapse": dict(shape=(4, 4), n_sub_models=2),
    "StaticPatchedSynapse": dict(shape=(4, 4), n_sub_models=2),
    "HebbianPatchedSynapse": dict(shape=(4, 4), n_sub_models=2),
    # encoders, kernel and synapses in time
    "RetinalGanglionCell": dict(filter_type="gaussian", area_shape=(4, 6), n_cells=2,
                                patch_shape=(4, 3), step_shape=(0, 3)),
    "LatencyCell": dict(n_units=3), "PhasorCell": dict(n_units=3), "TTFSCell": dict(n_units=3),
    "ExpKernel": dict(n_units=3, dt=1.),
    "ExponentialSynapse": dict(shape=(3, 2), tau_decay=5., g_syn_bar=1., syn_rest=0.),
    "DoubleExpSynapse": dict(shape=(3, 2), tau_decay=5., tau_rise=1., g_syn_bar=1.,
                             syn_rest=0.),
    "AlphaSynapse": dict(shape=(3, 2), tau_decay=5., g_syn_bar=1., syn_rest=0.),
    "STPDenseSynapse": dict(shape=(3, 2)),
    # the CUBA network's sparse exponential synapse
    "SparseExponentialSynapse": dict(shape=(3, 2), tau_decay=5., g_syn_bar=1., syn_rest=0.),
}

NUMBER = [NAN, INF, -INF, HUGE, "x", None, True]          # any finite float32 number is valid
NONNEG = NUMBER + [-1.]                                     # >= 0
TAU = NONNEG + [0., TINY]                                   # a time constant: >= 1e-6
FLAG = ["yes", None, 1]
COUNT = [0, -1, 2.5, "3", True, None]
#: bad values by parameter name: wrong types, zero/negative sizes, non-finite numbers,
#: unknown names, shapes that do not fit
BAD = {
    # a PRNG key is an int seed or what jax.random.PRNGKey makes (uint32, shape (2,))
    "key": ["seed", 1.5, True, np.zeros(3, np.float32), np.zeros(2, np.float32)],
    "n_units": COUNT, "bond_dim": COUNT, "batch_size": [0, -1, 1.5, "1", None],
    "tau_m": [-1., NAN, INF, HUGE, TINY, "fast", None], "tau_x": TAU, "tau_w": TAU,
    "tau_theta": TAU, "tau_tr": TAU, "resist_m": TAU,
    "act_fx": ["bogus", 3, ["tanh"]],
    "prior": [("bogus", 0.), "gaussian", ("gaussian",), ("gaussian", NAN), (["l2"], 0.1)],
    "integration_type": ["bogus", 3, ["euler"]],
    "threshold": [("bogus", 0.), ("soft_threshold", -1.), ("soft_threshold", NAN)],
    "eta": [NAN, INF, HUGE, "x"], "optim_type": ["bogus", 3, ["sgd"]],
    "resist_scale": [NAN, HUGE, "x"], "output_scale": [NAN, "x"], "leak_scale": [NAN, "x"],
    "sigma": [-1., 0., TINY, NAN, HUGE, "x"], "scale": [-1., 0., TINY, NAN, "x"],
    "sigma_pre": [-1., NAN, "x"], "sigma_post": [-1., NAN, "x"],
    "weight_init": ["bogus", 3], "bias_init": ["bogus", 3], "filter_init": ["bogus", 3],
    "w_bound": [NAN, -1., "x"], "p_conn": [1.5, -0.1, 0., NAN],
    "p_release_mean": [0., 1.5, NAN], "max_delay_steps": [-1, 1.5, "2"],
    "g_conduct_factor": [NAN, "x"], "theta0": [NAN, "x"],
    "sign_value": [NAN, "x"], "pre_wght": [NAN, "x"], "post_wght": [NAN, "x"],
    "eta_decrement": [NAN, INF, HUGE, "x", None], "syn_decay": [-1., NAN, INF, "x", None],
    "label_dim": [1.5, "2", True, None], "langevin_noise_scale": [-1., NAN, INF, "x", None],
    "vigilance": [0., -0.3, NAN, INF, "x", None],
    "alpha": [NAN, "x"], "ema_window_len": [0, -1, 2.5, "10"],
    "mask": ["x", np.ones((5, 5))], "is_nonnegative": FLAG, "w_decay": [NAN, -1.],
    "is_stateful": FLAG, "use_online_predictor": FLAG, "input_logits": FLAG,
    # LIFCell
    "thr": NUMBER, "v_rest": NUMBER, "v_reset": NUMBER, "theta_plus": [NAN, "x"],
    "conduct_leak": [-1., NAN, "x"], "refract_time": [-1., NAN, INF, "x"],
    "one_spike": FLAG, "max_one_spike": FLAG, "v_min": [NAN, "x"],
    "surrogate_type": ["bogus", 3, None, ["arctan"]],
    # encoders and traces
    "target_freq": [-1., NAN, INF, "x", None],
    "a_delta": [NAN, INF, "x", None], "P_scale": [NAN, "x"], "gamma_tr": [NAN, "x"],
    "decay_type": ["bogus", "", 3, None], "n_nearest_spikes": [-1, 1.5, "2", True],
    # conv cables
    "x_shape": [(5, 4), (0, 0), (-5, -5), 5, (5,), (5, 5, 1), "ab", None, (2.5, 2.5),
                (True, True)],
    "stride": [0, -1, 1.5, "1", None, True],
    # sparse tensor synapses
    "n_in_streams": COUNT, "K_local": COUNT, "O_local": COUNT, "P_l": COUNT + [5],
    "dilation": [0, -1, 1.5, "1", None, True, 4], "convergent_factor": NONNEG,
    "invert_conn": FLAG, "normalize": FLAG, "use_block_matrix_format": FLAG,
    "norm_axis": [2, -1, "1", None, True, 0.5],
    # patched synapses
    "n_sub_models": COUNT + [5], "stride_shape": [(1,), (-1, 0), (0.5, 0), "ab", None, (True, 0)],
    "block_mask": ["x", np.ones((5, 5))],
    # RateCell's lateral synapses
    "use_lateral": FLAG, "adaptive_lateral": FLAG,
    "exc_inh": [(NAN, 0.), (0.,), "x", None, (0., "x"), (HUGE, 0.)], "n_patch": COUNT + [2],
    "fx_lat": ["bogus", 3, ["tanh"]], "Wl_eta": [NAN, INF, HUGE, "x"],
    "Wl_opt_type": ["bogus", 3, ["sgd"]],
    "Wl_prior": [("bogus", 0.), "l2", ("l2",), ("l2", NAN), ("l2", -0.1)],
    "padding": ["bogus", "FULL", "", 3],
    "A_plus": [NAN, INF, "x", None], "A_minus": [NAN, INF, "x", None],
    "pretrace_target": [NAN, "x"],
    # plasticity synapses
    "mu": [NAN, INF, -1., "x", None], "weight_mask": ["x", np.ones((5, 5)), [[NAN]]],
    "tau_plus": TAU, "tau_minus": TAU, "exp_beta": [NAN, INF, "x", None],
    "lmbda": [NAN, -1., "x", None], "presyn_win_len": [NAN, INF, -1., "x", None],
    "rho": [NAN, INF, "x", None], "Aplus": [NAN, INF, "x", None], "Aminus": [NAN, INF, "x", None],
    "tau_x_pre": TAU, "tau_x_post": TAU, "use_soft_bounds": FLAG, "is_volt_dependent": FLAG,
    "w_max": [NAN, "x", None, -1.], "w_min": [NAN, "x", None, 2.],   # w_min < w_max
    "n_inputs": COUNT, "n_units_x": COUNT, "n_units_y": COUNT,
    "distance_function": ["bogus", "", 3, None], "neighbor_function": ["bogus", "", 3, None],
    "tau_elg": [NAN, INF, -1., "x", None, TINY], "elg_decay": [NAN, -1., "x", None],
    "decay": [NAN, INF, "x", None], "mu_act_fx": ["bogus", 3, ["tanh"]],
    "seed": [-1, 1.5, "x", True, 2 ** 33], "mu_out_min": [NAN, "x", None, INF],
    "mu_out_max": [NAN, "x", None, -INF], "scalar_stddev": [NAN, INF, "x", None],
    "oja_factor": [NAN, INF, "x", None],
    # biophysical spiking cells (AdEx, FitzHugh-Nagumo, Izhikevich, Hodgkin-Huxley)
    "v_sharpness": TAU, "intrinsic_mem_thr": NUMBER, "a": NUMBER, "b": NUMBER,
    "v0": NUMBER, "w0": NUMBER, "beta": NUMBER, "gamma": TAU, "v_thr": NUMBER,
    "spike_reset": FLAG, "w_reset": NUMBER, "coupling_factor": NUMBER, "tau_v": TAU,
    "v_Na": NUMBER, "v_K": NUMBER, "v_L": NUMBER, "g_Na": NONNEG, "g_K": NONNEG,
    "g_L": NONNEG,
    # integrate-and-fire family (IF, sLIF, WTAS, quadratic LIF, resonate-and-fire, SRMs)
    "lower_clamp_voltage": FLAG, "resist_inh": NONNEG, "thr_persist": FLAG,
    "thr_gain": NONNEG, "thr_leak": NONNEG, "rho_b": NONNEG, "sticky_spikes": FLAG,
    "thr_jitter": NONNEG, "thr_base": NUMBER, "v_scale": NUMBER, "critical_v": NUMBER,
    "omega": NUMBER, "dampen_factor": NUMBER, "resist_v": TAU, "post_spike_reset": FLAG,
    # encoders, kernel and synapses in time (a grid of 2 ganglion cells in the base; a patch
    # that does not fit or a step that changes the grid size is refused; syn_rest None is valid)
    "filter_type": ["bogus", "", 3, None], "n_cells": COUNT + [3],
    "area_shape": [(0, 6), (4,), "ab", None, (2.5, 6), (True, 6), (4, 2)],
    "patch_shape": [(0, 3), (5, 3), (4,), "ab", None, (4, 3.5)],
    "step_shape": [(-1, 3), (0,), "ab", None, (0.5, 3), (0, 1)],
    "tau": TAU, "first_spike_time": NONNEG, "linearize": FLAG, "clip_spikes": FLAG,
    "num_steps": [0, -1, NAN, INF, "x", None, True], "disable_phasor": FLAG,
    "tau_ref": NONNEG, "latency_mode": ["bogus", "", 3, None],
    "dt": TAU + [5.], "nu": TAU + [0.5],    # the window needs nu >= dt
    "tau_decay": TAU, "tau_rise": TAU, "g_syn_bar": NUMBER,
    "syn_rest": [NAN, INF, HUGE, "x", True], "is_nonplastic": FLAG,
    "tau_f": NONNEG, "tau_d": NONNEG, "resources_init": ["bogus", 3],
    # the CUBA network (LIFCell's held refractory period, SparseExponentialSynapse)
    "hold_refractory": FLAG, "event_capacity": [0, -1, 2.5, "3", True],
    "pre_units": [(2, 1), (0, 4), (-1, 2), (1,), "ab", (0.5, 2), 3, (True, 2)],
    # GerstnerHebbianSynapse: a dict of the expansion coefficients c0, c1_pre, c1_post, c2_corr
    "coeffs": [[0., 0., 0., 1.], "hebb", {"c3": 1.}, {"c0": NAN}, {"c2_corr": "x"},
               {"c1_pre": INF}],
    # HopfieldSynapse: the inverse temperature beta > 0, the rule's name, stored (D, P) patterns
    "reg_lambda": [-1., NAN, INF, "x", None],
    "update_rule": ["hebb", 3, ["delta"]],
    "initial_patterns": [np.ones((2, 2)), np.ones((3, 3)), np.ones(3), "ab",
                         np.full((3, 1), np.nan)],
}
#: ``shape`` by family: (n_in, n_out) for dense synapses, (height, width, channels) for cells,
#: (k, k, n_in, n_out) for conv cables
SHAPES = {
    "cell": [(0, 2, 1), (3, -1, 1), (3,), "ab", (2.5, 2, 1), (3, 2, 1, 1, 1)],
    "dense": [(0, 2), (3, -1), (3,), "ab", (2.5, 2), (3, 2, 1, 1, 1), None],
    "conv": [(3, 3, 1), (3, 2, 1, 2), (0, 0, 1, 2), (3, 3, 0, 2), (3, 3, 1, -1),
             (2.5, 2.5, 1, 2), "abcd", None, (3, 2), (3, 3, 1, 2, 1), (True, True, 1, 1)],
}
#: per class overrides of BAD
BAD_FOR = {
    # biophysical spiking cells: tau_m divides (0 is refused); integrators ngc-learn does not
    # implement for a class are refused (ngc-learn silently runs Euler for them)
    **{(cname, "tau_m"): [0.] + TAU for cname in ("AdExCell", "FitzhughNagumoCell",
                                                   "IzhikevichCell")},
    **{(cname, "integration_type"): BAD["integration_type"] + ["rk4", "heun", "ralston"]
       for cname in ("AdExCell", "FitzhughNagumoCell", "IzhikevichCell")},
    ("HodgkinHuxleyCell", "integration_type"): BAD["integration_type"] + ["heun", "ralston"],
    ("LIFCell", "tau_m"): [0.] + TAU,
    # integrate-and-fire family: tau_m divides (0 is refused), tau_theta = 0 turns adaptation
    # off; only euler and midpoint are implemented (ngc-learn silently runs Euler for the rest)
    **{(cname, "tau_m"): [0.] + TAU for cname in ("IFCell", "SLIFCell", "WTASCell",
                                                   "QuadLIFCell", "LIFSRM")},
    ("QuadLIFCell", "tau_theta"): [-1., NAN, INF, "x"],
    **{(cname, "integration_type"): BAD["integration_type"] + ["rk4", "heun", "ralston"]
       for cname in ("IFCell", "QuadLIFCell", "RAFCell")},
    ("LIFCell", "tau_theta"): [-1., NAN, INF, "x"],      # 0 is valid: no adaptation
    ("TraceSTDPConvSynapse", "w_bound"): [NAN, -1., "x", 0.01, 0.02],   # empty clip interval
    ("TraceSTDPDeconvSynapse", "w_bound"): [NAN, -1., "x", 0.01, 0.02],
    ("HebbianSynapse", "prior"): BAD["prior"] + [("l2", -0.1), ("l1l2", (0.1, 1.5)),
                                                 ("l1l2", 0.1)],
    # plasticity synapses: tau_w = 0 turns the decay off; weights are clipped to
    # [eps, w_bound - eps], so w_bound must leave that interval non-empty
    ("TraceSTDPSynapse", "tau_w"): [NAN, INF, -1., "x", None, TINY],
    ("TraceSTDPSynapse", "w_bound"): [NAN, -1., 0., "x", None],
    ("STDPSynapse", "tau_w"): [NAN, INF, -1., "x", None, TINY],
    ("STDPSynapse", "w_bound"): [NAN, -1., 0.002, "x", None],
    ("ExpSTDPSynapse", "tau_w"): [NAN, INF, -1., "x", None, TINY],
    ("ExpSTDPSynapse", "w_bound"): [NAN, -1., 0.02, "x", None],
    ("EventSTDPSynapse", "w_bound"): [NAN, -1., 0.01, "x", None],
    ("MSTDPETSynapse", "tau_w"): [NAN, INF, -1., "x", None, TINY],
    ("MSTDPETSynapse", "w_bound"): [NAN, -1., 0., "x", None],
    ("REINFORCESynapse", "w_bound"): [NAN, -1., 0., "x", None],
    # LatencyCell's threshold is a number >= 0; TTFSCell's num_steps a count
    ("LatencyCell", "threshold"): [v for v in NONNEG if v != "x"],   # not a name: no "valid"
    ("TTFSCell", "num_steps"): COUNT,
    ("HopfieldSynapse", "beta"): [0., -1., NAN, INF, "x", None],   # an inverse temperature
}
#: inputs bad only together: (classes or family, overrides, the parameters the message names)
COMBOS = [
    ("conv-op", dict(shape=(7, 7, 1, 2), x_shape=(5, 5), padding="VALID"),
     ("shape", "x_shape", "padding")),
    ("conv-op", dict(shape=(7, 7, 1, 2), x_shape=(5, 5), padding=None),   # None means VALID
     ("shape", "x_shape", "padding")),
    ("conv-op", dict(shape=(6, 6, 1, 1), x_shape=(5, 5), stride=2),
     ("shape", "x_shape", "padding")),
]
#: names of things: the message must list the valid ones
NAMED = {"act_fx", "prior", "integration_type", "optim_type", "threshold", "surrogate_type",
         "decay_type", "padding", "norm_axis", "fx_lat", "Wl_opt_type",
         "distance_function", "neighbor_function", "mu_act_fx"}


def family(cname):
    params = inspect.signature(getattr(C, cname).__init__).parameters
    return "conv" if "x_shape" in params else "cell" if "n_units" in params else "dense"


def _rows():
    rows = []
    for cname in C.__all__:
        cls = getattr(C, cname)
        fam = family(cname)
        for pname in inspect.signature(cls.__init__).parameters:
            if pname == "shape":
                values = SHAPES[fam]
            else:
                values = BAD_FOR.get((cname, pname), BAD.get(pname, []))
            rows += [(cname, {pname: v}, (pname,)) for v in values]
        rows.append((cname, {"typo_param": 1}, ("typo_param",)))   # an unknown keyword
        for where, over, names in COMBOS:
            if where == cname or (where == "conv-op" and getattr(cls, "_op", None) == "conv"):
                rows.append((cname, over, names))
    return rows


ROWS = _rows()


def _id(row):
    cname, over, _ = row
    text = ",".join(f"{k}={v!r}" if not isinstance(v, np.ndarray) else f"{k}=array{v.shape}"
                    for k, v in over.items())
    return f"{cname}-{text}"


@pytest.mark.parametrize("row", ROWS, ids=[_id(r) for r in ROWS])
def test_bad_constructor_arguments_are_refused(hz, row):
    cname, over, names = row
    cls = getattr(C, cname)
    with Context("m") as ctx:
        keep = cls("keep", **BASE[cname])
    args = {**BASE[cname], **over}
    err = hz.refused(ctx, lambda: _build(ctx, cls, args), (ValueError, TypeError),
                     rf"{cname} 'x'")
    msg = str(err)
    for pname in names:   # named as a word (x_shape does not name shape)
        assert re.search(rf"(?<!\w){re.escape(pname)}(?!\w)", msg), (pname, msg)
    if names[0] in NAMED and isinstance(over[names[0]], str) and over[names[0]] != "gaussian":
        assert "valid" in msg, msg
    # the failed name is free again: a valid component of that name can be built
    assert "x" not in ctx.components and keep.name in ctx.components
    with ctx:
        cls("x", **BASE[cname])
    assert list(ctx.components) == ["keep", "x"]


def _build(ctx, cls, args):
    with ctx:
        cls("x", **args)


def test_base_arguments_are_complete_and_valid():
    # every class has base arguments covering its required parameters, and they build
    for cname in C.__all__:
        params = inspect.signature(getattr(C, cname).__init__).parameters
        required = {p for p, v in params.items() if p not in ("self", "name")
                    and v.default is inspect.Parameter.empty
                    and v.kind is not inspect.Parameter.VAR_KEYWORD}
        assert required <= set(BASE[cname]), (cname, required - set(BASE[cname]))
        with Context("ok") as ctx:
            getattr(C, cname)("c", **BASE[cname])
        assert list(ctx.components) == ["c"]


def test_every_parameter_of_every_class_was_tried():
    tried = {(r[0], p) for r in ROWS for p in r[1]}
    assert {r[0] for r in ROWS} == set(C.__all__) == set(BASE)
    # every parameter of every class has bad values
    untested = {(c, p) for c in C.__all__ for p in inspect.signature(getattr(C, c).__init__)
                .parameters if p not in ("self", "name", "kwargs") and (c, p) not in tried}
    assert untested == set(), untested
    assert len(ROWS) >= 15 * len(C.__all__)


def test_valid_edge_values_are_accepted():
    # the boundaries just inside the rules above are valid: RateCell tau_m = 0 (stateless),
    # LIFCell tau_theta = 0 (no adaptation) and conduct_leak = 0 (IF), STDP w_bound = 0 (off),
    # a SAME-padded filter larger than its map, padding names in lower case
    cases = [("RateCell", dict(tau_m=0.)), ("LIFCell", dict(tau_theta=0., conduct_leak=0.)),
             ("TraceSTDPConvSynapse", dict(w_bound=0.)),
             ("ConvSynapse", dict(shape=(7, 7, 1, 2), padding="SAME")),
             ("DeconvSynapse", dict(shape=(7, 7, 1, 2), padding="valid")),
             ("VarTrace", dict(decay_type="lin")), ("RewardErrorCell", dict(ema_window_len=1))]
    for cname, over in cases:
        with Context("ok") as ctx:
            c = getattr(C, cname)("c", **{**BASE[cname], **over})
        assert list(ctx.components) == ["c"], cname
    assert c.ema_window_len.get() == 1.


@pytest.mark.parametrize("name", [n for n in C.__all__ if n != "JaxComponent"])
def test_created_compartments_are_declared(name):
    """Every class lists the compartments and knobs it creates as class annotations (so help(),
    graph() and the editor see them without building one). Built with BASE, it creates only
    declared ones, of the declared kind (declarations may include optional compartments, such
    as a RateCell's lateral ones)."""
    from ngclab import Knob
    cls = getattr(C, name)
    with Context("decl"):
        comp = cls("x", **BASE[name])
    declared = cls.declared()
    made = {n: "Knob" if isinstance(c, Knob) else "Compartment"
            for n, c in comp.compartments.items()}
    undeclared = sorted(set(made) - set(declared))
    assert not undeclared, f"{name} creates undeclared compartments {undeclared}"
    wrong = sorted(n for n in made if declared[n] != made[n])
    assert not wrong, f"{name} declares the wrong kind for {wrong}"
