"""The sparse/patched tests import their helpers as ``sparse_helpers`` (a unique module name)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
