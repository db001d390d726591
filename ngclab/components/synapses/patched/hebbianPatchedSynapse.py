"""HebbianPatchedSynapse: a patched (block-diagonal) cable adjusted by a two-factor Hebbian rule.

Transform as PatchedSynapse: outputs = (inputs @ W) * resist_scale + b, pre_out = post_in @ W^T.
Update, with M the block structure (times ``block_mask``, and the p_conn connections):

| dW = s * [ (q_pre pre)^T (q_post post) * B(W) + reg(W) ] * M ;  db = s * sum_batch q_post post
| B(W) = w_bound - |W| if w_bound > 0 else 1
| reg(W) = 0 (None) | -lambda W (l2/ridge) | -lambda sign(W) (l1/lasso)
|        | -lambda [r sign(W) + (1 - r) W / 2] (l1l2/elastic_net, prior = (name, (lambda, r)))
| (W, b) <- optimizer step with rate eta (it SUBTRACTS eta * update; b only with a bias_init)
| W <- clip(W, 0 or -w_bound, w_bound) if w_bound > 0;  W <- max(W, 0) if only is_nonnegative
| W <- W * M                                             (updates stay inside the blocks)

Optimizer statistics live, flattened into one float32 vector, in ``opt_params`` (as in
HebbianSynapse), so snapshots and save/load carry them.

Differences from ngc-learn 3.2.3, where it is broken: ngc-learn keeps updates inside the
blocks by masking them where W == 0, which also freezes for good every weight inside a block
that starts at or reaches exactly 0 (a zero initializer, a clip at 0); ngclab masks with the
block structure itself. ``is_nonnegative`` without a w_bound clamps W at 0 (ngc-learn then
ignores it, as in HebbianSynapse). dBiases is (1, n_out) from the start (ngc-learn starts it
as (n_out,) and then writes (1, n_out)). See PatchedSynapse for the shape and bias differences.

Compartments: PatchedSynapse's + pre, post (inputs), dWeights, dBiases (outputs), opt_params.
Knobs: resist_scale, eta, sign_value, pre_wght, post_wght, prior_lmbda (+ l1_ratio).
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

from ngclab.components.synapses.hebbian.hebbianSynapse import HebbianSynapse, parse_prior
from ngclab.components.synapses.patched._patches import constrain, hebbian_update
from ngclab.components.synapses.patched.patchedSynapse import PatchedSynapse
from ngclab.components.validation import check_choice, check_flag, check_number, owner
from ngclab.core import Compartment, Knob, compilable
from ngclab.utils.optim import OPTIMIZER_NAMES, get_opt_init_fn, get_opt_step_fn


def as_block_mask(who: str, block_mask, shape: tuple) -> jnp.ndarray:
    """None (ones), or a numeric array broadcasting against the weight shape."""
    if block_mask is None:
        return jnp.ones(shape)
    try:
        mask = jnp.asarray(block_mask, dtype=jnp.float32)
    except (TypeError, ValueError):
        raise TypeError(f"{who}: block_mask must be an array of numbers, got "
                        f"{block_mask!r}") from None
    try:
        fits = jnp.broadcast_shapes(mask.shape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"{who}: block_mask of shape {tuple(mask.shape)} does not broadcast "
                         f"against the weight shape {shape}")
    return jnp.broadcast_to(mask, shape)


class HebbianPatchedSynapse(PatchedSynapse):
    """A patched synaptic cable adjusted by a two-factor Hebbian rule (pre^T post, in-block).

    Args:
        name, shape, n_sub_models, stride_shape, weight_init, bias_init, resist_scale, p_conn,
            batch_size: as PatchedSynapse
        eta: learning rate of the optimizer (Default: 0.)
        block_mask: optional multiplicative mask of W and of its updates (Default: None)
        w_bound: soft bound: scales updates by (w_bound - |W|) and clips W to it; 0 disables
            (Default: 1.)
        is_nonnegative: keep W >= 0 after each update (Default: False)
        prior: (name, lambda): None (none), "l1"/"lasso", "l2"/"ridge", or
            ("l1l2"/"elastic_net", (lambda, l1_ratio)) (Default: (None, 0.))
        sign_value: factor applied to the computed update (Default: 1.)
        optim_type: "sgd", "adam" or "nag" (Default: "sgd")
        pre_wght, post_wght: factors q_pre, q_post on the pre/post statistics (Default: 1.)
        **kwargs: key
    """
    pre: Compartment          # pre-synaptic statistic (B, n_in)
    post: Compartment         # post-synaptic statistic (B, n_out)
    dWeights: Compartment     # the update of W computed at the last evolve
    dBiases: Compartment      # the update of b computed at the last evolve
    opt_params: Compartment   # optimizer statistics, flattened
    eta: Knob
    sign_value: Knob
    pre_wght: Knob
    post_wght: Knob
    prior_lmbda: Knob         # with a prior
    l1_ratio: Knob            # with an elastic-net prior

    # the optimizer statistics are flattened as HebbianSynapse flattens them
    _flatten = staticmethod(HebbianSynapse._flatten)
    _unflatten = HebbianSynapse._unflatten
    _learned = HebbianSynapse._learned
    opt_state = HebbianSynapse.opt_state
    save_opt_params_for_ngclearn = HebbianSynapse.save_opt_params_for_ngclearn

    def save(self, directory: str) -> str:
        """``<name>.npz`` and ``<name>_opt_params.pkl``, which ngc-learn's load needs."""
        path = super().save(directory)
        self.save_opt_params_for_ngclearn(directory)
        return path

    def __init__(self, name, shape, n_sub_models=1, stride_shape=(0, 0), eta=0.,
                 weight_init=None, bias_init=None, block_mask=None, w_bound=1.,
                 is_nonnegative=False, prior=(None, 0.), sign_value=1., optim_type="sgd",
                 pre_wght=1., post_wght=1., p_conn=1., resist_scale=1., batch_size=1, **kwargs):
        super().__init__(name, shape, n_sub_models, stride_shape, weight_init, bias_init,
                         resist_scale, p_conn, batch_size, **kwargs)
        who = owner(type(self), name)
        eta = check_number(who, "eta", eta)
        self.w_bound = check_number(who, "w_bound", w_bound, low=0.)
        self.is_nonnegative = check_flag(who, "is_nonnegative", is_nonnegative)
        self.prior_type, lmbda, l1_ratio = parse_prior(who, prior, 0.)
        factors = {k: check_number(who, k, v) for k, v in
                   (("sign_value", sign_value), ("pre_wght", pre_wght), ("post_wght", post_wght))}
        self.optim_type = check_choice(who, "optim_type", optim_type, OPTIMIZER_NAMES)
        self.block_mask = as_block_mask(who, block_mask, self.shape)
        self.structure = self.w_masks * self.block_mask   # where W may be non-zero
        self.opt = get_opt_step_fn(optim_type)
        n_in, n_out = self.shape
        self.pre = Compartment(jnp.zeros((self.batch_size, n_in)), kind="input")
        self.post = Compartment(jnp.zeros((self.batch_size, n_out)), kind="input")
        self.dWeights = Compartment(jnp.zeros(self.shape), kind="output")
        self.dBiases = Compartment(jnp.zeros((1, n_out)), kind="output")
        state = get_opt_init_fn(optim_type)(self._learned())
        leaves, self._opt_tree = jax.tree_util.tree_flatten(state)
        self._opt_shapes = [tuple(jnp.shape(x)) for x in leaves]
        self.opt_params = Compartment(self._flatten(state),
                                      display_name="optimizer statistics (flattened)")
        self.eta = Knob(eta, doc="learning rate")
        self.sign_value = Knob(factors["sign_value"], doc="factor on the update")
        self.pre_wght = Knob(factors["pre_wght"], doc="factor q_pre on the pre statistic")
        self.post_wght = Knob(factors["post_wght"], doc="factor q_post on the post statistic")
        if self.prior_type != "constant":
            self.prior_lmbda = Knob(lmbda, low=0., doc=f"strength of the {self.prior_type} prior")
        if self.prior_type == "elastic_net":
            self.l1_ratio = Knob(l1_ratio, low=0., high=1., doc="share of l1 in the prior")

    def _update(self):
        with_prior = self.prior_type != "constant"
        return hebbian_update(
            self.pre.get(), self.post.get(), self.weights.get(), self.structure, self.w_bound,
            self.prior_type, self.prior_lmbda.get() if with_prior else 0.,
            self.l1_ratio.get() if self.prior_type == "elastic_net" else 0.,
            self.sign_value.get(), self.pre_wght.get(), self.post_wght.get())

    @compilable
    def evolve(self):
        dW, db = self._update()
        with_bias = self.bias_init is not None
        state, new = self.opt(self._unflatten(self.opt_params.get()), self._learned(),
                              [dW, db] if with_bias else [dW], eta=self.eta.get())
        self.weights.set(constrain(new[0], self.w_bound, self.is_nonnegative, self.structure))
        if with_bias:
            self.biases.set(new[1])
        self.opt_params.set(self._flatten(state))
        self.dWeights.set(dW)
        self.dBiases.set(db)

    def _batched(self) -> list:
        return super()._batched() + [self.pre, self.post]

    @compilable
    def reset(self):
        super().reset()
        self.dWeights.set(jnp.zeros(self.shape))
        self.dBiases.set(jnp.zeros(self.dBiases.shape))

    @classmethod
    def help(cls) -> dict:
        info = super().help()
        info["compartments"]["inputs"].update({"pre": "pre-synaptic statistic (z_j)",
                                               "post": "post-synaptic statistic (z_i)"})
        info["compartments"]["states"]["opt_params"] = "optimizer statistics (flattened)"
        info["compartments"]["analytics"] = {"dWeights": "update of W computed at time t",
                                             "dBiases": "update of b computed at time t"}
        info["dynamics"] += ("; dW = sign_value * [(q_pre pre)^T (q_post post) * (w_bound - "
                             "|W|) + reg(W)] inside the patches; W <- optimizer(W, dW, eta)")
        info["hyperparameters"].update({
            "eta": "learning rate", "block_mask": "multiplicative mask of W and its updates",
            "w_bound": "soft bound of W (0: none)", "is_nonnegative": "keep W >= 0",
            "prior": "(name, lambda) regulariser of W", "sign_value": "factor on the update",
            "optim_type": "optimizer: sgd, adam or nag",
            "pre_wght": "factor q_pre on pre", "post_wght": "factor q_post on post"})
        return info
