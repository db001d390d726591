"""Write the course notebooks (notebooks/*.ipynb) from the lesson sources in ngclab/course/sources/.

Each source is a ``.py`` file in the "percent" format: cells start with a header line

    # %%                                   a code cell
    # %% [markdown]                        a markdown cell (its lines are comments ``# ...``)
    # %% tags=["parameters"]               a code cell with cell tags
    # %% nbgrader={"solution": true, ...}  a cell with nbgrader metadata

A header may carry ``tags=`` and ``nbgrader=``, each followed by one-line JSON (a list of strings
for tags, an object for nbgrader), in either order, after ``[markdown]`` if the cell is markdown:

    # %% tags=["exercise"] nbgrader={"grade": true, "grade_id": "rate-test", "points": 2, ...}
    # %% [markdown] nbgrader={"solution": true, "grade": false, "locked": false, ...}

The nbgrader object is written unchanged to the cell's ``metadata.nbgrader`` (nbgrader's cell
metadata, schema version 3): ``solution`` (students write this cell), ``grade`` (the cell is
graded: an autograded test cell when it is code, then with ``points``), ``locked`` (students may
not edit it), ``grade_id`` (unique within the lesson), ``schema_version``; ``task`` and
``points`` where nbgrader uses them. The builder checks the keys and the types and that a cell
that is a solution, graded or locked has a ``grade_id``; a graded cell needs ``points``.

In a solution cell, ``### BEGIN SOLUTION`` / ``### END SOLUTION`` mark the teacher's answer and
in a test cell ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS`` the tests students do not
see: ``ngclab course student`` removes both through nbgrader's own preprocessors.

A code cell whose first line is ``# NBVAL_CHECK_OUTPUT`` keeps its output in the committed notebook
(nbval compares it exactly); every other output is stripped.

    python -m ngclab.course.build            # write notebooks, no outputs
    python -m ngclab.course.build --checks   # also execute each notebook once and
                                             # keep the outputs of NBVAL cells
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "sources"
ROOT = HERE.parent.parent   # the source checkout
NOTEBOOKS = ROOT / "notebooks"
CHECK_MARK = "# NBVAL_CHECK_OUTPUT"

_HEADER = re.compile(r"^# %%(?P<md> \[markdown\])?(?P<rest>.*)$")
_OPTION = re.compile(r"\s+(?P<key>tags|nbgrader)=")
NBGRADER_KEYS = {"solution": bool, "grade": bool, "locked": bool, "grade_id": str,
                 "schema_version": int, "points": (int, float), "task": bool}


def _check_nbgrader(meta: object, where: str) -> dict:
    """nbgrader cell metadata as nbgrader reads it: known keys, right types, ids where needed."""
    if not isinstance(meta, dict):
        raise ValueError(f"{where}: nbgrader= needs a JSON object, got {meta!r}")
    unknown = sorted(set(meta) - set(NBGRADER_KEYS))
    if unknown:
        raise ValueError(f"{where}: unknown nbgrader key(s) {unknown}; "
                         f"valid keys: {sorted(NBGRADER_KEYS)}")
    for key, value in meta.items():
        kind = NBGRADER_KEYS[key]
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise ValueError(f"{where}: nbgrader {key!r} must be "
                             f"{getattr(kind, '__name__', 'a number')}, got {value!r}")
    if any(meta.get(k) for k in ("solution", "grade", "locked", "task")) and not meta.get("grade_id"):
        raise ValueError(f"{where}: an nbgrader cell that is a solution, graded or locked "
                         f"needs a 'grade_id'")
    if meta.get("grade") and "points" not in meta:
        raise ValueError(f"{where}: a graded nbgrader cell needs 'points'")
    return meta


def parse_header(line: str, where: str = "header") -> dict | None:
    """``None`` for a line that is not a cell header, else {"kind", "tags", "nbgrader"}."""
    m = _HEADER.match(line)
    if not m:
        return None
    header = {"kind": "markdown" if m.group("md") else "code", "tags": [], "nbgrader": None}
    rest, decoder = m.group("rest"), json.JSONDecoder()
    while rest.strip():
        opt = _OPTION.match(rest)
        if not opt:
            raise ValueError(f"{where}: cannot read {rest.strip()!r} in a cell header; "
                             f"a header is '# %%', then '[markdown]', then tags=[...] and/or "
                             f"nbgrader={{...}} as one-line JSON")
        key = opt.group("key")
        try:
            value, end = decoder.raw_decode(rest, opt.end())
        except json.JSONDecodeError as err:
            raise ValueError(f"{where}: {key}= is not valid one-line JSON ({err.msg})") from None
        if key == "tags":
            if not (isinstance(value, list) and all(isinstance(t, str) for t in value)):
                raise ValueError(f"{where}: tags= needs a JSON list of strings, got {value!r}")
            header["tags"] = value
        else:
            header["nbgrader"] = _check_nbgrader(value, where)
        rest = rest[end:]
    return header


def parse(text: str, source: str = "<lesson>") -> list:
    cells, header, lines = [], None, []

    def flush():
        if header is None:
            return
        body = "\n".join(lines).strip("\n")
        if header["kind"] == "markdown":
            body = "\n".join(ln[2:] if ln.startswith("# ") else ln.lstrip("#")
                             for ln in body.split("\n"))
            cell = nbformat.v4.new_markdown_cell(body)
        else:
            cell = nbformat.v4.new_code_cell(body)
        if header["tags"]:
            cell.metadata["tags"] = header["tags"]
        if header["nbgrader"] is not None:
            cell.metadata["nbgrader"] = header["nbgrader"]
        cells.append(cell)

    for number, line in enumerate(text.split("\n"), start=1):
        found = parse_header(line, f"{source}:{number}")
        if found is not None:
            flush()
            header, lines = found, []
        else:
            lines.append(line)
    flush()
    ids = [c.metadata["nbgrader"]["grade_id"] for c in cells
           if c.metadata.get("nbgrader", {}).get("grade_id")]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ValueError(f"{source}: nbgrader grade_id used by more than one cell: {repeated}")
    return cells


def build(src: Path) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = parse(src.read_text(encoding="utf-8"), src.name)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nb.cells):  # stable ids: diffs stay small when a lesson changes
        cell["id"] = f"{src.stem[:2]}-{i:02d}"
    return nb


def strip(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Clear outputs except in NBVAL_CHECK_OUTPUT cells (those keep outputs, count kept)."""
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)     # papermill stamps every cell with timings
        if cell.metadata.get("tags") == []:
            del cell.metadata["tags"]
        if cell.cell_type != "code":
            continue
        cell.metadata.pop("execution", None)
        if cell.source.startswith(CHECK_MARK):
            for out in cell.get("outputs", []):
                out.pop("execution_count", None) if out.get("output_type") != "execute_result" \
                    else None
            continue
        cell.outputs = []
        cell.execution_count = None
    nb.metadata.pop("papermill", None)
    return nb


def keep_checked_outputs(nb: nbformat.NotebookNode, old: nbformat.NotebookNode) -> None:
    """Copy the outputs of unchanged NBVAL_CHECK_OUTPUT cells from the notebook written before,
    so a build without ``--checks`` does not drop them (a changed cell needs ``--checks``)."""
    before = {c.get("id"): c for c in old.cells if c.cell_type == "code"}
    for cell in nb.cells:
        prior = before.get(cell.get("id"))
        if (cell.cell_type == "code" and cell.source.startswith(CHECK_MARK) and prior is not None
                and prior.source == cell.source):
            cell.outputs = prior.get("outputs", [])
            cell.execution_count = prior.get("execution_count")


def checked_outputs(path: Path) -> nbformat.NotebookNode:
    """Execute ``path`` with its defaults; return the executed notebook."""
    import papermill as pm
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / path.name
        pm.execute_notebook(str(path), str(out), cwd=str(path.parent), kernel_name="python3",
                            progress_bar=False)
        return nbformat.read(out, as_version=4)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--checks", action="store_true",
                    help="execute notebooks that have NBVAL_CHECK_OUTPUT cells to fill them")
    ap.add_argument("only", nargs="*", help="only sources whose name starts with these")
    args = ap.parse_args(argv)
    NOTEBOOKS.mkdir(exist_ok=True)
    for src in sorted(SOURCES.glob("*.py")):
        if args.only and not any(src.stem.startswith(o) for o in args.only):
            continue
        nb = build(src)
        dst = NOTEBOOKS / f"{src.stem}.ipynb"
        if not args.checks and dst.exists():
            keep_checked_outputs(nb, nbformat.read(dst, as_version=4))
        nbformat.write(strip(nb), dst)
        if args.checks and any(c.cell_type == "code" and c.source.startswith(CHECK_MARK)
                               for c in nb.cells):
            ran = checked_outputs(dst)
            nbformat.write(strip(ran), dst)
        print(f"wrote {dst.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
