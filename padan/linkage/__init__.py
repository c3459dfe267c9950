"""Pemadanan: linking DPT rows to the population register (tiers, Splink, review).

Public entry points: :func:`match_tables` (canonical tables in an engine), :func:`match_files`
(the one-shot contract command), :func:`run_workspace_match` (a stored match run).
"""

from padan.linkage.match import MatchSummary, match_tables

__all__ = ["MatchSummary", "match_files", "match_tables", "run_workspace_match"]


def __getattr__(name: str):
    # Lazy: file I/O and workspace code pull in more than the engine needs.
    if name == "match_files":
        from padan.linkage.files import match_files

        return match_files
    if name == "run_workspace_match":
        from padan.linkage.workspace import run_workspace_match

        return run_workspace_match
    raise AttributeError(name)
