"""Write the course notebooks (notebooks/*.ipynb) from the lesson sources in ngclab/course/sources/.

Each source is a ``.py`` file in the "percent" format: cells start with ``# %%`` (code),
``# %% [markdown]`` (markdown; the lines are comments ``# ...``) or ``# %% tags=["parameters"]``.
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

_HEADER = re.compile(r"^# %%(?P<md> \[markdown\])?(?: tags=(?P<tags>\[.*\]))?\s*$")


def parse(text: str) -> list:
    cells, kind, tags, lines = [], None, [], []

    def flush():
        if kind is None:
            return
        body = "\n".join(lines).strip("\n")
        if kind == "markdown":
            body = "\n".join(ln[2:] if ln.startswith("# ") else ln.lstrip("#")
                             for ln in body.split("\n"))
            cell = nbformat.v4.new_markdown_cell(body)
        else:
            cell = nbformat.v4.new_code_cell(body)
        if tags:
            cell.metadata["tags"] = tags
        cells.append(cell)

    for line in text.split("\n"):
        m = _HEADER.match(line)
        if m:
            flush()
            kind = "markdown" if m.group("md") else "code"
            tags = json.loads(m.group("tags")) if m.group("tags") else []
            lines = []
        else:
            lines.append(line)
    flush()
    return cells


def build(src: Path) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = parse(src.read_text(encoding="utf-8"))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nb.cells):  # stable ids: diffs stay small when a lesson changes
        cell["id"] = f"{src.stem[:2]}-{i:02d}"
    return nb


def strip(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Clear outputs except in NBVAL_CHECK_OUTPUT cells (those keep outputs, count kept)."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.metadata.pop("papermill", None)
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
        nbformat.write(strip(nb), dst)
        if args.checks and any(c.cell_type == "code" and c.source.startswith(CHECK_MARK)
                               for c in nb.cells):
            ran = checked_outputs(dst)
            nbformat.write(strip(ran), dst)
        print(f"wrote {dst.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
