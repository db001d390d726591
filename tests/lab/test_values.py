"""One rule for values typed as text: the editor's form fields and ``ngclab run -p``."""
from __future__ import annotations

import math

import numpy as np
import pytest

from ngclab import cli
from ngclab.lab import editor
from ngclab.values import literal_text, parse_value


def test_one_function_serves_the_editor_and_the_command_line():
    assert cli.parse_value is parse_value and editor.parse_value is parse_value


@pytest.mark.parametrize("text, value", [
    ("10", 10), ("-0.5", -0.5), ("1e-3", 1e-3), ("True", True), ("None", None),
    ("[1, 2]", [1, 2]), ("('gaussian', 0.)", ("gaussian", 0.0)), ("'tanh'", "tanh"),
    ("true", True), ("false", False), ("null", None), ('{"a": [1, true]}', {"a": [1, True]}),
    ("tanh", "tanh"), ("euler", "euler"), ("  7 ", 7),
])
def test_literals_json_and_bare_words(text, value):
    out = parse_value(text)
    assert out == value and type(out) is type(value)


def test_float_spellings_and_expressions():
    assert parse_value("inf") == math.inf and parse_value("-inf") == -math.inf
    assert math.isnan(parse_value("nan"))
    assert parse_value("np.ones(2)").tolist() == [1.0, 1.0]
    assert "uniform" in repr(parse_value("DistributionGenerator.uniform(0.1, 0.5)"))


@pytest.mark.parametrize("text", ["(((", "a b", "__import__('os').getcwd()", "np.__class__", ""])
def test_unreadable_text_is_refused_with_how_to_write_a_value(text):
    with pytest.raises(ValueError, match="cannot read .* write a Python value such as 10"):
        parse_value(text)


def test_a_default_reads_back_as_itself():
    init = parse_value("DistributionGenerator.constant(value=2.0)")
    assert parse_value(literal_text(init), init) is init
    arr = np.arange(3.0)
    assert literal_text(arr) == "np.array([0.0, 1.0, 2.0])"
    assert parse_value(literal_text(arr), arr) is arr
    assert parse_value(5) == 5 and parse_value(None) is None     # not text: as it is


def test_the_command_line_names_the_parameter_it_cannot_read():
    class Args:
        parameter = [["n", "3"], ["label", "two words"]]
    with pytest.raises(cli.CLIError, match=r"-p label: cannot read 'two words'"):
        cli.parameters_given(Args)
    Args.parameter = [["n", "3"], ["mode", "euler"]]
    assert cli.parameters_given(Args) == {"n": 3, "mode": "euler"}
