"""The test suite is one importable package: every folder holding Python files has an
``__init__.py``, and no test module edits ``sys.path`` (shared helpers are imported as
``from tests.helpers import ...``; pytest puts the repository root on the path)."""
import pathlib
import re

TESTS = pathlib.Path(__file__).resolve().parent
# folders of data that only look like code: model folders saved by ngc-learn / ngclab
DATA = TESTS / "compat" / "data"
SYS_PATH_EDIT = re.compile(r"sys\.path\.(insert|append|extend)\b|sys\.path\s*[+]?=")


def python_files():
    return [p for p in TESTS.rglob("*.py")
            if DATA not in p.parents and "__pycache__" not in p.parts]


def test_every_folder_with_python_files_is_a_package():
    folders = {p.parent for p in python_files()}
    missing = sorted(str(f.relative_to(TESTS.parent)) for f in folders
                     if not (f / "__init__.py").exists())
    assert not missing, f"add an empty __init__.py to: {missing}"


def test_no_module_edits_sys_path():
    edits = [f"{p.relative_to(TESTS.parent)}:{i}"
             for p in python_files()
             for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if SYS_PATH_EDIT.search(line) and p != pathlib.Path(__file__).resolve()]
    assert not edits, f"import through the tests package instead of editing sys.path: {edits}"


def test_the_pattern_catches_the_usual_edits():
    for line in ("sys.path.insert(0, HERE)", "sys.path.append(d)", "sys.path += [d]",
                 "sys.path = [d] + sys.path"):
        assert SYS_PATH_EDIT.search(line), line
    assert not SYS_PATH_EDIT.search("print(sys.path)")
