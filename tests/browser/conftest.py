"""The browser tests share ``_jupyterlab`` (JupyterLab and Chromium helpers)."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
