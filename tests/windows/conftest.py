"""Tests of ecpos on Windows itself: collected only under a Windows Python (`make test-windows` runs them under
Wine with the curated part of the rest of the suite; packaging/windows/suite.py)."""
import os
import sys

if sys.platform != "win32":
    collect_ignore_glob = ["test_*.py"]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # Wine passes no QT_* variable from Linux
