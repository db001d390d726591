"""The ``ngclab`` command: ``lab``, ``run``, ``regress``, ``bench``, ``course`` and ``--version``.

    ngclab lab                         JupyterLab on the course notebooks
    ngclab run NOTEBOOK -p name value  run a notebook with papermill, print its records
    ngclab regress [--update] [NB...]  run the notebooks, compare records with the goldens
    ngclab bench [--quick]             run bench/run_all.py of the source checkout
    ngclab course student DIR          an nbgrader course in DIR: the student version to hand out
    ngclab course grade DIR            autograde DIR/submitted with nbgrader: points per exercise

In a source checkout the course is the ``notebooks/`` folder next to the package; otherwise the
course bundled with the package (``ngclab.course.notebooks``) is copied to ``./ngclab-course``.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

import ngclab
from ngclab.record import read_records
from ngclab.regression import (DEFAULT_ATOL, DEFAULT_RTOL, compare_records, describe_failure,
                               format_value, print_table)
from ngclab.values import parse_value  # one rule for values typed as text (also the editor's)

PACKAGE_DIR = Path(ngclab.__file__).resolve().parent
SOURCE_ROOT = PACKAGE_DIR.parent
COURSE_COPY = "ngclab-course"


class CLIError(Exception):
    """A user error: printed as one clear message, exit status 2."""


# -- locating things ---------------------------------------------------------------------------
def source_notebooks() -> Path | None:
    """``notebooks/`` of a source checkout, or None in an installed copy."""
    nb = SOURCE_ROOT / "notebooks"
    return nb if nb.is_dir() and any(nb.glob("*.ipynb")) else None


def bundled_course() -> Path | None:
    """The course notebooks shipped inside the package (``ngclab/course/notebooks``), if any."""
    for cand in (PACKAGE_DIR / "course" / "notebooks",):
        if cand.is_dir() and any(cand.glob("*.ipynb")):
            return cand
    return None


def course_dir(cwd: Path | None = None) -> Path:
    """Where ``ngclab lab`` opens: the checkout's notebooks, else a copy of the bundled course."""
    src = source_notebooks()
    if src is not None:
        return src
    cwd = Path.cwd() if cwd is None else cwd
    copy = cwd / COURSE_COPY
    if copy.is_dir():
        return copy
    bundled = bundled_course()
    if bundled is None:
        raise CLIError("ngclab: no course notebooks found: this is not a source checkout (no "
                       f"notebooks/ next to {PACKAGE_DIR}) and the package has no bundled course")
    shutil.copytree(bundled, copy, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    print(f"ngclab: copied the course to {copy}")
    return copy


def goldens_path() -> Path:
    return SOURCE_ROOT / "tests" / "notebooks" / "goldens.json"


def resolve_notebook(name: str) -> Path:
    """A notebook path: as given, or by name/number inside the course folder."""
    p = Path(name)
    if p.is_file():
        return p.resolve()
    roots = [r for r in (source_notebooks(), Path.cwd() / COURSE_COPY, bundled_course()) if r]
    for root in roots:
        for cand in (root / name, root / f"{name}.ipynb"):
            if cand.is_file():
                return cand.resolve()
        matches = sorted(root.glob(f"{name}*.ipynb"))
        if len(matches) == 1:
            return matches[0].resolve()
    known = sorted({q.name for r in roots for q in r.glob("*.ipynb")})
    hint = f"; course notebooks: {', '.join(known)}" if known else ""
    raise CLIError(f"ngclab: notebook {name!r} not found{hint}")


# -- parameters --------------------------------------------------------------------------------
def notebook_parameters(path: Path) -> dict[str, Any]:
    """Names and defaults of the notebook's ``parameters`` cell (empty if it has none)."""
    import papermill as pm
    params = pm.inspect_notebook(str(path))
    return {k: v.get("default") for k, v in params.items()}


def parameters_given(args) -> dict[str, Any]:
    """The ``-p name value`` pairs, each value read by ``ngclab.values.parse_value``."""
    given = {}
    for name, value in (args.parameter or []):
        try:
            given[name] = parse_value(value)
        except ValueError as err:
            raise CLIError(f"ngclab: -p {name}: {err}") from None
    return given


def check_parameters(path: Path, given: dict[str, Any]) -> None:
    known = notebook_parameters(path)
    unknown = [k for k in given if k not in known]
    if unknown:
        valid = ", ".join(f"{k} (default {v})" for k, v in known.items()) or "none"
        raise CLIError(f"ngclab: {path.name} has no parameter {unknown[0]!r}; its parameters "
                       f"cell defines: {valid}")


# -- executing ---------------------------------------------------------------------------------
def execute(path: Path, output: Path, parameters: dict[str, Any], progress: bool = False,
            timeout: int | None = 600) -> float:
    """Run a notebook with papermill (working directory: the notebook's folder); seconds taken."""
    import papermill as pm
    start = time.perf_counter()
    pm.execute_notebook(str(path), str(output), parameters=parameters, cwd=str(path.parent),
                        progress_bar=progress, log_output=False, execution_timeout=timeout,
                        kernel_name="python3")
    return time.perf_counter() - start


def load_goldens(path: Path | None = None) -> dict:
    path = goldens_path() if path is None else path
    if not path.is_file():
        raise CLIError(f"ngclab regress: no goldens at {path} (regress needs a source checkout)")
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def save_goldens(goldens: dict, path: Path | None = None) -> None:
    path = goldens_path() if path is None else path
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(goldens, fh, indent=1, sort_keys=True)
        fh.write("\n")


def regress_notebook(nb_name: str, spec: dict, workdir: Path, nb_dir: Path) -> tuple[dict, float]:
    """Run one notebook with its regression parameters; (records, seconds)."""
    path = nb_dir / nb_name
    if not path.is_file():
        raise CLIError(f"ngclab regress: goldens name {nb_name} but {path} does not exist")
    out = workdir / nb_name
    secs = execute(path, out, spec.get("parameters", {}))
    return read_records(out), secs


def regress(names: Sequence[str] = (), update: bool = False, out=sys.stdout) -> int:
    goldens = load_goldens()
    nb_dir = source_notebooks()
    if nb_dir is None:
        raise CLIError("ngclab regress: needs a source checkout (notebooks/ next to the package)")
    listed = sorted(p.name for p in nb_dir.glob("*.ipynb"))
    selected = [resolve_notebook(n).name for n in names] if names else listed
    all_rows = []
    with tempfile.TemporaryDirectory(prefix="ngclab-regress-") as tmp:
        for nb in selected:
            spec = goldens.setdefault(nb, {"parameters": {}, "values": {}})
            print(f"running {nb} ...", file=out, flush=True)
            records, secs = regress_notebook(nb, spec, Path(tmp), nb_dir)
            rows = compare_records(nb, records, spec)
            for r in rows:
                r["seconds"] = secs
            all_rows += rows
            if update:
                old = spec.get("values", {})
                spec["values"] = {k: {"value": v,
                                      "atol": old.get(k, {}).get("atol", DEFAULT_ATOL),
                                      "rtol": old.get(k, {}).get("rtol", DEFAULT_RTOL)}
                                  for k, v in records.items()}
                spec["seconds"] = round(secs, 1)
    print_table(all_rows, out)
    if update:
        save_goldens(goldens)
        print(f"updated {goldens_path()}", file=out)
        return 0
    failed = [r for r in all_rows if not r["ok"]]
    for r in failed:
        print("FAIL " + describe_failure(r), file=out)
    print(f"{len(all_rows) - len(failed)} of {len(all_rows)} values match", file=out)
    return 1 if failed else 0


# -- subcommands -------------------------------------------------------------------------------
def cmd_lab(args) -> int:
    root = course_dir()
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={root}", *args.extra]
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in cmd:
        # containers and CI machines often run as root, where Jupyter refuses to start without it
        cmd.append("--allow-root")
    print(f"ngclab: starting JupyterLab on {root}", flush=True)
    return subprocess.call(cmd)


def cmd_run(args) -> int:
    path = resolve_notebook(args.notebook)
    given = parameters_given(args)
    check_parameters(path, given)
    output = Path(args.output) if args.output else Path.cwd() / f"{path.stem}.out.ipynb"
    print(f"ngclab: running {path.name} with {given or 'its default parameters'}", flush=True)
    secs = execute(path, output.resolve(), given, progress=not args.quiet, timeout=args.timeout)
    records = read_records(output)
    print(f"ngclab: finished in {secs:.1f} s; executed notebook: {output}")
    for k, v in records.items():
        print(f"  {k} = {format_value(v) if not isinstance(v, (int, float)) else v}")
    return 0


def cmd_regress(args) -> int:
    return regress(args.notebooks, update=args.update)


def cmd_bench(args) -> int:
    script = SOURCE_ROOT / "bench" / "run_all.py"
    if not script.is_file():
        raise CLIError(f"ngclab bench: {script} not found; benchmarks run from a source "
                       "checkout of ngclab (git clone the repository and pip install -e .)")
    cmd = [sys.executable, str(script)] + (["--quick"] if args.quick else [])
    return subprocess.call(cmd, cwd=str(script.parent.parent))


def course_lessons(names: Sequence[str]) -> list[Path]:
    """The course notebooks (checkout or bundled), or those named (by name or number)."""
    root = source_notebooks() or bundled_course()
    if root is None:
        raise CLIError("ngclab course: no course notebooks found (no notebooks/ in a source "
                       "checkout, none bundled with the package)")
    if not names:
        return sorted(root.glob("[0-9]*.ipynb"))
    return [resolve_notebook(n) for n in names]


def cmd_course(args) -> int:
    from ngclab.course import grading
    try:
        if args.action == "student":
            lessons = course_lessons(args.lessons)
            given = parameters_given(args)
            known = {p.stem: notebook_parameters(p) for p in lessons}
            for name in given:
                if not any(name in params for params in known.values()):
                    raise CLIError(f"ngclab course: no selected lesson has a parameter {name!r}")
            parameters = {stem: {k: v for k, v in given.items() if k in params}
                          for stem, params in known.items()}
            summary = grading.make_student_version(Path(args.dir), lessons, parameters)
            for row in summary:
                print(f"{row['lesson']}: {len(row['exercises'])} graded exercises, "
                      f"{row['points']:g} points -> {row['student_notebook']}")
            print(f"ngclab course: the student version is in {Path(args.dir).resolve() / 'release'}"
                  f"; put what students hand back in submitted/<student>/<lesson>/<lesson>.ipynb "
                  f"and run `ngclab course grade {args.dir}`")
            return 0
        result = grading.grade(Path(args.dir), students=args.student or (),
                               lessons=[Path(n).stem for n in (args.lesson or ())],
                               write_json=Path(args.json) if args.json else None)
        print(grading.format_grades(result))
        out = Path(args.json) if args.json else Path(args.dir).resolve() / grading.GRADES_NAME
        print(f"ngclab course: grades as JSON in {out}")
        return 0
    except grading.CourseError as err:
        raise CLIError(str(err)) from None


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ngclab", description="ngclab: an interactive lab for "
                                "brain-inspired neural circuits (JupyterLab course, notebook "
                                "experiments, regression and benchmarks)")
    p.add_argument("--version", action="version", version=f"ngclab {ngclab.__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    lab = sub.add_parser("lab", help="open JupyterLab on the course notebooks")
    lab.epilog = "Further options go to JupyterLab (e.g. --port 8899 --no-browser)."
    lab.set_defaults(func=cmd_lab)
    run = sub.add_parser("run", help="run a notebook with papermill")
    run.add_argument("notebook", help="a notebook path or a course notebook's name/number")
    run.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"),
                     help="set a parameter of the notebook's parameters cell")
    run.add_argument("-o", "--output", help="executed notebook (default ./NAME.out.ipynb)")
    run.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    run.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    run.set_defaults(func=cmd_run)
    reg = sub.add_parser("regress", help="run the notebooks and compare with the goldens")
    reg.add_argument("notebooks", nargs="*", help="only these notebooks")
    reg.add_argument("--update", action="store_true", help="rewrite the golden values")
    reg.set_defaults(func=cmd_regress)
    bench = sub.add_parser("bench", help="run the benchmarks (source checkout)")
    bench.add_argument("--quick", action="store_true", help="small sizes, few repeats")
    bench.set_defaults(func=cmd_bench)
    course = sub.add_parser("course", help="graded exercises: the student version, grading")
    course_sub = course.add_subparsers(dest="action", metavar="ACTION", required=True)
    student = course_sub.add_parser("student", help="write an nbgrader course folder with the "
                                    "student version of the lessons (solutions removed)")
    student.add_argument("dir", help="the course folder (new, empty, or made by this command)")
    student.add_argument("lessons", nargs="*", help="only these lessons (names or numbers)")
    student.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"),
                         help="set a parameter in every selected lesson that has it")
    student.set_defaults(func=cmd_course)
    grade = course_sub.add_parser("grade", help="autograde submitted notebooks with nbgrader")
    grade.add_argument("dir", help="the course folder made by `ngclab course student`")
    grade.add_argument("--student", action="append", help="only this student (repeatable)")
    grade.add_argument("--lesson", action="append", help="only this lesson (repeatable)")
    grade.add_argument("--json", help="write the grades here (default DIR/grades.json)")
    grade.set_defaults(func=cmd_course)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "lab":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except CLIError as err:
        print(str(err), file=sys.stderr)
        return 2
    except Exception as err:  # papermill: a cell raised
        if type(err).__name__ != "PapermillExecutionError":
            raise
        print(f"ngclab: the notebook failed in cell {err.exec_count}: {err.ename}: "
              f"{err.evalue}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # pragma: no cover
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
