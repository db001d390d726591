"""Only what pyproject.toml cannot say: ship the top-level widgets/ folder as ngclab.widgets."""
from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["ngclab", "ngclab.*"]) + ["ngclab.widgets"],
    package_dir={"ngclab.widgets": "widgets"},
)
