"""``ngcsimlib.global_state`` as ngc-learn's code imports it.

ngc-learn keeps one state for every model; ngclab keeps one per Context. ``stateManager`` gives
ngc-learn's view over the Contexts created so far: keys are ngc-learn's compartment roots
(``"model:a:zF"``) or ngclab's paths (``"model/a:zF"``).
"""
from __future__ import annotations

from typing import Any

from ngclab.core.compartment import Compartment
from ngclab.core.context import Context


class _StateManager:
    def _find(self, key: str) -> tuple[Context, str]:
        parts = key.split(":")
        path = key if "/" in key or len(parts) != 3 else f"{parts[0]}/{parts[1]}:{parts[2]}"
        for ctx in Context.instances():           # the newest Context of that name first
            if path in ctx.compartments:
                return ctx, path
        raise KeyError(f"no Context has a compartment {key!r}")

    @property
    def state(self) -> dict:
        """Every live Context's state in one dict keyed by ngc-learn's roots (a copy)."""
        out = {}
        for ctx in reversed(Context.instances()):
            for path, v in ctx.state.items():
                out[path.replace("/", ":", 1)] = v
        return out

    def set_state(self, state: dict) -> None:
        for key, value in state.items():
            self.get_compartment(key).set(value)

    def from_global_key(self, key: str) -> Any:
        try:
            ctx, path = self._find(key)
        except KeyError:
            return None
        return ctx.state[path]

    def get_compartment(self, key: str) -> Compartment:
        ctx, path = self._find(key)
        return ctx.compartments[path]

    def check_key(self, key: str) -> bool:
        try:
            self._find(key)
            return True
        except KeyError:
            return False


stateManager = _StateManager()

__all__ = ["stateManager"]
