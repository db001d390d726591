"""What every convolutional cable shares: argument checks, map compartments, the cable itself.

A cable holds NHWC maps: ``inputs`` (batch, n, n, n_in) and ``outputs`` (batch, m, m, n_out),
filters ``weights`` (k, k, n_in, n_out) and ``biases`` (1, 1, 1, n_out), one bias per output
channel. ``ConvSynapse`` and ``DeconvSynapse`` set the operator (``_forward``, ``_dK``, ``_dX``);
the Hebbian and STDP rules are mixins over either (see ``_rules.py``).
"""
from __future__ import annotations

import numbers

import jax
import jax.numpy as jnp

from ngclab.components.validation import check_count, check_kwargs, check_number, owner
from ngclab.components.synapses.convolution import ngcconv
from ngclab.core import Compartment, Component, Knob, WiringError, compilable
from ngclab.utils import as_initializer, initialize_params
from ngclab.utils.distribution_generator import DistributionGenerator


def _int(who: str, pname: str, v, low: int = 1) -> int:
    if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < low:
        raise ValueError(f"{who}: {pname} must be an integer >= {low}, got {v!r}")
    return int(v)


def check_padding(who: str, padding) -> str:
    """"SAME" or "VALID" (None, ngc-learn's default, means no padding: "VALID")."""
    if padding is None:
        return "VALID"
    if not isinstance(padding, str) or padding.upper() not in ngcconv.PADDINGS:
        raise ValueError(f"{who}: unknown padding {padding!r}; valid: "
                         f"{', '.join(ngcconv.PADDINGS)} (None means VALID)")
    return padding.upper()


def check_initializer(who: str, pname: str, init):
    try:
        return as_initializer(init)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{who}: {pname}: {err}") from None


def resist_alias(who: str, kwargs: dict, resist_scale):
    """ngc-learn 3.2.3's code calls resist_scale ``g_conduct_factor``; accept either name."""
    if "g_conduct_factor" in kwargs:
        g = kwargs.pop("g_conduct_factor")
        if resist_scale != 1.:
            raise TypeError(f"{who}: give resist_scale or g_conduct_factor, not both")
        resist_scale = g
    return check_number(who, "resist_scale", resist_scale)


def cable_geometry(who: str, op: str, shape, x_shape, stride, padding, batch_size) -> dict:
    """Validated sizes of a square conv ("conv") or transposed conv ("deconv") cable."""
    if not isinstance(shape, (tuple, list)) or len(shape) != 4:
        raise ValueError(f"{who}: shape must be (k, k, n_in_channels, n_out_channels), got "
                         f"{shape!r}")
    k, k2, ci, co = (_int(who, f"shape[{i}]", d) for i, d in enumerate(shape))
    if k != k2:
        raise ValueError(f"{who}: filters must be square, got shape {tuple(shape)} "
                         f"({k} x {k2})")
    if not isinstance(x_shape, (tuple, list)) or len(x_shape) != 2:
        raise ValueError(f"{who}: x_shape must be (height, width) of the input map, got "
                         f"{x_shape!r}")
    n, n2 = (_int(who, f"x_shape[{i}]", d) for i, d in enumerate(x_shape))
    if n != n2:
        raise ValueError(f"{who}: input maps must be square, got x_shape {tuple(x_shape)}")
    s = _int(who, "stride", stride)
    padding = check_padding(who, padding)
    b = check_count(who, "batch_size", batch_size)
    if op == "conv":
        lo, hi = ngcconv.conv_padding(n, k, s, padding)
        if n + lo + hi < k:
            raise ValueError(f"{who}: a {k}x{k} filter does not fit a {n}x{n} input map with "
                             f"{padding} padding (shape {tuple(shape)}, x_shape "
                             f"{tuple(x_shape)}, padding {padding!r}); use a smaller kernel, a "
                             f"larger map or padding='SAME'")
        geo = ngcconv.conv_geometry(n, k, s, padding)
    else:
        geo = ngcconv.deconv_geometry(n, k, s, padding)
    geo.update(k=k, n_in=ci, n_out=co, n=n, stride=s, padding=padding, batch_size=b,
               in_shape=(b, n, n, ci), out_shape=(b, geo["m"], geo["m"], co))
    return geo


class MapCompartment(Compartment):
    """An NHWC map. Wiring into it also requires the per-sample (H, W, C) to match exactly;
    only the batch axis may broadcast (from 1)."""

    def __init__(self, value, kind="input", role="map", **kwargs):
        super().__init__(value, kind=kind, **kwargs)
        self.role = role

    def wire_from(self, src) -> None:
        want = tuple(self.default.shape)
        got = tuple(src.shape)
        if len(got) != len(want) or got[1:] != want[1:] or got[0] not in (1, want[0]):
            who = owner(type(self.owner), self.owner.name) if self.owner else "?"
            raise WiringError(
                f"{who}: cannot wire {_describe(src)} of shape {got} into {self.path} of shape "
                f"{want}: the {self.role} must be (batch, {want[1]}, {want[2]}, {want[3]}) "
                f"(height, width, channels), batch {want[0]} or 1")
        super().wire_from(src)


def _describe(src) -> str:
    return getattr(src, "path", None) or repr(src)


def read_map(comp: Compartment) -> jnp.ndarray:
    """A map compartment's value at its declared shape (a wired batch of 1 is broadcast)."""
    v = comp.get()
    want = tuple(comp.default.shape)
    if tuple(v.shape) != want:
        if tuple(v.shape)[1:] != want[1:] or v.shape[0] != 1:
            raise ValueError(f"{comp.path}: got a map of shape {tuple(v.shape)}, expected {want}")
        v = jnp.broadcast_to(v, want)
    return v


class ConvCable(Component):
    """Base of ConvSynapse / DeconvSynapse (see their docs). Not a component on its own."""

    inputs: Compartment
    outputs: Compartment
    weights: Compartment
    biases: Compartment
    resist_scale: Knob

    _op = "conv"

    def __init__(self, name, shape, x_shape, filter_init=None, bias_init=None, stride=1,
                 padding=None, resist_scale=1., batch_size=1, **kwargs):
        who = owner(type(self), name)
        resist_scale = resist_alias(who, kwargs, resist_scale)
        check_kwargs(who, kwargs, ("key",))
        geo = cable_geometry(who, self._op, shape, x_shape, stride, padding, batch_size)
        check_initializer(who, "filter_init", filter_init)
        check_initializer(who, "bias_init", bias_init)
        super().__init__(name, **kwargs)
        # if this raises, the core removes the half-built component (the Context is unchanged)
        self._build_cable(geo, filter_init, bias_init, resist_scale)

    def _build_cable(self, geo, filter_init, bias_init, resist_scale) -> None:
        self.geometry = geo
        k, ci, co = geo["k"], geo["n_in"], geo["n_out"]
        self.shape = (k, k, ci, co)
        self.x_size, self.stride, self.padding = geo["n"], geo["stride"], geo["padding"]
        self.batch_size = geo["batch_size"]
        self.in_shape, self.out_shape = geo["in_shape"], geo["out_shape"]
        self.pad_args = geo["pad"]
        self.filter_init = filter_init if filter_init is not None else \
            DistributionGenerator.uniform(0.025, 0.8)
        self.bias_init = bias_init
        # ngc-learn 3.2.3's key use: (_, k_filter, _, k_bias) = split(key, 4)
        _, k_w, _, k_b = jax.random.split(self.key.get(), 4)
        weights = jnp.asarray(initialize_params(k_w, self.filter_init, self.shape), jnp.float32)
        if bias_init is None:
            biases = jnp.zeros((1, 1, 1, co), jnp.float32)
        else:  # drawn as a (1, n_out) row, one bias per output channel
            biases = jnp.reshape(jnp.asarray(initialize_params(k_b, bias_init, (1, co)),
                                             jnp.float32), (1, 1, 1, co))
        self.inputs = MapCompartment(jnp.zeros(self.in_shape), kind="input", role="input map",
                                     display_name="Input map")
        self.outputs = Compartment(jnp.zeros(self.out_shape), kind="output",
                                   display_name="Output map")
        self.weights = Compartment(weights, kind="parameter", display_name="Filters")
        self.biases = Compartment(biases, kind="parameter", display_name="Biases")
        self.resist_scale = Knob(resist_scale, doc="scale R of the synaptic transform")

    @property
    def g_conduct_factor(self):
        """ngc-learn 3.2.3's code name of ``resist_scale``."""
        return self.resist_scale

    @property
    def has_bias(self) -> bool:
        return self.bias_init is not None

    # -- the operator (set by ConvSynapse / DeconvSynapse) --------------------------------------
    def _forward(self, x, K):  # pragma: no cover - abstract
        raise NotImplementedError

    def _dK(self, pre, post):  # pragma: no cover - abstract
        raise NotImplementedError

    def _dX(self, K, post):  # pragma: no cover - abstract
        raise NotImplementedError

    # -- dynamics ---------------------------------------------------------------------------------
    @compilable
    def advance_state(self):
        y = self._forward(read_map(self.inputs), self.weights.get()) * self.resist_scale.get()
        self.outputs.set(y + self.biases.get())

    @compilable
    def reset(self):
        for c in self._zeroed():
            if not c.targeted:
                c.set(jnp.zeros(c.default.shape))

    def _zeroed(self) -> list:
        return [self.inputs, self.outputs]


def cable_help(cls, kind: str, rule: str | None) -> dict:
    """ngc-learn style help() of a cable class; ``rule`` is None, "hebbian" or "stdp"."""
    sym = "@" if kind == "conv" else "@.T"
    word = "convolution" if kind == "conv" else "deconvolution (transposed convolution)"
    desc = f"{cls.__name__} - performs a synaptic {word} ({sym}) of input maps"
    comps = {"inputs": {"inputs": "Input map (batch, height, width, in channels)"},
             "states": {"weights": "Synaptic filter values (k, k, in channels, out channels)",
                        "biases": "Bias per output channel (1, 1, 1, out channels)",
                        "key": "JAX PRNG key"},
             "outputs": {"outputs": "Output map of the synaptic transformation"}}
    hyper = {"shape": "Filter shape: k x k x in channels x out channels (square filters)",
             "x_shape": "(height, width) of an input map (square maps)",
             "filter_init": "Initializer of the filters K (Default: uniform(0.025, 0.8))",
             "bias_init": "Initializer of the biases b (None: no biases)",
             "resist_scale": "Scale R applied to the transform (g_conduct_factor in ngc-learn "
                             "3.2.3's code)",
             "stride": "Stride of the operator",
             "padding": "SAME or VALID (None means VALID)",
             "batch_size": "Batch size of the maps"}
    dynamics = f"outputs = [K {sym} inputs] * R + b"
    if rule == "hebbian":
        desc += "; filters adapt by a two-factor Hebbian rule through an optimizer"
        comps["inputs"].update(pre="Pre-synaptic statistic of the Hebbian rule (z_j)",
                               post="Post-synaptic statistic of the Hebbian rule (z_i)")
        comps["states"]["opt_params"] = "Optimizer statistics (flattened)"
        comps["analytics"] = {"dWeights": "Filter update produced at time t",
                              "dBiases": "Bias update produced at time t"}
        comps["outputs"]["dInputs"] = "Back-transmitted signal (post through the transposed map)"
        hyper.update(eta="Learning rate", w_bound="Filters are clipped to this bound (0: off)",
                     is_nonnegative="Keep filters >= 0 after each update",
                     w_decay="L2 decay of the filters in the update (not of the biases)",
                     sign_value="Factor on the update and dInputs (the optimizer subtracts: -1 "
                                "climbs the Hebbian direction)",
                     optim_type="Optimizer: sgd, adam (or nag)")
        dynamics += ("; dK = sign * (pre (x) post) - w_decay * K (the filter vjp of the "
                     "transform); db = sign * sum(post); (K, b) <- optimizer step")
    elif rule == "stdp":
        desc += "; filters adapt by trace-based spike-timing-dependent plasticity"
        del hyper["bias_init"]
        comps["inputs"].update(preSpike="Pre-synaptic spikes (s_j)",
                               postSpike="Post-synaptic spikes (s_i)",
                               preTrace="Pre-synaptic trace (z_j)",
                               postTrace="Post-synaptic trace (z_i)")
        comps["states"]["eta"] = "Global learning rate"
        comps["analytics"] = {"dWeights": "Filter update produced at time t"}
        comps["outputs"]["dInputs"] = "Back-transmitted signal (postSpike through the "\
                                      "transposed map)"
        hyper.update(A_plus="Strength of long-term potentiation (LTP)",
                     A_minus="Strength of long-term depression (LTD)",
                     eta="Global learning rate",
                     pretrace_target="Pre-synaptic trace target x_tar",
                     w_bound="Filters are clipped to [0.01, w_bound - 0.01] (0: off)",
                     w_decay="Decay of the filters per update")
        dynamics += ("; dK = A_plus * ((z_j - x_tar) (x) s_i) - A_minus * (s_j (x) z_i); "
                     "K <- K + eta * dK - w_decay * K")
    return {cls.__name__: {"synapse_type": desc}, "compartments": comps,
            "dynamics": dynamics, "hyperparameters": hyper}
