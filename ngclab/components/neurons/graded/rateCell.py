"""RateCell: a graded (non-spiking) cell relaxing under predictive-coding gradient dynamics.

With the input current modulated by the slope of the activation, ``j' = R * j * f'(z)``:

| tau_m dz/dt = -gamma * prior'(z) + (j' + j_td)          (stateful: tau_m > 0)
| z = j + j_td                                          (stateless: tau_m = 0)
| z <- threshold(z)                                     (optional, stateful only)
| zF = output_scale * f(z)

prior'(z) is the slope of the (negative log) scale-shift prior: gaussian z, laplacian sign(z),
cauchy 2z / (1 + z^2), exp 2z exp(-z^2); gamma is the prior's leak rate. Integration is Euler or
midpoint (RK-2), see ``ngclab.components.ode``. As in ngc-learn 3.2.3 the modulated current j'
is written back into ``j`` (only when ``j`` is not wired: a wired compartment reads its source).

``use_lateral`` adds block-diagonal lateral synapses W_l (n_patch blocks, exc on the diagonal,
inh off it) whose current joins the drive, ``adaptive_lateral`` lets them learn
(anti-Hebbian); see ``ngclab.components.neurons.graded._lateral``:

| j_lat = (zF_lat @ W_l) * f_lat'(z) * R ;  tau_m dz/dt = ... + (j' + j_lat) + j_td
| zF_lat = output_scale * f_lat(z)

Compartments: j, j_td (inputs), z (state), zF (output); with lateral synapses j_lat (state),
zF_lat (output), Wl_weights (parameter), and when adaptive Wl_dWeights, Wl_opt_params.
Knobs: tau_m (stateful cells), prior_leak (gamma), output_scale, resist_scale (R), thr_lmbda
(with a threshold), Wl_eta and Wl_prior_lmbda (adaptive lateral synapses).

Where ngc-learn 3.2.3's lateral synapses are broken and what ngclab does instead: see
``_lateral``.
"""
from __future__ import annotations

import jax.numpy as jnp

from ngclab.core import Compartment, Component, Knob, compilable
from ngclab.components.ode import check_integration, integrate
from ngclab.components.layers import layer_dims, reset_compartments, resize_batch
from ngclab.components.validation import (
    check_choice,
    check_count,
    check_flag,
    check_kwargs,
    check_number,
    check_positive,
    owner,
)
from ngclab.components.activations import make_activation
from ngclab.components.neurons.graded._lateral import Lateral, check_lateral
from ngclab.utils.model_utils import threshold_cauchy, threshold_soft

#: slope of each prior's negative log density (the "leak" it adds to dz/dt)
PRIOR_LEAKS = {
    "gaussian": lambda z: z,
    "laplacian": jnp.sign,
    "cauchy": lambda z: (2. * z) / (1. + jnp.square(z)),
    "exp": lambda z: 2. * z * jnp.exp(-jnp.square(z)),
}
THRESHOLDS = ("none", "soft_threshold", "cauchy_threshold")


def modulate(j, dfx_val):
    """j * f'(z); for a Jacobian-valued f' (softmax) the vector-Jacobian product j J."""
    if dfx_val.ndim == j.ndim + 1:
        return jnp.einsum("...i,...ik->...k", j, dfx_val)
    return j * dfx_val


class RateCell(Component):
    """A rate-coded cell driven by leaky gradient (predictive-coding) dynamics.

    | tau_m dz/dt = -gamma prior'(z) + R j f'(z) + j_td ;  zF = output_scale f(z)

    Args:
        name: the cell's name
        n_units: number of units
        tau_m: membrane/state time constant (ms); 0 (or is_stateful=False) makes the cell
            stateless: z = j + j_td
        prior: (name, leak rate gamma) of the prior over z: "gaussian", "laplacian", "cauchy"
            or "exp" (Default: ("gaussian", 0.))
        act_fx: activation name (any ``create_function`` knows); "sine" takes ``omega_0=``
        output_scale: factor applied to f(z) (Default: 1.)
        threshold: (kind, lambda): "none", "soft_threshold" or "cauchy_threshold", applied to
            z after each stateful step (Default: ("none", 0.))
        integration_type: "euler" (or "rk1") or "midpoint" (or "rk2")
        batch_size: batch dimension
        resist_scale: factor R applied to the (modulated) input j (Default: 1.)
        shape: None, or (height, width, channels) for map-shaped layers (batch, h, w, c)
        is_stateful: False forces stateless mode
        use_lateral: add lateral (block-diagonal) synapses (Default: False)
        adaptive_lateral: let them learn (needs use_lateral) (Default: False)
        exc_inh: (exc, inh) initial lateral weights on / off the diagonal (Default: (0., 0.))
        n_patch: number of lateral blocks, dividing n_units (Default: 1)
        fx_lat: activation f_lat of the lateral signal; None: act_fx (Default: None)
        Wl_eta: learning rate of the lateral synapses (Default: 0.)
        Wl_opt_type: their optimizer: "sgd", "adam" or "nag" (Default: "sgd")
        Wl_prior: (name, lambda) regulariser of the lateral synapses (Default: (None, 0.))
    """
    j: Compartment              # input current
    j_td: Compartment           # top-down / modulatory current
    z: Compartment              # rate activity
    zF: Compartment             # output_scale * f(z)
    tau_m: Knob                 # stateful cells
    prior_leak: Knob
    output_scale: Knob
    resist_scale: Knob
    thr_lmbda: Knob             # with a threshold
    j_lat: Compartment          # lateral current (use_lateral)
    zF_lat: Compartment         # output_scale * f_lat(z) (use_lateral)
    Wl_weights: Compartment     # lateral synapses W_l (use_lateral)
    Wl_dWeights: Compartment    # last update of W_l (adaptive_lateral)
    Wl_opt_params: Compartment  # optimizer statistics of W_l (adaptive_lateral)
    Wl_eta: Knob                # adaptive_lateral
    Wl_prior_lmbda: Knob        # adaptive_lateral with a Wl_prior

    def __init__(self, name, n_units, tau_m, prior=("gaussian", 0.), act_fx="identity",
                 output_scale=1., threshold=("none", 0.), integration_type="euler", batch_size=1,
                 resist_scale=1., shape=None, is_stateful=True, use_lateral=False,
                 adaptive_lateral=False, exc_inh=(0., 0.), n_patch=1, fx_lat=None, Wl_eta=0.,
                 Wl_opt_type="sgd", Wl_prior=(None, 0.), **kwargs):
        who = owner(type(self), name)
        check_kwargs(who, kwargs, ("key", "omega_0"))
        lateral = check_flag(who, "use_lateral", use_lateral)
        if check_flag(who, "adaptive_lateral", adaptive_lateral) and not lateral:
            raise ValueError(f"{who}: adaptive_lateral=True needs use_lateral=True")
        if lateral and shape is not None:
            raise ValueError(f"{who}: use_lateral works on (n_units,) layers, not on the map "
                             f"shape {shape!r}")
        # tau_m = 0 makes the cell stateless; otherwise a time constant (>= the knob's bound)
        tau = 0. if check_number(who, "tau_m", tau_m, low=0.) == 0. else \
            check_positive(who, "tau_m", tau_m)
        stateful = check_flag(who, "is_stateful", is_stateful)
        if not isinstance(prior, (tuple, list)) or len(prior) != 2:
            raise ValueError(f"{who}: prior must be a (name, leak_rate) pair, e.g. "
                             f"('gaussian', 0.), got {prior!r}")
        check_choice(who, "prior", prior[0], PRIOR_LEAKS)
        leak = check_number(who, "prior leak rate", prior[1])
        if not isinstance(threshold, (tuple, list)) or len(threshold) != 2:
            raise ValueError(f"{who}: threshold must be a (kind, lambda) pair, e.g. ('none', 0.), "
                             f"got {threshold!r}")
        thr_kind = "none" if threshold[0] is None else threshold[0]
        if thr_kind not in THRESHOLDS:
            raise ValueError(f"{who}: unknown threshold {threshold[0]!r}; valid: "
                             f"{', '.join(THRESHOLDS)}")
        thr = check_number(who, "threshold lambda", threshold[1], low=0.)
        out_scale = check_number(who, "output_scale", output_scale)
        r_scale = check_number(who, "resist_scale", resist_scale)
        self_batch = check_count(who, "batch_size", batch_size)
        dims = layer_dims(who, n_units, shape)
        integ = check_integration(who, integration_type)
        fx, dfx = make_activation(who, act_fx, kwargs.get("omega_0"))
        lateral_spec = check_lateral(who, check_count(who, "n_units", n_units), exc_inh, n_patch,
                                     fx_lat, Wl_eta, Wl_opt_type, Wl_prior, (fx, dfx))

        super().__init__(name, key=kwargs.get("key"))
        self.n_units, self.batch_size, self.dims = n_units, self_batch, dims
        self.shape = dims if shape is not None else (n_units,)
        self.act_fx, self.fx, self.dfx = act_fx, fx, dfx
        self.prior_type, self.threshold_type = prior[0], thr_kind
        self.integration_type = integ
        self.is_stateful = stateful and tau > 0.

        rest = jnp.zeros((self_batch, *dims))
        self.j = Compartment(rest, kind="input", display_name="Input Stimulus Current", units="mA")
        self.j_td = Compartment(rest, kind="input", display_name="Modulatory Stimulus Current",
                                units="mA")
        self.z = Compartment(rest, kind="state", display_name="Rate Activity", units="mA")
        self.zF = Compartment(rest, kind="output", display_name="Transformed Rate Activity")
        if self.is_stateful:
            self.tau_m = Knob(tau, low=1e-6, doc="membrane time constant (ms)")
        else:
            self.tau_m = tau  # stateless: no time constant to tune
        self.prior_leak = Knob(leak, doc=f"leak rate gamma of the {prior[0]} prior")
        self.output_scale = Knob(out_scale, doc="factor applied to f(z)")
        self.resist_scale = Knob(r_scale, doc="resistance R scaling the input current j")
        if thr_kind != "none":
            self.thr_lmbda = Knob(thr, low=0., doc=f"lambda of the {thr_kind}")
        self.lateral = Lateral(self, bool(adaptive_lateral), lateral_spec) if lateral else None

    @compilable
    def advance_state(self, dt):
        j, j_td, z = self.j.get(), self.j_td.get(), self.z.get()
        if self.is_stateful:
            j = modulate(j, self.dfx(z)) * self.resist_scale.get()
            leak, gamma, tau = PRIOR_LEAKS[self.prior_type], self.prior_leak.get(), \
                self.tau_m.get()
            j_lat = None if self.lateral is None else self.lateral.current(self, z, modulate)
            drive = j + j_td if j_lat is None else j + j_lat + j_td

            def dz_dt(t, x):
                return (-leak(x) * gamma + drive) / tau

            z = integrate(self.integration_type, dz_dt, z, dt)
            if self.threshold_type == "soft_threshold":
                z = threshold_soft(z, self.thr_lmbda.get())
            elif self.threshold_type == "cauchy_threshold":
                z = threshold_cauchy(z, self.thr_lmbda.get())
        else:
            z = j + j_td
        if not self.j.targeted:
            self.j.set(j)
        self.z.set(z)
        self.zF.set(self.fx(z) * self.output_scale.get())
        if self.lateral is not None:
            if self.is_stateful:
                self.j_lat.set(j_lat)
            self.zF_lat.set(self.lateral.fx(z) * self.output_scale.get())

    @compilable
    def evolve(self):
        """Learn the lateral synapses (adaptive_lateral); otherwise nothing to learn."""
        if self.lateral is not None and self.lateral.adaptive:
            self.lateral.evolve(self)

    def _batched(self) -> list:
        extra = [] if self.lateral is None else [self.j_lat, self.zF_lat]
        return [self.j, self.j_td, self.z, self.zF] + extra

    @compilable
    def reset(self):
        rest = self._batched() + ([self.Wl_dWeights] if self.lateral is not None
                                  and self.lateral.adaptive else [])
        reset_compartments(rest)

    def batched_reset(self, batch_size):
        """Reset to rest with a new batch size (a structure change: the model recompiles)."""
        self.batch_size = check_count(owner(type(self), self.name), "batch_size", batch_size)
        resize_batch([(c, 0.) for c in self._batched()], self.batch_size, self.dims)

    @classmethod
    def help(cls):
        return {
            cls.__name__: {"cell_type": "RateCell - graded cell whose state z follows leaky, "
                                        "prior-regularised gradient dynamics"},
            "compartments": {
                "inputs": {"j": "input current (scaled by R and by f'(z) when stateful)",
                           "j_td": "top-down / modulatory input current"},
                "states": {"z": "rate activity (pre-activation state)",
                           "Wl_weights": "(use_lateral) lateral synapses W_l",
                           "Wl_opt_params": "(adaptive_lateral) their optimizer statistics"},
                "analytics": {"Wl_dWeights": "(adaptive_lateral) last update of W_l"},
                "outputs": {"zF": "output activity output_scale * f(z)",
                            "zF_lat": "(use_lateral) lateral signal output_scale * f_lat(z)",
                            "j_lat": "(use_lateral) lateral current"},
            },
            "dynamics": "tau_m dz/dt = -gamma prior'(z) + R j f'(z) + j_lat + j_td; zF = f(z) * "
                        "output_scale (stateless when tau_m = 0: z = j + j_td); j_lat = "
                        "(zF_lat @ W_l) f_lat'(z) R",
            "hyperparameters": {
                "n_units": "number of units", "tau_m": "state time constant (0: stateless)",
                "prior": "(name, leak rate gamma): gaussian, laplacian, cauchy or exp",
                "act_fx": "activation f", "output_scale": "factor applied to f(z)",
                "threshold": "(kind, lambda): none, soft_threshold or cauchy_threshold",
                "integration_type": "euler/rk1 or midpoint/rk2",
                "batch_size": "batch dimension", "resist_scale": "input scaling factor R",
                "shape": "None or (height, width, channels)",
                "is_stateful": "False forces stateless mode",
                "use_lateral": "lateral (block-diagonal) synapses within the layer",
                "adaptive_lateral": "learn the lateral synapses (anti-Hebbian)",
                "exc_inh": "(exc, inh) initial lateral weights on / off the diagonal",
                "n_patch": "number of lateral blocks", "fx_lat": "activation of zF_lat",
                "Wl_eta": "lateral learning rate", "Wl_opt_type": "lateral optimizer",
                "Wl_prior": "(name, lambda) regulariser of the lateral synapses",
            },
        }
