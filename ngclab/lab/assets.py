"""Where the browser side of the widgets lives, and how a widget's ES module is put together.

Installed, the ES modules ship as the package ``ngclab.widgets``. Imported straight from a
source checkout (the repository root on ``sys.path``, e.g. a kernel started there) that package
does not exist, so fall back to the ``widgets/`` folder beside ``ngclab/``.

A widget's module imports shared ones by relative path (``import { h } from "./dom.js";``).
anywidget loads one module text per widget, where relative imports cannot be resolved, so
``module(name)`` inlines each imported file once in place of its import line (plain
concatenation of plain ES modules; there is no build step).
"""
from __future__ import annotations

import re
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

_IMPORT = re.compile(r'^import \{[^}]*\} from "\./([\w.]+\.js)";\n', re.M)


def module(name: str) -> str:
    """The ES module ``name`` with its relative imports inlined (each file once, in order)."""
    seen: set[str] = set()

    def expand(file: str) -> str:
        seen.add(file)
        text = asset(file).read_text()

        def inline(m: re.Match) -> str:
            dep = m.group(1)
            if dep in seen:
                return ""
            return f"// ---- {dep} ----\n{expand(dep)}// ---- end of {dep} ----\n"
        return _IMPORT.sub(inline, text)

    return expand(name)


__all__ = ["asset", "module"]
