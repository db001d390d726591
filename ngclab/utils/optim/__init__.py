"""Decoupled optimizers: a credit-assignment rule computes updates, an optimizer applies them.

Usage (the ngc-learn 3.2.3 call pattern)::

    opt_params = get_opt_init_fn("adam")([W, b])          # a pytree of float32 arrays
    opt = get_opt_step_fn("adam", eta=0.01)                # hyperparameters bound now ...
    opt_params, [W, b] = opt(opt_params, [W, b], [dW, db])
    opt_params, [W, b] = opt(opt_params, [W, b], [dW, db], eta=eta_now)  # ... or at call time

Sign convention: every step SUBTRACTS eta times the (transformed) update, theta <- theta - eta*...
(descent, as in ngc-learn). Ascent (Hebbian) rules flip the sign of their update first.

Every hyperparameter, including ``eta``, is an ordinary traced argument of a jitted step, so a
value held in a jitted state (e.g. a slider-controlled knob) may be passed as ``eta=`` at call
time without recompiling. A keyword given at call time overrides the one bound by
``get_opt_step_fn``.

Optimizer states (``opt_params``) are pytrees whose leaves are float32 jnp arrays only
(including the step counter):

| "sgd":  t
| "adam": ([m_1..m_K], [v_1..v_K], t)
| "nag":  ([phi_1..phi_K], t)
"""
from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from ngclab.utils.optim.adam import adam_init, adam_step
from ngclab.utils.optim.nag import nag_init, nag_step
from ngclab.utils.optim.sgd import sgd_init, sgd_step

_OPTIMIZERS: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    "sgd": (sgd_init, sgd_step),
    "adam": (adam_init, adam_step),
    "nag": (nag_init, nag_step),
}
OPTIMIZER_NAMES: tuple[str, ...] = tuple(_OPTIMIZERS)


def _lookup(opt: str) -> tuple[Callable[..., Any], Callable[..., Any]]:
    if opt not in _OPTIMIZERS:
        raise ValueError(f"unknown optimizer {opt!r}; valid ones are {list(OPTIMIZER_NAMES)}")
    return _OPTIMIZERS[opt]


def _hyper_names(step: Callable[..., Any]) -> list[str]:
    params = list(inspect.signature(step).parameters)
    return params[3:]  # after (opt_params, theta, updates)


def get_opt_init_fn(opt: str = "adam") -> Callable[..., Any]:
    """The state initializer of optimizer ``opt``: ``init(theta_list) -> opt_params``."""
    return _lookup(opt)[0]


def get_opt_step_fn(opt: str = "adam", **hyper: Any) -> Callable[..., Any]:
    """The step function of optimizer ``opt`` with hyperparameters ``hyper`` bound:

    ``step(opt_params, theta_list, update_list, **overrides) -> (opt_params, new_theta_list)``

    Valid hyperparameters: sgd: eta; adam: eta, beta1, beta2, eps; nag: eta, mu. Unknown names
    raise TypeError here rather than at the first step.
    """
    step = _lookup(opt)[1]
    bad = sorted(set(hyper) - set(_hyper_names(step)))
    if bad:
        raise TypeError(f"optimizer {opt!r} has no hyperparameter(s) {bad}; valid ones are "
                        f"{_hyper_names(step)}")
    return functools.partial(step, **hyper)


__all__ = ["get_opt_init_fn", "get_opt_step_fn", "OPTIMIZER_NAMES", "sgd_init", "sgd_step",
           "adam_init", "adam_step", "nag_init", "nag_step"]
