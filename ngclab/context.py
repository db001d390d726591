"""``ngcsimlib.context`` as ngc-learn's code imports it: ``from ngclab.context import Context``."""
from __future__ import annotations

from enum import Enum

from ngclab.core import store
from ngclab.core.context import Context


class ContextObjectTypes(Enum):
    """The kinds of object a Context holds (``ctx.get_objects_by_type(...)`` takes either)."""
    component = "component"
    process = "process"


class _ContextManager:
    """ngcsimlib's ``contextManager``: which Context a ``with`` block has open."""

    @property
    def current_context(self) -> Context | None:
        return store.active_context()


contextManager = _ContextManager()

__all__ = ["Context", "ContextObjectTypes", "contextManager"]
