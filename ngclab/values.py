"""Values typed as text (a form field in the circuit editor, ``ngclab run -p name value``).

One rule for every place that reads them, tried in this order:

1. a Python literal: ``10``, ``-0.5``, ``True``, ``None``, ``[1, 2]``, ``('gaussian', 0.)``,
   ``'tanh'``;
2. JSON's spellings of the same (``true``, ``false``, ``null``, ``{"a": [1, 2]}``) and the
   float spellings ``inf``, ``-inf``, ``nan``;
3. an expression over ``np``, ``jnp`` and ``DistributionGenerator`` (no builtins, no ``__``
   names): ``np.ones(2)``, ``DistributionGenerator.uniform(0.1, 0.5)``;
4. a bare word (letters, digits, ``_``) as the string it spells: ``tanh``, ``euler``.

Anything else is refused with a ValueError that says how to write a value.
"""
from __future__ import annotations

import ast
import inspect
import json
from typing import Any

_EMPTY = inspect.Parameter.empty


def literal_text(value: Any) -> str:
    """The text a form shows for a value (a Python expression that reads back as it)."""
    import numpy as np
    if isinstance(value, np.generic):
        value = value.item()
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return f"np.array({np.asarray(value).tolist()!r})"
    return repr(value)


def parse_value(text: Any, default: Any = _EMPTY) -> Any:
    """``text`` read by the rule of the module docstring; a non-string is returned as it is.

    With ``default`` (a parameter's default value), the text that shows that default reads
    back as the default object itself (an initializer or an array keeps its identity).
    """
    if not isinstance(text, str):
        return text
    text = text.strip()
    if default is not _EMPTY and text == literal_text(default):
        return default
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        pass
    try:
        return json.loads(text)
    except ValueError:
        pass
    if text.lower().lstrip("+-") in ("inf", "infinity", "nan"):
        return float(text)
    if "__" not in text:
        try:
            return eval(compile(text, "<value>", "eval"), {"__builtins__": {}},  # noqa: S307
                        _expression_names())
        except Exception:
            pass
    if text and text.replace("_", "").isalnum():
        return text
    raise ValueError(f"cannot read {text!r}: write a Python value such as 10, 0.5, 'tanh' or "
                     f"('gaussian', 0.)")


def _expression_names() -> dict[str, Any]:
    import jax.numpy as jnp
    import numpy as np

    from ngclab.utils.distribution_generator import DistributionGenerator
    return {"np": np, "jnp": jnp, "DistributionGenerator": DistributionGenerator}
