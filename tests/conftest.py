"""Shared fixtures. Each domain keeps its own fixtures in its test files."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

# Tests never depend on the caller's workspace or profile folder.
os.environ.pop("PADAN_WORKSPACE", None)
os.environ.pop("PADAN_PROFILE_DIR", None)

# No per-example time limit: tests assert behaviour, not timings (hypothesis' 200 ms default
# failed a SQL-vs-Python property test on a loaded 2-core machine).
settings.register_profile("padan", deadline=None)
settings.load_profile("padan")


@pytest.fixture
def engine():
    from padan.engine import connect

    eng = connect()
    yield eng
    eng.close()
