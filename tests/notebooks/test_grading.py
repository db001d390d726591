"""Graded exercises: every lesson has nbgrader exercises; `ngclab course student` writes the
student version through nbgrader and `ngclab course grade` grades through nbgrader.

One course folder is made for the whole module (the lessons run with the small regression
parameters of goldens.json): the teacher's version is handed in as student "teacher" and must
score full marks, the untouched student version as student "blank" and must score zero while
every cell outside the exercises still runs. The teacher's run is also the notebook regression:
its records are compared with goldens.json's values (no separate papermill run per lesson).

Grading executes every lesson twice (once per student), most of this file's time. The lessons
are graded in two halves at once, each half by one ``ngclab course grade`` (both students) in a
copy of the course folder (its own gradebook), so the two cores share the work. Within a run
the second student's notebook executes the same lesson with the same parameters as the first's,
so its XLA programs come from JAX's persistent compilation cache (tests/conftest.py); graded
per student at once instead, both runs reached each lesson together and compiled it twice.
The command's test on lesson 01 checks ``course student`` and ``grade`` from the command line.
"""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from ngclab import cli, regression
from ngclab.course import grading
from ngclab.record import read_records

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
GOLDENS = json.loads((Path(__file__).parent / "goldens.json").read_text())
NAMES = sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))


def nbgrader_meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def load(path):
    return nbformat.read(path, as_version=4)


# -- the committed (teacher's) notebooks ---------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_every_lesson_has_graded_exercises(name):
    cells = load(NOTEBOOKS / f"{name}.ipynb").cells
    solutions = [i for i, c in enumerate(cells) if nbgrader_meta(c).get("solution")]
    assert len(solutions) >= 2, f"{name}: needs at least two graded exercises"
    ids = [nbgrader_meta(c)["grade_id"] for c in cells if nbgrader_meta(c).get("grade_id")]
    assert len(ids) == len(set(ids)), f"{name}: repeated grade_id"
    for i in solutions:
        sol, test = cells[i], cells[i + 1]
        assert sol.cell_type == "code"
        assert "### BEGIN SOLUTION" in sol.source and "### END SOLUTION" in sol.source
        assert nbgrader_meta(sol) == {"solution": True, "grade": False, "locked": False,
                                      "grade_id": nbgrader_meta(sol)["grade_id"],
                                      "schema_version": 3}
        # each solution is followed by its autograded, locked test cell
        meta = nbgrader_meta(test)
        assert test.cell_type == "code" and meta.get("grade") and meta.get("locked")
        assert not meta.get("solution") and meta["points"] > 0
        assert meta["grade_id"] == nbgrader_meta(sol)["grade_id"] + "_test"
        assert "assert" in test.source
    # the exercises come after the recorded results: nothing the regression checks depends on them
    last_record = max(i for i, c in enumerate(cells)
                      if c.cell_type == "code" and "ngclab.record(" in c.source)
    assert last_record < solutions[0], f"{name}: an exercise comes before ngclab.record"


# -- the student version and grading ---------------------------------------------------------------
@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    params = {n: GOLDENS[f"{n}.ipynb"]["parameters"] for n in NAMES}
    summary = grading.make_student_version(root, [NOTEBOOKS / f"{n}.ipynb" for n in NAMES],
                                           params)
    for student, folder in (("teacher", "source"), ("blank", "release")):
        for n in NAMES:
            dst = root / "submitted" / student / n
            dst.mkdir(parents=True)
            shutil.copy(root / folder / n / f"{n}.ipynb", dst / f"{n}.ipynb")
    return root, summary


STUDENTS = ("teacher", "blank")
# two halves of about the same grading time (07 and 09 take longest), graded at once
HALVES = (NAMES[:8], NAMES[8:])
GRADE = "import sys; from ngclab import cli; sys.exit(cli.main(sys.argv[1:]))"


@pytest.fixture(scope="module")
def graded(course):
    """{lesson: the course copy that graded it}, and the grades of both students as one result
    (the two halves' lessons merged, totals over the course)."""
    root, _ = course
    where, runs = {}, {}
    for i, half in enumerate(HALVES):  # a copy of the course per half: gradebooks apart
        folder = root.parent / f"{root.name}-half{i}"
        shutil.copytree(root, folder, ignore=lambda d, names, half=half: [
            n for n in names if Path(d).parent == root / "submitted" and n not in half])
        where.update({n: folder for n in half})
        runs[folder] = subprocess.Popen(
            [sys.executable, "-c", GRADE, "course", "grade", str(folder)], cwd=ROOT,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    result = {"course": str(root), "students": {s: {"lessons": {}} for s in STUDENTS},
              "tables": {}}
    for folder, run in runs.items():
        out = run.communicate(timeout=3000)[0]
        assert run.returncode == 0, out[-4000:]
        saved = json.loads((folder / grading.GRADES_NAME).read_text())
        assert sorted(saved["students"]) == sorted(STUDENTS)
        for student, entry in saved["students"].items():
            result["students"][student]["lessons"].update(entry["lessons"])
        result["tables"][folder] = out
    for entry in result["students"].values():
        entry["score"] = sum(v["score"] for v in entry["lessons"].values())
        entry["max_score"] = sum(v["max_score"] for v in entry["lessons"].values())
    return where, result


def test_the_summary_names_each_lesson(course):
    root, summary = course
    assert [s["lesson"] for s in summary] == NAMES
    for s in summary:
        assert Path(s["student_notebook"]).is_file()
        assert s["points"] == sum(e["points"] for e in s["exercises"]) > 0


@pytest.mark.parametrize("name", NAMES)
def test_student_version_has_no_solutions(course, name):
    root, _ = course
    teacher = load(NOTEBOOKS / f"{name}.ipynb")
    student = load(root / "release" / name / f"{name}.ipynb")
    assert len(student.cells) == len(teacher.cells) + 1          # papermill's parameters cell
    text = "\n".join(c.source for c in student.cells)
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    assert "HIDDEN TESTS" not in text
    solutions = [c for c in student.cells if nbgrader_meta(c).get("solution")]
    assert solutions and all("raise NotImplementedError()" in c.source for c in solutions)
    for tc, sc in zip([c for c in teacher.cells if nbgrader_meta(c).get("solution")], solutions):
        answer = tc.source.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0].strip()
        assert answer.splitlines()[0].strip() not in sc.source      # the answer is gone
    # nbgrader locked the test cells and recorded their checksums (a tampered test is caught)
    tests = [c for c in student.cells if nbgrader_meta(c).get("grade")]
    assert tests and all(nbgrader_meta(c)["locked"] and nbgrader_meta(c).get("checksum")
                         for c in tests)
    # the injected small parameters are in the student version too
    injected = [c for c in student.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1


@pytest.mark.parametrize("name", NAMES)
def test_solution_version_scores_full_marks(graded, name):
    _, result = graded
    lesson = result["students"]["teacher"]["lessons"][name]
    lost = {k: v for k, v in lesson["exercises"].items() if v["score"] != v["max_score"]}
    assert not lost, f"{name}: the teacher's solutions lose points: {lost}"
    assert lesson["score"] == lesson["max_score"] > 0
    assert len(lesson["exercises"]) >= 2


@pytest.mark.parametrize("name", NAMES)
def test_student_version_scores_zero_and_runs_to_the_end(graded, name):
    where, result = graded
    lesson = result["students"]["blank"]["lessons"][name]
    assert lesson["score"] == 0 and lesson["max_score"] > 0
    assert lesson["max_score"] == result["students"]["teacher"]["lessons"][name]["max_score"]
    ran = load(where[name] / "autograded" / "blank" / name / f"{name}.ipynb")
    for i, cell in enumerate(ran.cells):
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        meta = nbgrader_meta(cell)
        if meta.get("solution") or meta.get("grade"):
            assert errors, f"{name} cell {i}: an unanswered exercise cell ran without error"
        else:
            assert not errors, f"{name} cell {i} failed in the student version: " \
                               f"{errors[0].ename}: {errors[0].evalue}"
    # every value the regression checks is still recorded
    assert set(read_records(where[name] / "autograded" / "blank" / name /
                            f"{name}.ipynb")) == \
        set(GOLDENS[f"{name}.ipynb"]["values"])


@pytest.mark.parametrize("name", NAMES)
def test_the_teachers_run_records_the_golden_values(graded, name):
    # The notebook regression: the teacher's version is the lesson with goldens.json's parameters
    # injected (papermill's injection), so the values its graded run records must match the
    # goldens, as `ngclab regress` compares them (ngclab/regression.py); one execution of each
    # lesson serves both checks.
    where, _ = graded
    spec = GOLDENS[f"{name}.ipynb"]
    records = read_records(where[name] / "autograded" / "teacher" / name / f"{name}.ipynb")
    rows = regression.compare_records(f"{name}.ipynb", records, spec)
    failures = [regression.describe_failure(r) for r in rows if not r["ok"]]
    assert not failures, "\n".join(failures)
    assert records and len(rows) == len(spec["values"]), rows


def test_grading_runs_the_hidden_tests(graded):
    where, _ = graded
    hidden = 0
    for name in NAMES:
        ran = load(where[name] / "autograded" / "teacher" / name / f"{name}.ipynb")
        hidden += sum("### BEGIN HIDDEN TESTS" in c.source for c in ran.cells
                      if nbgrader_meta(c).get("grade"))
    assert hidden >= len(NAMES)   # nbgrader put them back before executing


def test_grades_json_and_table(graded):
    where, result = graded
    for folder in sorted(set(where.values())):   # each copy's grades.json: its half, both students
        saved = json.loads((folder / grading.GRADES_NAME).read_text())
        assert saved["course"] == str(folder.resolve())
        half = sorted(n for n, f in where.items() if f == folder)
        for student, entry in saved["students"].items():
            assert sorted(entry["lessons"]) == half
            # the command's totals: over the lessons it graded
            assert entry["score"] == sum(v["score"] for v in entry["lessons"].values())
            assert entry["max_score"] == sum(v["max_score"] for v in entry["lessons"].values())
        assert saved["students"]["teacher"]["score"] == \
            saved["students"]["teacher"]["max_score"] > 0
        assert saved["students"]["blank"]["score"] == 0
        # the command printed the same table
        assert grading.format_grades(saved) in result["tables"][folder]
    teacher = result["students"]["teacher"]
    assert teacher["score"] == teacher["max_score"] == \
        sum(v["max_score"] for v in teacher["lessons"].values())
    assert result["students"]["blank"]["score"] == 0
    table = grading.format_grades(result).splitlines()
    totals = {line.split()[0]: line.split()[-3:] for line in table if " TOTAL " in line}
    assert totals == {"blank": ["0", "/", f"{teacher['max_score']:g}"],
                      "teacher": [f"{teacher['score']:g}", "/", f"{teacher['max_score']:g}"]}
    assert sum("01_quickstart_ex1_test" in line for line in table) == 2


# -- the command ---------------------------------------------------------------------------------
def test_cli_student_and_grade_one_lesson(tmp_path, capsys):
    course = tmp_path / "c"
    assert cli.main(["course", "student", str(course), "01", "-p", "T", "100"]) == 0
    out = capsys.readouterr().out
    assert "01_quickstart: 2 graded exercises" in out
    release = course / "release" / "01_quickstart" / "01_quickstart.ipynb"
    assert release.is_file()
    # two students in one folder, graded by one run: ann hands in the answers, bob nothing
    for student, folder in (("ann", "source"), ("bob", "release")):
        sub = course / "submitted" / student / "01_quickstart"
        sub.mkdir(parents=True)
        shutil.copy(course / folder / "01_quickstart" / "01_quickstart.ipynb", sub)
    assert cli.main(["course", "grade", str(course), "--json", str(tmp_path / "g.json")]) == 0
    out = capsys.readouterr().out
    totals = {line.split()[0]: " ".join(line.split()[-3:]) for line in out.splitlines()
              if " TOTAL " in line}
    assert totals == {"ann": "4 / 4", "bob": "0 / 4"}, out
    grades = json.loads((tmp_path / "g.json").read_text())
    assert grades["students"]["ann"]["score"] == 4.0
    assert grades["students"]["bob"]["score"] == 0.0
    assert grades["students"]["bob"]["lessons"]["01_quickstart"]["max_score"] == 4.0


def test_cli_refuses_what_it_cannot_do(tmp_path, capsys):
    assert cli.main(["course", "grade", str(tmp_path / "none")]) == 2
    assert "is not a course folder" in capsys.readouterr().err
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    assert cli.main(["course", "student", str(foreign), "01"]) == 2
    assert "is not empty and is not a course folder" in capsys.readouterr().err
    assert cli.main(["course", "student", str(tmp_path / "x"), "01", "-p", "nope", "1"]) == 2
    assert "no selected lesson has a parameter 'nope'" in capsys.readouterr().err
