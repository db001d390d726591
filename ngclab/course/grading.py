"""The course's graded exercises through nbgrader: the student version and grading of submissions.

``ngclab course student DIR`` makes DIR an nbgrader course, one nbgrader assignment per lesson:

    DIR/nbgrader_config.py                          course id and cell timeout (nbgrader reads it)
    DIR/gradebook.db                                nbgrader's database: exercises, points, grades
    DIR/source/<lesson>/<lesson>.ipynb              the teacher's version (solutions, hidden tests)
    DIR/release/<lesson>/<lesson>.ipynb             the student version: hand these out
    DIR/submitted/<student>/<lesson>/<lesson>.ipynb what students hand back (nbgrader's layout)

The student version is what ``nbgrader generate_assignment`` writes: nbgrader's ClearSolutions
replaces each ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` region with
``raise NotImplementedError()``, ClearHiddenTests removes the hidden tests, LockCells locks the
test cells, and checksums are recorded so a tampered test cell is caught.

``ngclab course grade DIR`` runs ``nbgrader autograde`` on every submitted notebook (nbgrader puts
the hidden tests back, executes the notebook and scores each test cell: full points without an
error, none with one), then reads the scores from the gradebook: points per exercise, per lesson
and in total, as a table and as JSON (DIR/grades.json).
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import warnings
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import nbformat

COURSE_ID = "ngclab-course"
CONFIG_NAME = "nbgrader_config.py"
GRADES_NAME = "grades.json"
CELL_TIMEOUT = 600   # seconds per cell when nbgrader executes a submission

_CONFIG = f'''"""nbgrader's configuration for the ngclab course (written by `ngclab course student`)."""
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "{COURSE_ID}"
# lessons train small models: a cell may take longer than nbgrader's default of 30 s
c.Execute.timeout = {CELL_TIMEOUT}
'''


class CourseError(Exception):
    """Something the teacher can fix (a missing folder, a failed nbgrader step): one message."""


def exercises(nb: nbformat.NotebookNode) -> list[dict]:
    """The graded cells of a notebook in order: grade_id, points, and whether it is a test."""
    found = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            found.append({"grade_id": meta["grade_id"], "points": float(meta["points"]),
                          "autograded": cell.cell_type == "code" and not meta.get("solution")})
    return found


def _require_nbgrader() -> None:
    try:
        import nbgrader  # noqa: F401
    except ImportError:
        raise CourseError("ngclab course: needs nbgrader, which is not installed: "
                          "pip install 'ngclab[course]' (or pip install nbgrader)") from None


def _api(course: Path):
    """nbgrader's API on the course directory, configured from its nbgrader_config.py."""
    _require_nbgrader()
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader
    config = PyFileConfigLoader(CONFIG_NAME, path=str(course)).load_config()
    config.CourseDirectory.root = str(course)
    coursedir = CourseDirectory(config=config)
    return NbGraderAPI(coursedir=coursedir, config=config)


@contextlib.contextmanager
def _tools_on_path():
    """nbgrader runs the ``alembic`` command of its own environment (for the gradebook's
    schema): put this interpreter's scripts first on PATH, also when it was started by path.
    nbgrader 0.9's gradebook also makes SQLAlchemy 2 warn about its session use: not ours."""
    before = os.environ.get("PATH", "")
    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), before])
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*not in session.*")
            yield
    finally:
        os.environ["PATH"] = before


def _check(result: Mapping[str, Any], what: str) -> None:
    if not result.get("success"):
        detail = (result.get("error") or "") + "\n" + (result.get("log") or "")
        raise CourseError(f"ngclab course: nbgrader {what} failed:\n{detail.strip()[-4000:]}")


def _prepare_dir(course: Path) -> None:
    if course.exists() and not course.is_dir():
        raise CourseError(f"ngclab course: {course} is a file, not a folder")
    if course.is_dir() and any(course.iterdir()) and not (course / CONFIG_NAME).is_file():
        raise CourseError(f"ngclab course: {course} is not empty and is not a course folder "
                          f"(no {CONFIG_NAME}); choose a new or empty folder")
    course.mkdir(parents=True, exist_ok=True)
    (course / CONFIG_NAME).write_text(_CONFIG, encoding="utf-8")


def _inject_parameters(path: Path, values: Mapping[str, Any]) -> nbformat.NotebookNode:
    """papermill's parameter injection (a cell after the ``parameters`` cell), no execution."""
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook
    nb = parameterize_notebook(load_notebook_node(str(path)), dict(values))
    for cell in nb.cells:                       # papermill's bookkeeping, not the lesson's
        cell.metadata.pop("papermill", None)
        if not cell.metadata.get("tags"):
            cell.metadata.pop("tags", None)
    nb.metadata.pop("papermill", None)
    return nb


def make_student_version(course: Path, notebooks: Sequence[Path],
                         parameters: Mapping[str, Mapping[str, Any]] | None = None) -> list[dict]:
    """Write the teacher's notebooks into ``course/source`` and let nbgrader write the student
    versions into ``course/release``. ``parameters`` maps a lesson name (file stem) to values
    injected into its ``parameters`` cell (papermill's injection: a cell after it).
    Returns one summary per lesson: lesson, student notebook, exercises, points."""
    course = Path(course).resolve()
    _prepare_dir(course)
    parameters = dict(parameters or {})
    with _tools_on_path():
        api = _api(course)
        return [_release(api, course, Path(path), parameters.get(Path(path).stem))
                for path in notebooks]


def _release(api, course: Path, path: Path, values: Mapping[str, Any] | None) -> dict:
    """One lesson: the teacher's version into source/, nbgrader's student version into release/."""
    lesson = path.stem
    nb = _inject_parameters(path, values) if values else nbformat.read(path, as_version=4)
    graded = exercises(nb)
    if not graded:
        raise CourseError(f"ngclab course: {path.name} has no graded exercise "
                          f"(no cell with nbgrader metadata 'grade': true)")
    source = course / "source" / lesson
    if source.exists():
        shutil.rmtree(source)
    source.mkdir(parents=True)
    nbformat.write(nb, source / f"{lesson}.ipynb")
    _check(api.generate_assignment(lesson, force=True, create=True),
           f"generate_assignment {lesson}")
    return {"lesson": lesson,
            "student_notebook": str(course / "release" / lesson / f"{lesson}.ipynb"),
            "exercises": graded, "points": sum(g["points"] for g in graded)}


def _source_order(course: Path, lesson: str) -> list[str]:
    nb = nbformat.read(course / "source" / lesson / f"{lesson}.ipynb", as_version=4)
    return [g["grade_id"] for g in exercises(nb)]


def submissions(course: Path, students: Iterable[str] = (),
                lessons: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(student, lesson) pairs found under ``course/submitted``, sorted; ``lessons`` may name a
    lesson by the start of its name (``"07"``)."""
    root = Path(course) / "submitted"
    if not root.is_dir():
        raise CourseError(f"ngclab course grade: no {root}; put each student's notebooks in "
                          f"submitted/<student>/<lesson>/<lesson>.ipynb")
    students, lessons = set(students), set(lessons)
    known = {p.name for p in (Path(course) / "source").iterdir() if p.is_dir()} \
        if (Path(course) / "source").is_dir() else set()
    pairs = []
    for student in sorted(p for p in root.iterdir() if p.is_dir()):
        if students and student.name not in students:
            continue
        for folder in sorted(p for p in student.iterdir() if p.is_dir()):
            if lessons and not any(folder.name.startswith(name) for name in lessons):
                continue
            if folder.name not in known:
                raise CourseError(f"ngclab course grade: {folder} is not a lesson of this course "
                                  f"(lessons: {', '.join(sorted(known)) or 'none'})")
            pairs.append((student.name, folder.name))
    if not pairs:
        raise CourseError(f"ngclab course grade: nothing submitted under {root} "
                          f"(expected submitted/<student>/<lesson>/<lesson>.ipynb)")
    return pairs


def grade(course: Path, students: Iterable[str] = (), lessons: Iterable[str] = (),
          write_json: Path | None = None) -> dict:
    """Autograde the submissions with nbgrader and collect the points.

    Returns ``{"course": ..., "students": {student: {"lessons": {lesson: {"exercises":
    {grade_id: {"score", "max_score"}}, "score", "max_score"}}, "score", "max_score"}}}``
    and writes it as JSON to ``write_json`` (default ``course/grades.json``)."""
    _require_nbgrader()
    from nbgrader.api import Gradebook
    course = Path(course).resolve()
    if not (course / CONFIG_NAME).is_file():
        raise CourseError(f"ngclab course grade: {course} is not a course folder (no "
                          f"{CONFIG_NAME}); make one with `ngclab course student {course}`")
    pairs = submissions(course, students, lessons)
    with _tools_on_path():
        api = _api(course)
        for student, lesson in pairs:
            _check(api.autograde(lesson, student, force=True, create=True),
                   f"autograde {lesson} for {student}")
    result: dict = {"course": str(course), "students": {}}
    with _tools_on_path(), Gradebook(api.coursedir.db_url) as gradebook:
        for student, lesson in pairs:
            nb = gradebook.find_submission_notebook(lesson, lesson, student)
            by_id = {g.name: g for g in nb.grades}
            rows = {gid: {"score": float(by_id[gid].score or 0.0),
                          "max_score": float(by_id[gid].max_score)}
                    for gid in _source_order(course, lesson) if gid in by_id}
            entry = result["students"].setdefault(student, {"lessons": {}})
            entry["lessons"][lesson] = {"exercises": rows,
                                        "score": sum(r["score"] for r in rows.values()),
                                        "max_score": sum(r["max_score"] for r in rows.values())}
    for entry in result["students"].values():
        entry["score"] = sum(v["score"] for v in entry["lessons"].values())
        entry["max_score"] = sum(v["max_score"] for v in entry["lessons"].values())
    out = course / GRADES_NAME if write_json is None else Path(write_json)
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return result


def format_grades(result: Mapping[str, Any]) -> str:
    """The grades as a plain-text table: one row per exercise, a total per lesson and student."""
    head = ("student", "lesson", "exercise", "points")
    rows: list[tuple[str, ...]] = [head]
    for student, entry in result["students"].items():
        for lesson, les in entry["lessons"].items():
            for gid, g in les["exercises"].items():
                rows.append((student, lesson, gid, f"{g['score']:g} / {g['max_score']:g}"))
            rows.append((student, lesson, "(lesson total)",
                         f"{les['score']:g} / {les['max_score']:g}"))
        rows.append((student, "", "TOTAL", f"{entry['score']:g} / {entry['max_score']:g}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = []
    for i, row in enumerate(rows):
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
