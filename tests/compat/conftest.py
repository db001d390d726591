"""The compat tests import their helpers as ``compat_porting`` / ``compat_folders``."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
