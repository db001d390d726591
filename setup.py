"""Only what pyproject.toml cannot say: ship the top-level widgets/ folder as ngclab.widgets
and the course notebooks in notebooks/ as ngclab.course.notebooks (so `ngclab lab` works from an
installed wheel)."""
from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["ngclab", "ngclab.*"]) + ["ngclab.widgets", "ngclab.course.notebooks"],
    package_dir={"ngclab.widgets": "widgets", "ngclab.course.notebooks": "notebooks"},
)
