"""The plasticity rules of the conv/deconv cables, written once for both operators.

With the cable's transform y = K * x (``*`` the convolution or the transposed convolution),
``dK(a, g)`` is the filter vector-Jacobian product sum_{n, positions} patch(a) (x) g and
``dX(K, g)`` the input vector-Jacobian product (g sent back through the transposed map).

Hebbian (two-factor), with sign s = sign_value:

| dWeights = s * dK(pre, post) - w_decay * K ;  dBiases = s * sum_{batch, rows, cols} post
| (K, b) <- optimizer step (sgd / adam / nag) with rate eta; the step SUBTRACTS eta * update
| K <- clip(K, 0 if is_nonnegative else -w_bound, w_bound) if w_bound > 0
| K <- max(K, 0) if is_nonnegative and w_bound == 0
| dInputs = s * dX(K, post)

Trace STDP:

| dWeights = A_plus * dK(preTrace - pretrace_target, postSpike)
|          - A_minus * dK(preSpike, postTrace)
| K <- K + eta * dWeights - w_decay * K ;  K <- clip(K, 0.01, w_bound - 0.01) if w_bound > 0
| dInputs = dX(K, postSpike)

Optimizer statistics live flattened in one float32 vector (``opt_params``) so that snapshots,
scans and save/load carry them; ``opt_state()`` gives the optimizer's own pytree.
"""
from __future__ import annotations

import jax.numpy as jnp
from jax.flatten_util import ravel_pytree

from ngclab.components.validation import check_choice, check_flag, check_number
from ngclab.components.synapses.convolution._common import MapCompartment, read_map
from ngclab.components.synapses.hebbian._stdp import trace_stdp
from ngclab.core import Compartment, Knob, compilable
from ngclab.utils.optim import OPTIMIZER_NAMES, get_opt_init_fn, get_opt_step_fn

STDP_MARGIN = 0.01  # ngc-learn's margin inside the STDP bound: filters in [m, w_bound - m]


def check_hebbian(who, eta, w_bound, is_nonnegative, w_decay, sign_value, optim_type) -> dict:
    check_choice(who, "optim_type", optim_type, OPTIMIZER_NAMES)
    return {"eta": check_number(who, "eta", eta),
            "w_bound": check_number(who, "w_bound", w_bound, low=0.),
            "is_nonnegative": check_flag(who, "is_nonnegative", is_nonnegative),
            "w_decay": check_number(who, "w_decay", w_decay, low=0.),
            "sign_value": check_number(who, "sign_value", sign_value),
            "optim_type": optim_type}


def check_stdp(who, A_plus, A_minus, eta, pretrace_target, w_bound, w_decay) -> dict:
    bound = check_number(who, "w_bound", w_bound, low=0.)
    if 0. < bound <= 2. * STDP_MARGIN:
        # the clip interval [margin, w_bound - margin] would be empty: every filter -> w_bound - m
        raise ValueError(f"{who}: w_bound must be 0 (no bound) or > {2. * STDP_MARGIN} (filters "
                         f"are clipped to [{STDP_MARGIN}, w_bound - {STDP_MARGIN}]), got {bound}")
    return {"A_plus": check_number(who, "A_plus", A_plus),
            "A_minus": check_number(who, "A_minus", A_minus),
            "eta": check_number(who, "eta", eta),
            "pretrace_target": check_number(who, "pretrace_target", pretrace_target),
            "w_bound": bound,
            "w_decay": check_number(who, "w_decay", w_decay, low=0.)}


class _Rule:
    """Builds a rule's compartments after the cable (if that fails, the core removes the
    half-built component: a constructor that raises leaves its Context unchanged)."""

    def _build_rule(self, rule: dict) -> None:
        self._build(rule)

    def _build(self, rule: dict) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _map(self, value, role: str, kind: str = "input") -> MapCompartment:
        return MapCompartment(value, kind=kind, role=role)


class HebbianRule(_Rule):
    """Two-factor Hebbian plasticity of a conv/deconv cable (see the module docstring)."""

    pre: Compartment
    post: Compartment
    dWeights: Compartment
    dBiases: Compartment
    dInputs: Compartment
    opt_params: Compartment
    eta: Knob
    w_decay: Knob
    sign_value: Knob

    def _build(self, rule: dict) -> None:
        self.w_bound, self.is_nonnegative = rule["w_bound"], rule["is_nonnegative"]
        self.optim_type = rule["optim_type"]
        self.opt = get_opt_step_fn(self.optim_type)
        zin, zout = jnp.zeros(self.in_shape), jnp.zeros(self.out_shape)
        self.pre = self._map(zin, "pre-synaptic map (pre)")
        self.post = self._map(zout, "post-synaptic map (post)")
        self.dWeights = Compartment(jnp.zeros(self.shape), kind="output")
        self.dBiases = Compartment(jnp.zeros_like(self.biases.default), kind="output")
        self.dInputs = Compartment(zin, kind="output")
        flat, self._unravel = ravel_pytree(get_opt_init_fn(self.optim_type)(self._learned()))
        self.opt_params = Compartment(jnp.asarray(flat, jnp.float32), kind="state",
                                      display_name="optimizer statistics (flattened)")
        self.eta = Knob(rule["eta"], doc="learning rate")
        self.w_decay = Knob(rule["w_decay"], low=0., doc="L2 decay of the filters")
        self.sign_value = Knob(rule["sign_value"], doc="factor on the update (-1: Hebbian ascent)")

    def _learned(self) -> list:
        return [self.weights.get(), self.biases.get()] if self.has_bias else [self.weights.get()]

    def opt_state(self):
        """The optimizer statistics as the optimizer's own pytree (adam: (m, v, t))."""
        return self._unravel(self.opt_params.get())

    def _compute_update(self):
        sign = self.sign_value.get()
        post = read_map(self.post)
        dW = self._dK(read_map(self.pre), post) * sign - self.weights.get() * self.w_decay.get()
        if self.has_bias:
            dB = jnp.sum(post, axis=(0, 1, 2), keepdims=True) * sign
        else:
            dB = jnp.zeros_like(self.biases.get())
        return dW, dB

    @compilable
    def evolve(self):
        dW, dB = self._compute_update()
        theta, grads = self._learned(), [dW, dB] if self.has_bias else [dW]
        state, new = self.opt(self.opt_state(), theta, grads, eta=self.eta.get())
        W = new[0]
        if self.w_bound > 0.:
            W = jnp.clip(W, 0. if self.is_nonnegative else -self.w_bound, self.w_bound)
        elif self.is_nonnegative:
            W = jnp.maximum(W, 0.)
        self.weights.set(W)
        if self.has_bias:
            self.biases.set(new[1])
        self.opt_params.set(ravel_pytree(state)[0])
        self.dWeights.set(dW)
        self.dBiases.set(dB)

    @compilable
    def backtransmit(self):
        dX = self._dX(self.weights.get(), read_map(self.post)) * self.sign_value.get()
        self.dInputs.set(dX)

    def _zeroed(self) -> list:
        return [self.inputs, self.outputs, self.pre, self.post, self.dInputs]


class TraceSTDPRule(_Rule):
    """Trace-based STDP of a conv/deconv cable (see the module docstring)."""

    preSpike: Compartment
    preTrace: Compartment
    postSpike: Compartment
    postTrace: Compartment
    dWeights: Compartment
    dInputs: Compartment
    eta: Knob
    A_plus: Knob
    A_minus: Knob
    pretrace_target: Knob
    w_decay: Knob

    def _build(self, rule: dict) -> None:
        self.w_bound = rule["w_bound"]
        zin, zout = jnp.zeros(self.in_shape), jnp.zeros(self.out_shape)
        self.preSpike = self._map(zin, "pre-synaptic spike map (preSpike)")
        self.preTrace = self._map(zin, "pre-synaptic trace map (preTrace)")
        self.postSpike = self._map(zout, "post-synaptic spike map (postSpike)")
        self.postTrace = self._map(zout, "post-synaptic trace map (postTrace)")
        self.dWeights = Compartment(jnp.zeros(self.shape), kind="output")
        self.dInputs = Compartment(zin, kind="output")
        self.eta = Knob(rule["eta"], doc="global learning rate")
        self.A_plus = Knob(rule["A_plus"], doc="strength of long-term potentiation")
        self.A_minus = Knob(rule["A_minus"], doc="strength of long-term depression")
        self.pretrace_target = Knob(rule["pretrace_target"], doc="pre-synaptic trace target")
        self.w_decay = Knob(rule["w_decay"], low=0., doc="decay of the filters per update")

    def _compute_update(self):
        ltp, ltd = trace_stdp(read_map(self.preSpike), read_map(self.preTrace),
                              read_map(self.postSpike), read_map(self.postTrace),
                              self.A_plus.get(), self.A_minus.get(), self.pretrace_target.get(),
                              corr=self._dK)  # the dense rule with the filter correlation
        return ltp - ltd

    @compilable
    def evolve(self):
        dW = self._compute_update()
        W = self.weights.get()
        W = W + dW * self.eta.get() - W * self.w_decay.get()
        if self.w_bound > 0.:
            W = jnp.clip(W, STDP_MARGIN, self.w_bound - STDP_MARGIN)
        self.weights.set(W)
        self.dWeights.set(dW)

    @compilable
    def backtransmit(self):
        self.dInputs.set(self._dX(self.weights.get(), read_map(self.postSpike)))

    def _zeroed(self) -> list:
        return [self.inputs, self.outputs, self.preSpike, self.postSpike, self.preTrace,
                self.postTrace, self.dInputs]
