"""ngclab's test suite, an importable package: shared helpers are `from tests.helpers import ...`
(pytest puts the repository root on sys.path: `pythonpath = ["."]` in pyproject.toml)."""
