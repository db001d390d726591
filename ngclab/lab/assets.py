"""Where the browser side of the widgets lives.

Installed, the ES modules ship as the package ``ngclab.widgets``. Imported straight from a
source checkout (the repository root on ``sys.path``, e.g. a kernel started there) that package
does not exist, so fall back to the ``widgets/`` folder beside ``ngclab/``.
"""
from __future__ import annotations

from pathlib import Path

try:
    from ngclab.widgets import asset
except ModuleNotFoundError:  # source checkout without the package mapping
    _WIDGETS = Path(__file__).resolve().parents[2] / "widgets"

    def asset(name: str) -> Path:
        """Path of a front-end file (``editor.js``, ``lab.css``, ...)."""
        path = _WIDGETS / name
        if not path.is_file():
            raise FileNotFoundError(f"ngclab widget asset {name!r} not found in {_WIDGETS}")
        return path

__all__ = ["asset"]
