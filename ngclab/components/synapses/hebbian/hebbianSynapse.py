"""HebbianSynapse: a dense cable adjusted by a two-factor Hebbian rule through an optimizer.

Transform (as DenseSynapse): outputs = ((x @ (W * mask)) * gate) * g_conduct_factor + b.
Update, with q_pre = pre_wght, q_post = post_wght and sign s = sign_value:

| dW = s * [ (q_pre pre)^T (q_post post) * B(W) + reg(W) ] ;   db = s * sum_batch q_post post
| B(W) = w_bound - |W| if w_bound > 0 else 1                          (soft bound)
| reg(W) = 0 (constant) | -lambda W (l2/ridge/gaussian) | -lambda sign(W) (l1/lasso/laplacian)
|        | -lambda [r sign(W) + (1 - r) W / 2] (l1l2/elastic_net, prior = (name, (lambda, r)))
| (W, b) <- optimizer step with rate eta; the step SUBTRACTS eta * update (ngc-learn's
|           convention: sign_value = -1 climbs the Hebbian direction)
| W <- clip(W, 0 or -w_bound, w_bound) if w_bound > 0;  W <- max(W, 0) if only is_nonnegative
| W <- W * mask                                   (p_conn / mask connections stay absent)

b is learned only with a ``bias_init``. ``w_decay`` > 0 means prior ("l2", w_decay).
Optimizer statistics (sgd: step count; adam: moments and step count) live, flattened into one
float32 vector, in the ``opt_params`` compartment, so snapshots and save/load carry them;
``opt_state()`` returns them as the optimizer's pytree. ``save(dir)`` (which ``save_to_json``
calls) also writes ``<name>_opt_params.pkl``, the optimizer's pytree pickled as ngc-learn's
``load`` reads it, so that ngc-learn can load the folder; ngclab writes that file for ngc-learn
only and never reads it (unpickling can run code).

Differences from ngc-learn 3.2.3, where it is broken: ``is_nonnegative`` without a w_bound
clamps W at 0 (ngc-learn then ignores it); ``w_decay=`` given by keyword works (ngc-learn
rebinds it to ``prior`` and fails); the p_conn mask persists (see DenseSynapse).

Compartments: DenseSynapse's + pre, post (inputs), dWeights, dBiases (outputs), opt_params.
Knobs: eta, sign_value, pre_wght, post_wght, prior_lmbda (+ l1_ratio), g_conduct_factor.
"""
from __future__ import annotations

import os
import pickle

import jax
import jax.numpy as jnp
import numpy as np

from ngclab.core import Compartment, Knob, compilable
from ngclab.components.layers import reset_compartments
from ngclab.components.validation import (
    check_choice,
    check_flag,
    check_kwargs,
    check_number,
    owner,
)
from ngclab.components.synapses.denseSynapse import DenseSynapse, alias_resist_scale
from ngclab.utils.optim import OPTIMIZER_NAMES, get_opt_init_fn, get_opt_step_fn

PRIORS = {"constant": "constant", "l2": "ridge", "ridge": "ridge", "gaussian": "ridge",
          "l1": "lasso", "lasso": "lasso", "laplacian": "lasso",
          "l1l2": "elastic_net", "elastic_net": "elastic_net"}
DENSE_KWARGS = ("key", "p_release_mean", "max_delay_steps", "mask")


def parse_prior(who: str, prior, w_decay: float) -> tuple[str, float, float]:
    """(kind, lambda, l1_ratio) from ngc-learn's ``prior`` tuple and ``w_decay``."""
    if w_decay > 0.:
        return "ridge", w_decay, 0.
    if not isinstance(prior, (tuple, list)) or len(prior) != 2:
        raise ValueError(f"{who}: prior must be a (name, lambda) pair, e.g. ('l2', 0.01), got "
                         f"{prior!r}")
    name = "constant" if prior[0] is None else prior[0]
    kind = PRIORS.get(name.lower()) if isinstance(name, str) else None
    if kind is None:
        raise ValueError(f"{who}: unknown prior {prior[0]!r}; valid: {', '.join(PRIORS)}")
    if kind == "elastic_net":
        lm = prior[1]
        if not isinstance(lm, (tuple, list)) or len(lm) != 2:
            raise ValueError(f"{who}: an elastic_net prior takes (name, (lambda, l1_ratio)), "
                             f"got {prior!r}")
        ratio = check_number(who, "prior l1_ratio", lm[1], low=0.)
        if ratio > 1.:
            raise ValueError(f"{who}: prior l1_ratio must be in [0, 1], got {ratio}")
        return kind, check_number(who, "prior lambda", lm[0], low=0.), ratio
    return kind, check_number(who, "prior lambda", prior[1], low=0.), 0.


class HebbianSynapse(DenseSynapse):
    """A dense synaptic cable adjusted by a two-factor Hebbian rule (pre^T post).

    Args:
        name, shape, weight_init, bias_init, p_conn, batch_size: as DenseSynapse
        eta: learning rate of the optimizer (Default: 0.)
        w_bound: soft bound: scales updates by (w_bound - |W|) and clips W to it; 0 disables
            (Default: 1.)
        is_nonnegative: keep W >= 0 after each update
        prior: (name, lambda) regulariser of W: "constant" (none), "l1"/"lasso"/"laplacian",
            "l2"/"ridge"/"gaussian", or ("l1l2"/"elastic_net", (lambda, l1_ratio))
        w_decay: if > 0, shorthand for prior ("l2", w_decay)
        sign_value: factor applied to the computed update (-1 for the ascent form)
        optim_type: "sgd", "adam" (or "nag")
        pre_wght, post_wght: factors q_pre, q_post on the pre/post statistics
        g_conduct_factor: conductance factor of the transform (``resist_scale`` accepted)
        **kwargs: key, and DenseSynapse's p_release_mean, max_delay_steps, mask
    """

    pre: Compartment
    post: Compartment
    dWeights: Compartment
    dBiases: Compartment
    opt_params: Compartment
    eta: Knob
    sign_value: Knob
    pre_wght: Knob
    post_wght: Knob

    def __init__(self, name, shape, eta=0., weight_init=None, bias_init=None, w_bound=1.,
                 is_nonnegative=False, prior=("constant", 0.), w_decay=0., sign_value=1.,
                 optim_type="sgd", pre_wght=1., post_wght=1., p_conn=1., g_conduct_factor=1.,
                 batch_size=1, **kwargs):
        who = owner(type(self), name)
        g = alias_resist_scale(who, kwargs, g_conduct_factor)
        check_kwargs(who, kwargs, DENSE_KWARGS)
        eta = check_number(who, "eta", eta)
        w_bound = check_number(who, "w_bound", w_bound, low=0.)
        kind, lmbda, l1_ratio = parse_prior(who, prior,
                                            check_number(who, "w_decay", w_decay, low=0.))
        check_flag(who, "is_nonnegative", is_nonnegative)
        vals = {k: check_number(who, k, v) for k, v in
                (("sign_value", sign_value), ("pre_wght", pre_wght), ("post_wght", post_wght))}
        check_choice(who, "optim_type", optim_type, OPTIMIZER_NAMES)
        super().__init__(name, shape, weight_init=weight_init, bias_init=bias_init,
                         g_conduct_factor=g, p_conn=p_conn, batch_size=batch_size, **kwargs)
        # if this raises, the core removes the half-built component (the Context is unchanged)
        self.w_bound, self.is_nonnegative = w_bound, bool(is_nonnegative)
        self.prior_type, self.optim_type = kind, optim_type
        self.opt = get_opt_step_fn(optim_type)
        n_in, n_out = self.shape
        self.pre = Compartment(jnp.zeros((self.batch_size, n_in)), kind="input")
        self.post = Compartment(jnp.zeros((self.batch_size, n_out)), kind="input")
        self.dWeights = Compartment(jnp.zeros(self.shape), kind="output")
        self.dBiases = Compartment(jnp.zeros((1, n_out)), kind="output")
        state = get_opt_init_fn(optim_type)(self._learned())
        leaves, self._opt_tree = jax.tree_util.tree_flatten(state)
        self._opt_shapes = [tuple(jnp.shape(x)) for x in leaves]
        self.opt_params = Compartment(self._flatten(state), kind="state",
                                      display_name="optimizer statistics (flattened)")
        self.eta = Knob(eta, doc="learning rate")
        self.sign_value = Knob(vals["sign_value"], doc="factor on the update (-1: ascent)")
        self.pre_wght = Knob(vals["pre_wght"], doc="factor q_pre on the pre statistic")
        self.post_wght = Knob(vals["post_wght"], doc="factor q_post on the post statistic")
        if kind != "constant":
            self.prior_lmbda = Knob(lmbda, low=0., doc=f"strength of the {kind} prior")
        if kind == "elastic_net":
            self.l1_ratio = Knob(l1_ratio, low=0., high=1., doc="share of l1 in the prior")

    # -- optimizer statistics as one flat vector ------------------------------------------------
    def _learned(self) -> list:
        return [self.weights.get(), self.biases.get()] if self.bias_init is not None \
            else [self.weights.get()]

    @staticmethod
    def _flatten(state) -> jnp.ndarray:
        leaves = jax.tree_util.tree_leaves(state)
        return jnp.concatenate([jnp.ravel(jnp.asarray(x, jnp.float32)) for x in leaves])

    def _unflatten(self, flat):
        sizes = [int(np.prod(s)) for s in self._opt_shapes]
        parts = jnp.split(flat, np.cumsum(sizes)[:-1]) if len(sizes) > 1 else [flat]
        leaves = [jnp.reshape(p, s) for p, s in zip(parts, self._opt_shapes)]
        return jax.tree_util.tree_unflatten(self._opt_tree, leaves)

    def opt_state(self):
        """The optimizer statistics as the optimizer's own pytree (e.g. adam: (m, v, t))."""
        return self._unflatten(self.opt_params.get())

    # -- ngc-learn's per-component files -----------------------------------------------------------
    def save(self, directory: str) -> str:
        """``<directory>/<name>.npz`` (as every component), and ``<name>_opt_params.pkl`` for
        ngc-learn (see ``save_opt_params_for_ngclearn``)."""
        path = super().save(directory)
        self.save_opt_params_for_ngclearn(directory)
        return path

    def save_opt_params_for_ngclearn(self, directory: str) -> str:
        """Write ``<directory>/<name>_opt_params.pkl``: the optimizer statistics as ngc-learn
        keeps them (its optimizer's pytree of arrays, here numpy arrays), which ngc-learn's
        ``HebbianSynapse.load`` unpickles and cannot do without. Writing a pickle is safe;
        ngclab never reads one (``Context.load`` warns that the optimizer starts afresh)."""
        state = jax.tree_util.tree_map(lambda x: np.asarray(x, np.float32), self.opt_state())
        path = os.path.join(os.fspath(directory), f"{self.name}_opt_params.pkl")
        tmp = path + ".tmp"
        with open(tmp, "wb") as fh:
            pickle.dump(state, fh, protocol=4)
        os.replace(tmp, path)
        return path

    # -- learning ------------------------------------------------------------------------------
    def _compute_update(self):
        W = self.weights.get()
        pre = self.pre.get() * self.pre_wght.get()
        post = self.post.get() * self.post_wght.get()
        dW = jnp.matmul(pre.T, post)
        db = jnp.sum(post, axis=0, keepdims=True)
        if self.w_bound > 0.:
            dW = dW * (self.w_bound - jnp.abs(W))
        if self.prior_type == "ridge":
            dW = dW - W * self.prior_lmbda.get()
        elif self.prior_type == "lasso":
            dW = dW - jnp.sign(W) * self.prior_lmbda.get()
        elif self.prior_type == "elastic_net":
            r = self.l1_ratio.get()
            dW = dW + (-jnp.sign(W) * r - W * (1. - r) / 2.) * self.prior_lmbda.get()
        s = self.sign_value.get()
        return dW * s, db * s

    @compilable
    def calc_update(self):
        """Compute dWeights / dBiases without applying them."""
        dW, db = self._compute_update()
        self.dWeights.set(dW)
        self.dBiases.set(db)

    @compilable
    def evolve(self, dt=1.):  # dt unused: one optimizer step
        dW, db = self._compute_update()
        learned = self._learned()
        updates = [dW, db] if self.bias_init is not None else [dW]
        state, new = self.opt(self._unflatten(self.opt_params.get()), learned, updates,
                              eta=self.eta.get())
        W = new[0]
        if self.w_bound > 0.:
            W = jnp.clip(W, 0. if self.is_nonnegative else -self.w_bound, self.w_bound)
        elif self.is_nonnegative:
            W = jnp.maximum(W, 0.)
        self.weights.set(W * self.mask.get())
        if self.bias_init is not None:
            self.biases.set(new[1])
        self.opt_params.set(self._flatten(state))
        self.dWeights.set(dW)
        self.dBiases.set(db)

    @compilable
    def reset(self):
        super().reset()
        # zeros; wired inputs keep their wire
        reset_compartments([self.pre, self.post, self.dWeights, self.dBiases])

    def _batched(self) -> list:
        n_in, n_out = self.shape
        return super()._batched() + [(self.pre, 0., (n_in,)), (self.post, 0., (n_out,))]

    @classmethod
    def help(cls):
        info = super().help()
        info[cls.__name__] = {"synapse_type": "HebbianSynapse - a dense synaptic transform "
                                              "adjusted by a two-factor Hebbian rule"}
        info["compartments"]["inputs"].update({"pre": "pre-synaptic statistic (z_j)",
                                               "post": "post-synaptic statistic (z_i)"})
        info["compartments"]["states"]["opt_params"] = "optimizer statistics (flattened)"
        info["compartments"]["analytics"] = {"dWeights": "update of W computed at time t",
                                             "dBiases": "update of b computed at time t"}
        info["dynamics"] = ("outputs = ((x @ W) * gate) * g_conduct_factor + b; "
                            "dW = sign_value * [(q_pre pre)^T (q_post post) * (w_bound - |W|) + "
                            "reg(W)]; W <- optimizer(W, dW, eta)")
        info["hyperparameters"].update({
            "eta": "learning rate", "w_bound": "soft bound of W (0: none)",
            "is_nonnegative": "keep W >= 0", "prior": "(name, lambda) regulariser of W",
            "w_decay": "shorthand for prior ('l2', w_decay)",
            "sign_value": "factor on the update (-1: Hebbian ascent)",
            "optim_type": "optimizer: sgd, adam or nag",
            "pre_wght": "factor q_pre on pre", "post_wght": "factor q_post on post"})
        return info
