"""Shared fixtures. Each domain keeps its own fixtures in its test files."""

from __future__ import annotations

import os

import pytest

# Tests never depend on the caller's workspace or profile folder.
os.environ.pop("PADAN_WORKSPACE", None)
os.environ.pop("PADAN_PROFILE_DIR", None)


@pytest.fixture
def engine():
    from padan.engine import connect

    eng = connect()
    yield eng
    eng.close()
