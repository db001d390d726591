"""Browser side of ngclab's widgets: plain ES modules and CSS, loaded through anywidget."""
from pathlib import Path

HERE = Path(__file__).parent


def asset(name: str) -> Path:
    """Path of a front-end file (``editor.js``, ``lab.css``, ...)."""
    path = HERE / name
    if not path.is_file():
        raise FileNotFoundError(f"ngclab widget asset {name!r} not found in {HERE}")
    return path
