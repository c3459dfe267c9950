"""Import: reading KPU's DPT and Dukcapil's register files into canonical tables.

``load_dpt`` / ``load_registry`` work on any engine (no workspace needed: ``padan match`` uses
them on an in-memory engine); ``import_dpt`` / ``import_registry`` record versions and snapshots
in the workspace. Reader behaviour and decisions: docs/import.md.
"""

from padan.ingest.load import ImportWarning, LoadReport, load_dpt, load_registry
from padan.ingest.readers import FileInfo

__all__ = ["FileInfo", "ImportWarning", "LoadReport", "load_dpt", "load_registry"]
