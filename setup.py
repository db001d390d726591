"""Only what pyproject.toml cannot say: ship the top-level widgets/ folder as ngclab.widgets
and the course in notebooks/ as ngclab.course (so `ngclab lab` works from an installed wheel)."""
from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["ngclab", "ngclab.*"]) + ["ngclab.widgets", "ngclab.course"],
    package_dir={"ngclab.widgets": "widgets", "ngclab.course": "notebooks"},
)
