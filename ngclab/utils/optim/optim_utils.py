"""``ngclearn.utils.optim.optim_utils``'s path: the optimizer look-ups by name.

``get_opt_init_fn(name)`` and ``get_opt_step_fn(name, **hyperparameters)`` are defined once in
``ngclab.utils.optim`` (see its docstring); this module only gives them ngc-learn's import path.
"""
from ngclab.utils.optim import get_opt_init_fn, get_opt_step_fn

__all__ = ["get_opt_init_fn", "get_opt_step_fn"]
