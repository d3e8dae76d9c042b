"""Loaded by every Python process the test suite starts (PYTHONPATH is set in conftest.py)."""

from netguard import install

install()
