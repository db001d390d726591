"""The one porting rule, applied to ngc-learn client code: replace ngclearn and ngcsimlib by ngclab.

``ported_module(filename)`` reads a file written for ngc-learn, applies the rule to its text and
runs the result as a module of the same name (registered in ``sys.modules``, so its component
classes are found under the class path ngc-learn writes for them, ``<module>.<Class>``).
Nothing else in the text is touched: what runs is the ngc-learn code itself.
"""
from __future__ import annotations

import os
import re
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
RULE = re.compile(r"\b(?:ngclearn|ngcsimlib)\b")


def port(source: str) -> str:
    """The source with every ``ngclearn`` / ``ngcsimlib`` name replaced by ``ngclab``."""
    return RULE.sub("ngclab", source)


def ported_module(filename: str = "client_models.py") -> types.ModuleType:
    """Run ``tests/compat/<filename>`` after the porting rule, once per test process."""
    name = os.path.splitext(filename)[0]
    module = sys.modules.get(name)
    if module is not None and getattr(module, "__ported__", False):
        return module
    path = os.path.join(HERE, filename)
    with open(path, encoding="utf-8") as fh:
        source = fh.read()
    module = types.ModuleType(name)
    module.__file__ = path
    module.__ported__ = True
    sys.modules[name] = module
    try:
        exec(compile(port(source), path, "exec"), module.__dict__)
    except BaseException:
        del sys.modules[name]
        raise
    return module
