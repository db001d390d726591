"""Logging as ngc-learn's code calls it (``from ngcsimlib.logger import info`` ports to
``from ngclab.logger import info``): print-style arguments, joined by ``sep``.

``warn``, ``info`` and ``debug`` log to the ``ngclab`` logger; ``error`` and ``critical`` log
and then raise (``RuntimeError`` by default), as ngc-learn's do.
"""
from __future__ import annotations

import logging
from typing import Any

_logger = logging.getLogger("ngclab")


def _message(args: tuple, sep: str, end: str) -> str:
    return sep.join(str(a) for a in args) + end


def warn(*args: Any, sep: str = " ", end: str = "") -> None:
    _logger.warning(_message(args, sep, end))


def info(*args: Any, sep: str = " ", end: str = "") -> None:
    _logger.info(_message(args, sep, end))


def debug(*args: Any, sep: str = " ", end: str = "") -> None:
    _logger.debug(_message(args, sep, end))


def error(*args: Any, sep: str = " ", end: str = "", errorCls: type = RuntimeError) -> None:
    msg = _message(args, sep, end)
    _logger.error(msg)
    raise errorCls(msg)


def critical(*args: Any, sep: str = " ", end: str = "") -> None:
    msg = _message(args, sep, end)
    _logger.critical(msg)
    raise RuntimeError(msg)


def custom_log(*args: Any, sep: str = " ", end: str = "", logging_level: int | str | None = None
               ) -> None:
    level = logging.INFO if logging_level is None else logging_level
    if isinstance(level, str):
        level = logging.getLevelName(level.upper())
    _logger.log(level if isinstance(level, int) else logging.INFO, _message(args, sep, end))


def init_logging(level: int | str = logging.WARNING) -> None:
    """Send the ``ngclab`` logger's messages to standard error at ``level``."""
    if not _logger.handlers:
        _logger.addHandler(logging.StreamHandler())
    _logger.setLevel(level if isinstance(level, int) else str(level).upper())


def add_logging_level(level_name: str, level_num: int, method_name: str | None = None) -> None:
    """Add a named level to ``logging`` (refused if the name is taken)."""
    method_name = method_name or level_name.lower()
    if hasattr(logging, level_name) or hasattr(logging.getLoggerClass(), method_name):
        raise AttributeError(f"logging level {level_name!r} / method {method_name!r} exists")
    logging.addLevelName(level_num, level_name)
    setattr(logging, level_name, level_num)

    def log_for_level(self, message, *args, **kwargs):
        if self.isEnabledFor(level_num):
            self._log(level_num, message, args, **kwargs)

    setattr(logging.getLoggerClass(), method_name, log_for_level)


addLoggingLevel = add_logging_level
