"""The course notebooks as committed: no outputs (except cells marked for nbval's exact check),
a ``parameters`` cell, recorded results, equations and exercises; and ngclab.record/read_records."""
import json
from pathlib import Path

import nbformat
import pytest

from ngclab.record import MIME, read_records, record, records_from_notebook

ROOT = Path(__file__).resolve().parents[2]
NAMES = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
CHECK = "# NBVAL_CHECK_OUTPUT"


def load(name):
    return nbformat.read(ROOT / "notebooks" / name, as_version=4)


LESSONS = ["01_quickstart", "02_rate_cell", "03_error_cells", "04_wiring_visually", "05_hebbian",
           "06_bcm", "07_predictive_coding", "08_conv_hebbian", "09_spiking_stdp",
           "10_leaky_noise", "11_reward_prediction", "12_neuron_zoo", "13_synapses_in_time",
           "14_ensembles", "15_balanced_network"]


def test_the_course_is_there():
    # the eleven lessons of issue 6, all of them, in order
    present = [n.removesuffix(".ipynb") for n in NAMES]
    assert present == LESSONS


def test_the_readme_lists_every_lesson():
    readme = (ROOT / "README.md").read_text()
    for number, name in enumerate(LESSONS, 1):
        assert f"\n{number}. [" in readme and f"](notebooks/{name}.ipynb)" in readme, name


@pytest.mark.parametrize("name", NAMES)
def test_committed_without_outputs(name):
    nb = load(name)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or cell.source.startswith(CHECK):
            continue
        assert not cell.outputs, f"{name} cell {i} has outputs; run python -m ngclab.course.build"
        assert cell.execution_count is None, f"{name} cell {i} has an execution count"


@pytest.mark.parametrize("name", NAMES)
def test_lesson_structure(name):
    nb = load(name)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{name}: needs exactly one cell tagged 'parameters'"
    md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "$" in md, f"{name}: no LaTeX equations in the prose"
    assert "## Exercises" in md, f"{name}: no exercises section"
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "ngclab.record(" in code, f"{name}: records nothing"
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_checked_cells_carry_their_outputs():
    checked = [(n, i) for n in NAMES for i, c in enumerate(load(n).cells)
               if c.cell_type == "code" and c.source.startswith(CHECK)]
    assert checked, "no cell is marked for nbval's exact output check"
    for n, i in checked:
        assert load(n).cells[i].outputs, f"{n} cell {i} is marked for nbval but has no output"


def test_record_outside_ipython_keeps_plain_values():
    import numpy as np
    import jax.numpy as jnp
    assert record("x", jnp.float32(0.5)) == 0.5
    assert record("arr", np.arange(3)) == [0, 1, 2]
    assert record("nested", {"a": (1, 2.5)}) == {"a": [1, 2.5]}
    with pytest.raises(TypeError, match="cannot record"):
        record("bad", object())
    with pytest.raises(ValueError):
        record("", 1)


def test_read_records_from_an_executed_notebook(tmp_path):
    # a notebook executed in a real kernel: the record travels in its outputs
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import ngclab\nngclab.record('a', 1.25)\n"
                                          "ngclab.record('b', [1, 2])\nngclab.record('a', 2.5)")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    src, out = tmp_path / "r.ipynb", tmp_path / "r.out.ipynb"
    nbformat.write(nb, src)
    import papermill as pm
    pm.execute_notebook(str(src), str(out), kernel_name="python3", progress_bar=False)
    assert read_records(out) == {"a": 2.5, "b": [1, 2]}  # the last record of a name wins
    raw = json.loads(out.read_text())
    outputs = raw["cells"][0]["outputs"]
    assert outputs[0]["data"][MIME] == {"name": "a", "value": 1.25}
    assert "".join(outputs[0]["data"]["text/plain"]).startswith("recorded a = 1.25")
    assert records_from_notebook(raw) == read_records(out)
    with pytest.raises(FileNotFoundError):
        read_records(tmp_path / "missing.ipynb")
