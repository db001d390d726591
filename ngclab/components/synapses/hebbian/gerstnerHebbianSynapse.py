"""GerstnerHebbianSynapse: a dense cable adjusted by Gerstner & Kistler's general Hebbian rule.

Transform (as DenseSynapse, no biases): outputs = ((x @ (W * mask)) * gate) * g_conduct_factor.
The rule is the Taylor expansion of dW/dt in the pre-synaptic activity x = ``pre`` and the
post-synaptic activity y = ``post`` (Gerstner & Kistler 2002, Eq. 3), up to the bilinear term,
each statistic averaged over the B samples of the batch:

| dW_ij = c0 W_ij + c1_pre <x_i> + c1_post <y_j> + c2_corr <x_i y_j>
| <x_i> = (1/B) sum_b x_bi,  <y_j> = (1/B) sum_b y_bj,  <x_i y_j> = (1/B) (x^T y)_ij
| W <- (W + eta * sign_value * dW) * mask

c2_corr > 0 (the rest 0) is plain Hebbian learning, c2_corr < 0 anti-Hebbian; c2_corr = 1 with
c1_pre = -theta (a threshold on the pre-synaptic activity) gives a covariance-like rule; c0 < 0
is a synaptic decay.

Differences from ngc-learn 3.2.3, where it is broken: ``pre`` has the cable's input width and
``post`` its output width (ngc-learn swaps them, so before its inputs are wired a non-square
cable cannot learn); the statistics average over the batch that arrives (ngc-learn divides by
the constructor's batch_size); ``sign_value`` multiplies the update (ngc-learn stores it and
ignores it); the p_conn mask persists through learning (see DenseSynapse).

Compartments: DenseSynapse's + pre, post (inputs), dWeights (output).
Knobs: eta, sign_value, c0, c1_pre, c1_post, c2_corr, g_conduct_factor.

| Reference: Gerstner, W. and Kistler, W.M., 2002. Mathematical formulations of Hebbian
| learning. Biological Cybernetics, 87(5), pp.404-415.
"""
from __future__ import annotations

import jax.numpy as jnp

from ngclab.core import Compartment, Knob, compilable
from ngclab.components.layers import reset_compartments
from ngclab.components.validation import check_kwargs, check_number, owner
from ngclab.components.synapses.denseSynapse import DenseSynapse, alias_resist_scale

#: the expansion coefficients and their values without ``coeffs`` (plain bilinear Hebb)
COEFFS = {"c0": 0., "c1_pre": 0., "c1_post": 0., "c2_corr": 1.}
COEFF_DOCS = {"c0": "coefficient of W (synaptic decay if < 0)",
              "c1_pre": "coefficient of the pre-synaptic activity <x_i>",
              "c1_post": "coefficient of the post-synaptic activity <y_j>",
              "c2_corr": "coefficient of the correlation <x_i y_j> (> 0 Hebbian)"}


def parse_coeffs(who: str, coeffs) -> dict:
    """The four expansion coefficients from ``coeffs`` (a dict; absent ones take COEFFS')."""
    if coeffs is None:
        return dict(COEFFS)
    if not isinstance(coeffs, dict):
        raise TypeError(f"{who}: coeffs must be a dict with keys {', '.join(COEFFS)}, "
                        f"got {coeffs!r}")
    unknown = sorted(set(coeffs) - set(COEFFS), key=str)
    if unknown:
        raise ValueError(f"{who}: coeffs has unknown key(s) {unknown}; valid: "
                         f"{', '.join(COEFFS)}")
    return {k: check_number(who, f"coeffs[{k!r}]", coeffs.get(k, v)) for k, v in COEFFS.items()}


class GerstnerHebbianSynapse(DenseSynapse):
    """A dense synaptic cable learning by Gerstner & Kistler's expansion of the Hebbian rule.

    | dW_ij/dt = c0 W_ij + c1_pre x_i + c1_post y_j + c2_corr x_i y_j   (batch means)

    Args:
        name, shape, weight_init, p_conn, batch_size: as DenseSynapse (no biases)
        eta: learning rate (Default: 0.01)
        coeffs: dict of the expansion coefficients c0, c1_pre, c1_post, c2_corr (absent keys:
            0, 0, 0, 1; None: plain Hebb)
        sign_value: factor applied to the update (-1 turns the ascent into a descent)
        g_conduct_factor: conductance factor of the transform (``resist_scale`` accepted)
        **kwargs: key, and DenseSynapse's p_release_mean, max_delay_steps, mask
    """

    pre: Compartment
    post: Compartment
    dWeights: Compartment
    eta: Knob
    sign_value: Knob
    c0: Knob
    c1_pre: Knob
    c1_post: Knob
    c2_corr: Knob

    def __init__(self, name, shape, eta=0.01, coeffs=None, weight_init=None, p_conn=1.,
                 g_conduct_factor=1., sign_value=1., batch_size=1, **kwargs):
        who = owner(type(self), name)
        g = alias_resist_scale(who, kwargs, g_conduct_factor)
        check_kwargs(who, kwargs, ("key", "p_release_mean", "max_delay_steps", "mask"))
        eta = check_number(who, "eta", eta)
        sign_value = check_number(who, "sign_value", sign_value)
        c = parse_coeffs(who, coeffs)
        super().__init__(name, shape, weight_init=weight_init, bias_init=None,
                         g_conduct_factor=g, p_conn=p_conn, batch_size=batch_size, **kwargs)
        # if this raises, the core removes the half-built component (the Context is unchanged)
        n_in, n_out = self.shape
        self.pre = Compartment(jnp.zeros((self.batch_size, n_in)), kind="input",
                               display_name="pre-synaptic activity")
        self.post = Compartment(jnp.zeros((self.batch_size, n_out)), kind="input",
                                display_name="post-synaptic activity")
        self.dWeights = Compartment(jnp.zeros(self.shape), kind="output")
        self.eta = Knob(eta, doc="learning rate")
        self.sign_value = Knob(sign_value, doc="factor on the update (-1: descent)")
        self.c0 = Knob(c["c0"], doc=COEFF_DOCS["c0"])
        self.c1_pre = Knob(c["c1_pre"], doc=COEFF_DOCS["c1_pre"])
        self.c1_post = Knob(c["c1_post"], doc=COEFF_DOCS["c1_post"])
        self.c2_corr = Knob(c["c2_corr"], doc=COEFF_DOCS["c2_corr"])

    @property
    def coeffs(self) -> dict:
        """The expansion coefficients as ngc-learn's ``coeffs`` dict (current knob values)."""
        return {k: float(getattr(self, k).get()) for k in COEFFS}

    @compilable
    def evolve(self, t=0., dt=1.):  # t, dt unused: one step of the expansion
        W, x, y = self.weights.get(), self.pre.get(), self.post.get()
        per_sample = 1. / x.shape[0]
        mean_pre = jnp.sum(x, axis=0)[:, None] * per_sample      # <x_i>, a column
        mean_post = jnp.sum(y, axis=0)[None, :] * per_sample     # <y_j>, a row
        correlation = jnp.matmul(x.T, y) * per_sample            # <x_i y_j>
        # the activity terms first, then the W term (this order also keeps a run() step and a
        # scan step bit-identical: XLA fuses the two the same way)
        activity = (self.c2_corr.get() * correlation + self.c1_pre.get() * mean_pre
                    + self.c1_post.get() * mean_post)
        dW = activity + self.c0.get() * W
        dW = dW * self.sign_value.get()
        self.weights.set((W + self.eta.get() * dW) * self.mask.get())
        self.dWeights.set(dW)

    @compilable
    def reset(self):
        super().reset()
        # zeros; wired inputs keep their wire
        reset_compartments([self.pre, self.post, self.dWeights])

    def _batched(self) -> list:
        n_in, n_out = self.shape
        return super()._batched() + [(self.pre, 0., (n_in,)), (self.post, 0., (n_out,))]

    @classmethod
    def help(cls):
        info = super().help()
        info[cls.__name__] = {"synapse_type": "GerstnerHebbianSynapse - a dense synaptic "
                                              "transform adjusted by Gerstner & Kistler's "
                                              "expansion of the Hebbian rule"}
        info["compartments"]["inputs"].update({"pre": "pre-synaptic activity (x_i)",
                                               "post": "post-synaptic activity (y_j)"})
        info["compartments"]["outputs"]["dWeights"] = "update of W computed at time t"
        info["dynamics"] = ("outputs = ((x @ W) * gate) * g_conduct_factor; "
                            "dW_ij = sign_value * (c0 W_ij + c1_pre <x_i> + c1_post <y_j> + "
                            "c2_corr <x_i y_j>); W <- W + eta dW")
        info["hyperparameters"].update({
            "eta": "learning rate",
            "coeffs": "dict of the expansion coefficients c0, c1_pre, c1_post, c2_corr",
            "sign_value": "factor on the update (-1: descent)"})
        info["hyperparameters"].pop("bias_init", None)
        return info
