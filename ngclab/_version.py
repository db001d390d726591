"""The package version, in one place (imported by ngclab and by the save format)."""
__version__ = "0.1.0"
