"""The course builder's percent format: cell kinds, tags, and nbgrader metadata in the header."""
import json

import pytest

from ngclab.course.build import parse, parse_header

SOLUTION = {"solution": True, "grade": False, "locked": False, "grade_id": "tau",
            "schema_version": 3}
TEST = {"solution": False, "grade": True, "locked": True, "grade_id": "tau-test", "points": 2,
        "schema_version": 3}


def test_plain_headers_keep_their_meaning():
    cells = parse("# %%\nx = 1\n# %% [markdown]\n# # Title\n# %% tags=[\"parameters\"]\nn = 3\n")
    assert [c.cell_type for c in cells] == ["code", "markdown", "code"]
    assert cells[1].source == "# Title"
    assert cells[2].metadata == {"tags": ["parameters"]}
    assert "nbgrader" not in cells[0].metadata


def test_nbgrader_metadata_is_written_to_the_cell():
    text = (f"# %% nbgrader={json.dumps(SOLUTION)}\n"
            "### BEGIN SOLUTION\ntau = 2.0\n### END SOLUTION\n"
            f"# %% tags=[\"exercise\"] nbgrader={json.dumps(TEST)}\nassert tau == 2.0\n"
            f"# %% [markdown] nbgrader={json.dumps({**SOLUTION, 'grade_id': 'why'})}\n# Because.\n")
    sol, test, prose = parse(text)
    assert sol.cell_type == "code" and sol.metadata["nbgrader"] == SOLUTION
    assert sol.source.startswith("### BEGIN SOLUTION")
    assert test.metadata["tags"] == ["exercise"] and test.metadata["nbgrader"] == TEST
    assert prose.cell_type == "markdown" and prose.metadata["nbgrader"]["grade_id"] == "why"
    assert prose.source == "Because."


def test_either_order_and_spaces_inside_the_json():
    h = parse_header('# %% nbgrader={"grade": true, "grade_id": "a b", "points": 1.5} tags=["x"]')
    assert h == {"kind": "code", "tags": ["x"],
                 "nbgrader": {"grade": True, "grade_id": "a b", "points": 1.5}}
    assert parse_header("x = 1  # %% not a header") is None


@pytest.mark.parametrize("header, message", [
    ('# %% nbgrader={"solution": true', "not valid one-line JSON"),
    ('# %% nbgrader=["solution"]', "needs a JSON object"),
    ('# %% nbgrader={"soluton": true, "grade_id": "a"}', "unknown nbgrader key"),
    ('# %% nbgrader={"solution": "yes", "grade_id": "a"}', "'solution' must be bool"),
    ('# %% nbgrader={"grade": true, "grade_id": "a", "points": true}', "'points' must be"),
    ('# %% nbgrader={"solution": true}', "needs a 'grade_id'"),
    ('# %% nbgrader={"grade": true, "grade_id": "a"}', "needs 'points'"),
    ('# %% tags="parameters"', "list of strings"),
    ('# %% tgs=["parameters"]', "cannot read"),
])
def test_bad_headers_name_the_line_and_the_problem(header, message):
    with pytest.raises(ValueError, match=message) as err:
        parse(f"# %%\nx = 1\n{header}\ny = 2\n", "07_lesson.py")
    assert "07_lesson.py:3" in str(err.value)


def test_grade_ids_are_unique_within_a_lesson():
    one = f"# %% nbgrader={json.dumps(SOLUTION)}\nx = 1\n"
    with pytest.raises(ValueError, match=r"grade_id used by more than one cell: \['tau'\]"):
        parse(one + one, "lesson.py")
