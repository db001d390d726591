"""Each lesson's lab as a notebook of its own (notebooks/demos/, for Voila): up to date with the
lesson sources, one per lesson that shows a Lab, quiet except for the lab, and linked."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from ngclab.course import demos

ROOT = Path(__file__).resolve().parents[2]
LESSONS_WITH_A_LAB = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb")
                            if "from ngclab.lab import Lab" in p.read_text())


def test_the_committed_demos_are_what_the_sources_make():
    assert demos.main(["--check"]) == 0, "run python -m ngclab.course.demos"
    made = {p.name for p in demos.demos()}
    assert made == {p.name for p in demos.DEMOS.glob("*.ipynb")}


def test_every_lesson_that_shows_a_lab_has_a_demo():
    assert LESSONS_WITH_A_LAB
    assert sorted(p.stem for p in demos.demos()) == LESSONS_WITH_A_LAB


@pytest.mark.parametrize("stem", LESSONS_WITH_A_LAB)
def test_a_demo_runs_the_lessons_cells_quietly_and_shows_the_lab(stem):
    nb = nbformat.read(demos.DEMOS / f"{stem}.ipynb", as_version=4)
    lesson = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# Lab: ")
    assert f"](../{stem}.ipynb)" in nb.cells[0].source          # back to the lesson
    code = nb.cells[1:]
    shown = [c for c in code if not c.source.startswith(demos.CAPTURE)]
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and params[0] in shown               # papermill can still inject
    last = [c for c in shown if c is not params[0]]
    assert len(last) == 1 and "Lab(" in last[0].source           # the one cell that shows
    # every demo cell is the lesson's cell, in the lesson's order
    sources = [c.source for c in lesson.cells if c.cell_type == "code"]
    at = [sources.index(c.source.removeprefix(demos.CAPTURE)) for c in code]
    assert at == sorted(at)


@pytest.mark.parametrize("stem", LESSONS_WITH_A_LAB)
def test_the_lesson_and_the_readme_link_to_the_demo(stem):
    lesson = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
    md = "\n".join(c.source for c in lesson.cells if c.cell_type == "markdown")
    how = "link the lesson's lab markdown and README's table to its Voila app (see lesson 1)"
    assert f"voila/render/notebooks/demos/{stem}.ipynb" in md, how
    assert f"](demos/{stem}.ipynb)" in md, how
    assert f"voila/render/notebooks/demos/{stem}.ipynb" in (ROOT / "README.md").read_text(), how


def test_tagged_cells_without_a_lab_to_show_are_refused(tmp_path):
    src = tmp_path / "99_x.py"
    src.write_text('# %% [markdown]\n# # 99. X\n\n# %% tags=["lab-demo"]\nx = 1\n')
    with pytest.raises(ValueError, match="none 'lab-demo-show'"):
        demos.demo(src)
    src.write_text("# %%\nx = 1\n")
    assert demos.demo(src) is None
