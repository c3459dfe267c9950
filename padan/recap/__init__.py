"""Recaps per level, worklists for field recording, and progress toward the deadline.

The web dashboard and the exports code against this API (docs/reports.md).
"""

from padan.recap.progress import Progress, ProgressPoint, progress
from padan.recap.summary import (
    LEVELS,
    Recap,
    RecapRow,
    SourceInfo,
    latest_match,
    recap,
)
from padan.recap.worklist import worklist

__all__ = [
    "LEVELS",
    "Progress",
    "ProgressPoint",
    "Recap",
    "RecapRow",
    "SourceInfo",
    "latest_match",
    "progress",
    "recap",
    "worklist",
]
