"""ngc-learn's deprecation decorators (``from ngcsimlib import deprecate_args``)."""
from __future__ import annotations

import functools
import warnings
from typing import Any, Callable


def deprecated(replaced_by: Any = None) -> Callable:
    """Mark a function as deprecated: calling it warns (naming its replacement, if any)."""
    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapped(*args, **kwargs):
            name = getattr(replaced_by, "__name__", replaced_by)
            hint = f" (use {name} instead)" if replaced_by else ""
            warnings.warn(f"{fn.__qualname__} is deprecated{hint}", DeprecationWarning,
                          stacklevel=2)
            return fn(*args, **kwargs)
        wrapped._is_deprecated, wrapped._original = True, fn
        return wrapped
    return decorate


def deprecate_args(_rebind: bool = True, **renamed: str | None) -> Callable:
    """Accept old keyword names: ``@deprecate_args(old="new")`` warns and passes ``new=``;
    ``old=None`` warns that the argument is going away (and drops it when ``_rebind``)."""
    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapped(*args, **kwargs):
            for old in [k for k in kwargs if k in renamed]:
                new = renamed[old]
                hint = f', use "{new}" instead' if new else ", and will no longer be supported"
                warnings.warn(f'the argument "{old}" of {fn.__qualname__} is deprecated{hint}',
                              DeprecationWarning, stacklevel=2)
                if _rebind:
                    value = kwargs.pop(old)
                    if new is not None:
                        kwargs[new] = value
            return fn(*args, **kwargs)
        wrapped._is_deprecated, wrapped._original = True, fn
        return wrapped
    return decorate
