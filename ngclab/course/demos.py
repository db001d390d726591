"""Each lesson's lab as a small notebook of its own (notebooks/demos/), to open as a Voila app.

A Voila app renders a whole notebook, its code hidden. A lesson is more than its lab (training
loops, figures, exercises), so the cells its lab needs are tagged in the lesson source and
copied, in order, into ``notebooks/demos/<lesson>.ipynb``:

    # %% tags=["lab-demo"]         run in the demo, its output hidden (%%capture)
    # %% tags=["lab-demo-show"]    run in the demo and shown: the cell that displays the Lab

(The ``parameters`` cell may carry ``lab-demo`` too; it stays a parameters cell.) The demo opens
at ``voila/render/notebooks/demos/<lesson>.ipynb`` on a Jupyter server with Voila installed,
e.g. on Binder, or with ``voila notebooks/demos/<lesson>.ipynb``.

    python -m ngclab.course.demos            # write notebooks/demos/*.ipynb
    python -m ngclab.course.demos --check    # exit 1 if a committed demo is out of date
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

from ngclab.course.build import NOTEBOOKS, ROOT, SOURCES, parse

DEMOS = NOTEBOOKS / "demos"
RUN, SHOW = "lab-demo", "lab-demo-show"
CAPTURE = "%%capture\n"


def lesson_title(cells: list) -> str:
    """The lesson's title: the first markdown heading (``# 9. Spiking STDP: ...``)."""
    for cell in cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return "a lesson"


def demo(src: Path) -> nbformat.NotebookNode | None:
    """The demo notebook of a lesson source (None when no cell is tagged for it)."""
    cells = parse(src.read_text(encoding="utf-8"), src.name)
    chosen = [c for c in cells if {RUN, SHOW} & set(c.metadata.get("tags", []))]
    if not chosen:
        return None
    if not any(SHOW in c.metadata["tags"] for c in chosen):
        raise ValueError(f"{src.name}: cells are tagged {RUN!r} but none {SHOW!r} (the cell that "
                         f"shows the Lab)")
    nb = nbformat.v4.new_notebook()
    intro = nbformat.v4.new_markdown_cell(
        f"# Lab: {lesson_title(cells)}\n\n"
        f"The circuit of the lesson [{src.stem}](../{src.stem}.ipynb), in the lab. Press "
        f"**▶ Play** to run it, move the sliders to change its knobs while it runs, click a "
        f"port to watch a compartment. The **⤓** button of a plot saves its data or figure.")
    nb.cells = [intro]
    for cell in chosen:
        tags = cell.metadata["tags"]
        new = nbformat.v4.new_code_cell(cell.source) if cell.cell_type == "code" else \
            nbformat.v4.new_markdown_cell(cell.source)
        if cell.cell_type == "code" and SHOW not in tags and "parameters" not in tags:
            new.source = CAPTURE + cell.source     # run it, show nothing (prints, figures)
        kept = [t for t in tags if t not in (RUN, SHOW)]
        if kept:
            new.metadata["tags"] = kept
        nb.cells.append(new)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{src.stem[:2]}-demo-{i:02d}"
    return nb


def demos() -> dict[Path, nbformat.NotebookNode]:
    """{path under notebooks/demos/: notebook} for every lesson with a tagged lab."""
    out = {}
    for src in sorted(SOURCES.glob("*.py")):
        nb = demo(src)
        if nb is not None:
            out[DEMOS / f"{src.stem}.ipynb"] = nb
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="write each lesson's lab as notebooks/demos/*")
    ap.add_argument("--check", action="store_true", help="only check the committed demos")
    args = ap.parse_args(argv)
    stale = []
    for path, nb in demos().items():
        text = nbformat.writes(nb) + "\n"
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path)
            continue
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print("out of date (run python -m ngclab.course.demos): "
              + ", ".join(str(p.relative_to(ROOT)) for p in stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
