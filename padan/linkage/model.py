"""Tier 3: Fellegi-Sunter with Splink on the rows the deterministic tiers left."""

from __future__ import annotations

from typing import Any

from padan.reference.profiles import ElectionProfile


def tier_probabilistic(engine: Any, profile: ElectionProfile) -> None:
    """Not yet wired: rows left by tiers 1-2 stay TIDAK_DITEMUKAN."""
    return None
